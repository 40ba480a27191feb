package billing

import (
	"context"
	"fmt"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
)

// Economy is the money of one agreement period, in the home currency:
//
//	expected cost = the vendor's invoices at the rates libraries were charged
//	deficit       = expected cost − collected (what libraries paid, without markup)
//	currency gain = markup − (real cost − expected cost)
//	net           = collected + markup + deficit covered − real cost
//
// so a currency swing shows as gain or loss of the markup buffer, and a
// shortfall of paying members as a deficit, never mixed.
type Economy struct {
	AgreementID         int64   `json:"agreement_id"`
	Agreement           string  `json:"agreement"`
	Year                int     `json:"year"`
	Currency            string  `json:"currency"`
	VendorInvoices      int     `json:"vendor_invoices"`
	RealCostMinor       int64   `json:"real_cost_minor"`     // Σ vendor invoices in home currency, at the rate paid
	ExpectedCostMinor   int64   `json:"expected_cost_minor"` // the same at the rates used when invoicing libraries
	CostKnown           bool    `json:"cost_known"`          // false: no vendor invoice yet, costs are the offers' vendor totals
	HasCost             bool    `json:"has_cost"`            // false: neither a vendor invoice nor a vendor total, so no deficit or net can be told
	CollectedMinor      int64   `json:"collected_minor"`
	MarkupMinor         int64   `json:"markup_minor"`
	CurrencyResultMinor int64   `json:"currency_result_minor"`
	DeficitMinor        int64   `json:"deficit_minor"`
	DeficitCoveredMinor int64   `json:"deficit_covered_minor"`
	CoveredBy           []Payed `json:"covered_by,omitempty"`
	NetMinor            int64   `json:"net_minor"`
}

// Payed is a party and what it paid.
type Payed struct {
	Name  string `json:"name"`
	Minor int64  `json:"minor"`
}

// lineSum is an approved line (or credit) as the report reads it.
type lineSum struct {
	Kind        string `bun:"kind"`
	AmountMinor int64  `bun:"amount_minor"`
	Currency    string `bun:"currency"`
	HomeRate    *int64 `bun:"home_rate_micro"`
	SourceCur   string `bun:"source_currency"`
	RateMicro   *int64 `bun:"rate_micro"`
	LibraryID   *int64 `bun:"library_id"`
	Library     string `bun:"library_name"`
	Product     string `bun:"product_name"`
	AgreementID *int64 `bun:"agreement_id"`
	Year        int    `bun:"year"`
}

func (l lineSum) home(st *Settings) (int64, error) {
	if l.Currency == st.HomeCurrency || l.HomeRate == nil {
		return l.AmountMinor, nil
	}
	return money.Convert(l.AmountMinor, money.Rate(*l.HomeRate))
}

// yearExpr is the year a line belongs to: its run's, or for a credit note
// the run of the invoice it corrects.
const yearExpr = "COALESCE(r.year, cr.year, 0)"

// approvedLines are the lines of approved invoices and credit notes.
func approvedLines(idb bun.IDB) *bun.SelectQuery {
	return idb.NewSelect().TableExpr("invoice_lines AS l").
		Join("JOIN invoices AS i ON i.id = l.invoice_id").
		Join("LEFT JOIN libraries AS lib ON lib.id = l.library_id").
		Join("LEFT JOIN products AS p ON p.id = l.product_id").
		Join("LEFT JOIN invoice_runs AS r ON r.id = i.run_id").
		Join("LEFT JOIN invoices AS ci ON ci.id = i.credits_invoice_id").
		Join("LEFT JOIN invoice_runs AS cr ON cr.id = ci.run_id").
		ColumnExpr("l.kind, l.amount_minor, i.currency, i.home_rate_micro, l.source_currency, l.rate_micro, l.library_id, l.agreement_id").
		ColumnExpr("COALESCE(lib.name, '') AS library_name, COALESCE(p.name, '') AS product_name").
		ColumnExpr(yearExpr+" AS year").
		Where("i.status = ?", StatusApproved)
}

// AgreementEconomy reports one agreement period.
func (s *Service) AgreementEconomy(ctx context.Context, by auth.Actor, agreementID int64) (*Economy, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	return s.agreementEconomy(ctx, s.DB, st, agreementID, 0)
}

func (s *Service) agreementEconomy(ctx context.Context, idb bun.IDB, st *Settings, agreementID int64, _ int) (*Economy, error) {
	var ag struct {
		Name     string        `bun:"name"`
		StartsOn calendar.Date `bun:"starts_on"`
	}
	if err := idb.NewSelect().Table("agreements").Column("name", "starts_on").Where("id = ?", agreementID).Scan(ctx, &ag); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("load agreement %d: %w", agreementID, err)
	}
	e := &Economy{AgreementID: agreementID, Agreement: ag.Name, Currency: st.HomeCurrency}
	if len(ag.StartsOn) >= 4 {
		e.Year, _ = strconv.Atoi(string(ag.StartsOn)[:4])
	}
	var lines []lineSum
	if err := approvedLines(idb).Where("l.agreement_id = ?", agreementID).Scan(ctx, &lines); err != nil {
		return nil, fmt.Errorf("load lines of agreement %d: %w", agreementID, err)
	}
	charged := map[string]money.Rate{} // currency → rate used when charging libraries
	var covered sums[string]
	for _, l := range lines {
		h, err := l.home(st)
		if err != nil {
			return nil, err
		}
		switch l.Kind {
		case LineSubscription:
			e.CollectedMinor += h
			if l.RateMicro != nil {
				if _, ok := charged[l.SourceCur]; !ok {
					charged[l.SourceCur] = money.Rate(*l.RateMicro)
				}
			}
		case LineMarkup:
			e.MarkupMinor += h
		case LineDeficit:
			e.DeficitCoveredMinor += h
			covered.add(l.Library, h)
		}
	}
	e.CoveredBy = covered.payed()
	var vis []VendorInvoice
	if err := idb.NewSelect().Model(&vis).Where("agreement_id = ?", agreementID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load vendor invoices: %w", err)
	}
	e.VendorInvoices = len(vis)
	vendorTotals := false
	if len(vis) > 0 {
		e.CostKnown = true
		for _, v := range vis {
			e.RealCostMinor += v.HomeMinor
			r, ok := charged[v.Currency]
			if v.Currency == st.HomeCurrency {
				r, ok = money.RateScale, true
			}
			if !ok {
				r = money.Rate(v.RateMicro) // nothing was charged in this currency: no swing to measure
			}
			exp, err := money.Convert(v.AmountMinor, r)
			if err != nil {
				return nil, err
			}
			e.ExpectedCostMinor += exp
		}
	} else {
		// Before the vendor's invoice: the offers' vendor totals, at the
		// charged rate (or today's).
		var offers []offerRow
		if err := selectOffers(idb).Where("o.agreement_id = ?", agreementID).Scan(ctx, &offers); err != nil {
			return nil, fmt.Errorf("load offers: %w", err)
		}
		for _, o := range offers {
			if o.VendorCost == nil {
				continue
			}
			vendorTotals = true
			r, ok := charged[o.Currency]
			if !ok {
				var err error
				if r, _, err = s.rate(ctx, o.Currency, calendar.Today(s.now()), st); err != nil {
					return nil, err
				}
			}
			exp, err := money.Convert(*o.VendorCost, r)
			if err != nil {
				return nil, err
			}
			e.ExpectedCostMinor += exp
		}
		e.RealCostMinor = e.ExpectedCostMinor
	}
	e.HasCost = e.CostKnown || vendorTotals
	if !e.HasCost {
		// Unknown cost is not a cost of zero: no deficit or net to show,
		// and the markup is still all buffer.
		e.CurrencyResultMinor = e.MarkupMinor
		return e, nil
	}
	e.DeficitMinor = e.ExpectedCostMinor - e.CollectedMinor
	e.CurrencyResultMinor = e.MarkupMinor - (e.RealCostMinor - e.ExpectedCostMinor)
	e.NetMinor = e.CollectedMinor + e.MarkupMinor + e.DeficitCoveredMinor - e.RealCostMinor
	return e, nil
}

// Economies reports every agreement that starts in year.
func (s *Service) Economies(ctx context.Context, by auth.Actor, year int) ([]*Economy, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = s.DB.NewSelect().Table("agreements").Column("id").
		Where("starts_on >= ? AND starts_on <= ?", fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)).
		OrderExpr("name").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("load agreements %d: %w", year, err)
	}
	var out []*Economy
	for _, id := range ids {
		e, err := s.agreementEconomy(ctx, s.DB, st, id, year)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// CostsReport is a year's consortium costs and who paid them.
type CostsReport struct {
	Year     int     `json:"year"`
	Currency string  `json:"currency"`
	Items    []Cost  `json:"items"`
	Total    int64   `json:"total_minor"`
	Invoiced int64   `json:"invoiced_minor"`
	PaidBy   []Payed `json:"paid_by,omitempty"`
}

// Costs reports the consortium's own costs of a year.
func (s *Service) Costs(ctx context.Context, by auth.Actor, year int) (*CostsReport, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	r := &CostsReport{Year: year, Currency: st.HomeCurrency}
	if err := s.DB.NewSelect().Model(&r.Items).Where("year = ?", year).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load costs %d: %w", year, err)
	}
	for _, c := range r.Items {
		r.Total += c.AmountMinor
	}
	var lines []lineSum
	if err := approvedLines(s.DB).Where("l.kind = ?", LineCosts).Where(yearExpr+" = ?", year).Scan(ctx, &lines); err != nil {
		return nil, fmt.Errorf("load cost lines %d: %w", year, err)
	}
	var paid sums[string]
	for _, l := range lines {
		h, err := l.home(st)
		if err != nil {
			return nil, err
		}
		r.Invoiced += h
		paid.add(l.Library, h)
	}
	r.PaidBy = paid.payed()
	return r, nil
}

// LibraryCharge is what a library pays for one thing in one year.
type LibraryCharge struct {
	Year        int    `json:"year"`
	Kind        string `json:"kind"`
	Product     string `json:"product"`
	AmountMinor int64  `json:"amount_minor"`
}

// LibraryReport lists what a library pays for what, in year and the year
// before, net of credit notes, in the home currency. A library contact sees
// only its own library.
func (s *Service) LibraryReport(ctx context.Context, by auth.Actor, libraryID int64, year int) ([]LibraryCharge, error) {
	var lib struct {
		Country string `bun:"country"`
		County  string `bun:"county_number"`
	}
	if err := s.DB.NewSelect().Table("libraries").Column("country", "county_number").Where("id = ?", libraryID).Scan(ctx, &lib); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if by.Role == auth.RoleVendor || !by.Sees(libraryID, lib.Country, lib.County) {
		return nil, ErrForbidden
	}
	st, err := s.GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	var lines []lineSum
	if err := approvedLines(s.DB).Where("l.library_id = ?", libraryID).Where(yearExpr+" IN (?, ?)", year, year-1).Scan(ctx, &lines); err != nil {
		return nil, fmt.Errorf("load lines of library %d: %w", libraryID, err)
	}
	type k struct {
		year          int
		kind, product string
	}
	var sum sums[k]
	for _, l := range lines {
		h, err := l.home(st)
		if err != nil {
			return nil, err
		}
		sum.add(k{l.Year, l.Kind, l.Product}, h)
	}
	out := make([]LibraryCharge, 0, len(sum.order))
	for _, key := range sum.order {
		out = append(out, LibraryCharge{key.year, key.kind, key.product, sum.by[key]})
	}
	return out, nil
}

// sums adds amounts per key and keeps the keys in the order first seen,
// so reports list parties as their lines came.
type sums[K comparable] struct {
	order []K
	by    map[K]int64
}

func (s *sums[K]) add(k K, v int64) {
	if s.by == nil {
		s.by = map[K]int64{}
	}
	if _, ok := s.by[k]; !ok {
		s.order = append(s.order, k)
	}
	s.by[k] += v
}

// payed lists the sums per party name.
func (s *sums[K]) payed() []Payed {
	var out []Payed
	for _, k := range s.order {
		out = append(out, Payed{fmt.Sprint(k), s.by[k]})
	}
	return out
}
