package rates

import (
	"context"
	"fmt"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
)

// Quote is the rate a lookup found.
type Quote struct {
	Currency  string        `json:"currency"`
	Date      calendar.Date `json:"date"` // the day the rate is dated, on or before the day asked for
	Rate      money.Rate    `json:"rate_micro"`
	Frequency string        `json:"frequency,omitempty"`
	Source    string        `json:"source,omitempty"` // empty for the home currency
	SourceRef string        `json:"source_ref,omitempty"`
}

// sourceOrder ranks sources for ORDER BY in the order of Sources; CASE
// reads the same on SQLite and PostgreSQL.
const sourceOrder = "CASE source WHEN 'manual' THEN 0 WHEN 'norges-bank' THEN 1 ELSE 2 END"

// Lookup finds the rate of currency on a day: the rate with the latest
// date on or before on; on the same date a manual rate goes before Norges
// Bank's, and Norges Bank's before the ECB's (see Sources). Monthly and
// annual averages are dated the last day of their period, so they are
// found only once that period is over. Quote.Date says how old the rate
// is; it is up to the caller whether that is too old.
//
// The home currency is 1.000000 on every day, without a lookup. No rate
// gives an error wrapping ErrNoRate that names the currency and the day.
func (s *Service) Lookup(ctx context.Context, currency string, on calendar.Date) (Quote, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	day, err := calendar.Parse(string(on))
	if err != nil {
		return Quote{}, fmt.Errorf("exchange rate for %s: %w", currency, err)
	}
	if currency == Home {
		return Quote{Currency: Home, Date: day, Rate: money.RateScale}, nil
	}
	var r ExchangeRate
	err = s.DB.NewSelect().Model(&r).Where("currency = ?", currency).Where("rate_date <= ?", day).
		OrderExpr("rate_date DESC").OrderExpr(sourceOrder).Limit(1).Scan(ctx)
	if db.IsNoRows(err) {
		return Quote{}, fmt.Errorf("%w for %s on or before %s", ErrNoRate, currency, day)
	}
	if err != nil {
		return Quote{}, fmt.Errorf("look up exchange rate for %s on %s: %w", currency, day, err)
	}
	return Quote{Currency: r.Currency, Date: r.Date, Rate: r.Rate, Frequency: r.Frequency, Source: r.Source, SourceRef: r.SourceRef}, nil
}

// RateOn is Lookup in the shape billing.RateFunc wants: the rate and the
// day it is dated.
func (s *Service) RateOn(ctx context.Context, currency string, on calendar.Date) (money.Rate, calendar.Date, error) {
	q, err := s.Lookup(ctx, currency, on)
	return q.Rate, q.Date, err
}

// ListFilter selects stored rates for the page. Empty fields select all.
type ListFilter struct {
	Currency string
	Source   string
	From, To calendar.Date
	Limit    int // 0 means DefaultLimit; at most MaxLimit
}

// Limits of List.
const (
	DefaultLimit = 200
	MaxLimit     = 5000
)

// List returns stored rates, newest date first; on one date by currency,
// then in the order Lookup prefers the sources.
func (s *Service) List(ctx context.Context, f ListFilter) ([]ExchangeRate, error) {
	var out []ExchangeRate
	q := s.DB.NewSelect().Model(&out)
	if f.Currency != "" {
		q = q.Where("currency = ?", strings.ToUpper(f.Currency))
	}
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	if f.From != "" {
		q = q.Where("rate_date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("rate_date <= ?", f.To)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	if err := q.OrderExpr("rate_date DESC").OrderExpr("currency").OrderExpr(sourceOrder).OrderExpr("id").
		Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list exchange rates: %w", err)
	}
	return out, nil
}
