package rates

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
)

// ImportResult counts what an import did with each rate of the file.
type ImportResult struct {
	File   string `json:"file"`
	Format Format `json:"format"`
	Source string `json:"source"`
	// Imported are new rates; Unchanged were stored already with the same
	// value. Replaced were stored for the same day as a coarser average (a
	// monthly average on the month's last business day) and now hold the
	// day's own rate; Skipped are averages for a day whose own rate is
	// stored (see finer).
	Imported   int           `json:"imported"`
	Unchanged  int           `json:"unchanged"`
	Replaced   int           `json:"replaced"`
	Skipped    int           `json:"skipped"`
	Currencies []string      `json:"currencies"`
	From       calendar.Date `json:"from"`
	To         calendar.Date `json:"to"`
}

// Import reads a rates file of any format Parse knows and stores its rates
// in one transaction: all of them or, on any problem, none.
//
// A rate already stored for the same currency, date and source with the
// same value counts as unchanged. One with another value refuses the whole
// import with a *ConflictError listing every difference (nothing is
// overwritten: see ConflictError). A file that cannot be read gives a
// *FileError. One audit record describes the import; each replaced rate
// has its own.
func (s *Service) Import(ctx context.Context, by auth.Actor, fileName string, data []byte) (*ImportResult, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	fileName = baseName(fileName)
	p, err := Parse(fileName, data)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{File: p.Name, Format: p.Format, Source: p.Format.Source()}
	seen := map[string]bool{}
	for _, o := range p.Observations {
		if !seen[o.Currency] {
			seen[o.Currency] = true
			res.Currencies = append(res.Currencies, o.Currency)
		}
		if res.From == "" || o.Date.Before(res.From) {
			res.From = o.Date
		}
		if o.Date.After(res.To) {
			res.To = o.Date
		}
	}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var stored []ExchangeRate
		if err := tx.NewSelect().Model(&stored).Where("source = ?", res.Source).Where("currency IN (?)", bun.In(res.Currencies)).
			Where("rate_date >= ?", res.From).Where("rate_date <= ?", res.To).Scan(ctx); err != nil {
			return fmt.Errorf("read stored exchange rates: %w", err)
		}
		byKey := map[string]*ExchangeRate{}
		for i := range stored {
			byKey[stored[i].Currency+" "+string(stored[i].Date)] = &stored[i]
		}
		now := s.now().UTC()
		var fresh, replaced []ExchangeRate
		var replacedFrom []ExchangeRate
		var conflicts []Conflict
		for _, o := range p.Observations {
			old, ok := byKey[o.Currency+" "+string(o.Date)]
			switch {
			case !ok:
				fresh = append(fresh, ExchangeRate{Currency: o.Currency, Date: o.Date, Rate: o.Rate, Frequency: o.Frequency,
					Source: res.Source, SourceRef: p.Name, CreatedBy: by.Name, CreatedAt: now})
			case old.Frequency == o.Frequency && old.Rate == o.Rate:
				res.Unchanged++
			case old.Frequency == o.Frequency:
				conflicts = append(conflicts, Conflict{Currency: o.Currency, Date: o.Date, Source: res.Source, Frequency: o.Frequency,
					Stored: old.Rate, InFile: o.Rate, Line: o.Line})
			case finer(o.Frequency, old.Frequency):
				replacedFrom = append(replacedFrom, *old)
				n := *old
				n.Rate, n.Frequency, n.SourceRef, n.CreatedBy, n.CreatedAt = o.Rate, o.Frequency, p.Name, by.Name, now
				replaced = append(replaced, n)
			default:
				res.Skipped++
			}
		}
		if len(conflicts) > 0 {
			return &ConflictError{Name: p.Name, Conflicts: conflicts}
		}
		if err := insert(ctx, tx, fresh); err != nil {
			return err
		}
		res.Imported, res.Replaced = len(fresh), len(replaced)
		for i, n := range replaced {
			if _, err := tx.NewUpdate().Model(&n).Column("rate_micro", "frequency", "source_ref", "created_by", "created_at").
				WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("replace exchange rate %d: %w", n.ID, err)
			}
			old := replacedFrom[i]
			if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "exchange_rate", EntityID: n.ID, Action: "update",
				Changes: []audit.Change{{Field: "frequency", Before: old.Frequency, After: n.Frequency},
					{Field: "rate", Before: old.Rate.String(), After: n.Rate.String()},
					{Field: "source_ref", Before: old.SourceRef, After: n.SourceRef}},
				Reason: "the day's own rate replaces an average dated the same day"}); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "exchange_rate_import", Action: "import",
			Changes: []audit.Change{{Field: "file", After: res.File}, {Field: "format", After: string(res.Format)},
				{Field: "currencies", After: strings.Join(res.Currencies, ", ")},
				{Field: "from", After: string(res.From)}, {Field: "to", After: string(res.To)},
				{Field: "imported", After: res.Imported}, {Field: "unchanged", After: res.Unchanged},
				{Field: "replaced", After: res.Replaced}, {Field: "skipped", After: res.Skipped}}})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// baseName drops any directory a client put in front of an uploaded file's
// name (some browsers send C:\Users\…\eurofxref.csv).
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name = strings.TrimSpace(name); name == "" {
		return "rates"
	}
	return name
}
