package rates

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// MaxNote is the longest note a manual rate keeps.
const MaxNote = 500

// AddManual stores a rate typed by hand — NOK per one unit of currency on
// date, e.g. the rate a vendor's invoice was settled at — with a note on
// where it comes from. On its date it goes before the banks' rates (see
// Lookup). date may be written 2025-05-09 or 09.05.2025, the rate with a
// decimal comma or point. A second manual rate for the same currency and
// date is refused: delete the first to correct it.
func (s *Service) AddManual(ctx context.Context, by auth.Actor, currency string, date calendar.Date, rateText, note string) (*ExchangeRate, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var ps validate.List
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if !wanted(currency) {
		ps.Addf("currency", CodeManualCurrency, currency, nil)
	}
	d, err := calendar.Parse(strings.TrimSpace(string(date)))
	if err != nil {
		ps.Addf("date", CodeManualDate, string(date), nil)
	}
	rate, err := money.ParseRate(rateText, 0)
	if err != nil {
		ps.Addf("rate", CodeManualRate, rateText, nil)
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > MaxNote {
		ps.Addf("note", CodeManualNote, note, map[string]any{"Max": MaxNote})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	r := &ExchangeRate{Currency: currency, Date: d, Rate: rate, Frequency: FreqDaily, Source: SourceManual,
		SourceRef: note, CreatedBy: by.Name, CreatedAt: s.now().UTC()}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var old ExchangeRate
		err := tx.NewSelect().Model(&old).Where("currency = ? AND rate_date = ? AND source = ?", currency, d, SourceManual).Scan(ctx)
		if err == nil {
			return exists(old)
		}
		if !db.IsNoRows(err) {
			return fmt.Errorf("read manual exchange rate: %w", err)
		}
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return exists(*r)
			}
			return fmt.Errorf("insert manual exchange rate: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "exchange_rate", EntityID: r.ID, Action: "create",
			Changes: []audit.Change{{Field: "currency", After: r.Currency}, {Field: "date", After: string(r.Date)},
				{Field: "rate", After: r.Rate.String()}, {Field: "source", After: r.Source}, {Field: "note", After: r.SourceRef}}})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func exists(old ExchangeRate) error {
	var ps validate.List
	ps.Addf("date", CodeManualExists, string(old.Date), map[string]any{"Currency": old.Currency, "Date": string(old.Date), "Rate": old.Rate})
	return ps.Err()
}

// DeleteManual removes a manual rate, so a typing error can be put right.
// The banks' rates are not deleted: they are what was published.
func (s *Service) DeleteManual(ctx context.Context, by auth.Actor, id int64) error {
	if !by.IsConsortium() {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r ExchangeRate
		if err := tx.NewSelect().Model(&r).Where("id = ? AND source = ?", id, SourceManual).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("read exchange rate %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model(&r).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("delete exchange rate %d: %w", id, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "exchange_rate", EntityID: r.ID, Action: "delete",
			Changes: []audit.Change{{Field: "currency", Before: r.Currency}, {Field: "date", Before: string(r.Date)},
				{Field: "rate", Before: r.Rate.String()}, {Field: "source", Before: r.Source}, {Field: "note", Before: r.SourceRef}}})
	})
}
