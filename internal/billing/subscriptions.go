package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
)

// offerRow is an offer with what billing needs of its agreement and product.
type offerRow struct {
	ID          int64         `bun:"id"`
	AgreementID int64         `bun:"agreement_id"`
	ProductID   int64         `bun:"product_id"`
	PriceMinor  int64         `bun:"price_minor"`
	Currency    string        `bun:"currency"`
	PriceModel  string        `bun:"price_model"`
	PriceSpec   string        `bun:"price_spec"`
	VendorCost  *int64        `bun:"vendor_cost_minor"`
	Agreement   string        `bun:"agreement_name"`
	StartsOn    calendar.Date `bun:"starts_on"`
	EndsOn      calendar.Date `bun:"ends_on"`
	MarkupBP    int64         `bun:"markup_bp"`
	OrderRef    string        `bun:"procurement_ref"`
	Product     string        `bun:"product_name"`
	VATCategory string        `bun:"vat_category"`
	VATRateBP   int64         `bun:"vat_rate_bp"`
}

func (o offerRow) price() (OfferPrice, error) {
	spec, err := ParseSpec(o.PriceSpec)
	if err != nil {
		return OfferPrice{}, fmt.Errorf("offer %d: %w", o.ID, err)
	}
	return OfferPrice{OfferID: o.ID, Model: o.PriceModel, Currency: o.Currency, FlatMinor: o.PriceMinor, Spec: spec}, nil
}

func selectOffers(idb bun.IDB) *bun.SelectQuery {
	return idb.NewSelect().TableExpr("offers AS o").
		Join("JOIN agreements AS ag ON ag.id = o.agreement_id").
		Join("JOIN products AS p ON p.id = o.product_id").
		ColumnExpr("o.id, o.agreement_id, o.product_id, o.price_minor, o.currency, o.price_model, o.price_spec, o.vendor_cost_minor").
		ColumnExpr("ag.name AS agreement_name, ag.starts_on, ag.ends_on, ag.markup_bp, ag.procurement_ref").
		ColumnExpr("p.name AS product_name, p.vat_category, p.vat_rate_bp").
		OrderExpr("ag.starts_on, ag.name, p.name, o.id")
}

// subscriptionLines prices every subscription of the run's period (and
// agreement) that is not billed yet, converts it into the run's currency
// with the agreement's markup as its own line.
func (s *Service) subscriptionLines(ctx context.Context, tx bun.IDB, w *world, st *Settings, run *Run) ([]pending, []RunSkip, error) {
	var offers []offerRow
	q := selectOffers(tx).Where("ag.starts_on <= ? AND ag.ends_on >= ?", run.PeriodTo, run.PeriodFrom).
		Where("o.price_model <> ?", ModelNone)
	if run.AgreementID != nil {
		q = q.Where("o.agreement_id = ?", *run.AgreementID)
	}
	if err := q.Scan(ctx, &offers); err != nil {
		return nil, nil, fmt.Errorf("load offers: %w", err)
	}
	if len(offers) == 0 {
		return nil, nil, nil
	}
	ids := make([]int64, len(offers))
	for i, o := range offers {
		ids[i] = o.ID
	}
	var subs []struct {
		OfferID   int64 `bun:"offer_id"`
		LibraryID int64 `bun:"library_id"`
	}
	err := tx.NewSelect().Table("subscriptions").Column("offer_id", "library_id").
		Where("offer_id IN (?)", bun.In(ids)).
		Where("starts_on <= ? AND ends_on >= ?", run.PeriodTo, run.PeriodFrom).
		OrderExpr("offer_id, library_id").Scan(ctx, &subs)
	if err != nil {
		return nil, nil, fmt.Errorf("load subscriptions: %w", err)
	}
	byOffer := map[int64][]Payer{}
	for _, sb := range subs {
		if l, ok := w.libraries[sb.LibraryID]; ok {
			byOffer[sb.OfferID] = append(byOffer[sb.OfferID], payer(l))
		}
	}
	billed, err := billedKeys(ctx, tx, "sub:")
	if err != nil {
		return nil, nil, err
	}
	toRate, _, err := s.rate(ctx, run.Currency, run.RateDate, st)
	if err != nil {
		return nil, nil, err
	}
	var lines []pending
	var skips []RunSkip
	for _, o := range offers {
		if len(byOffer[o.ID]) == 0 {
			continue
		}
		op, err := o.price()
		if err != nil {
			return nil, nil, err
		}
		charges, sk, err := Price(op, byOffer[o.ID], w)
		if err != nil {
			return nil, nil, fmt.Errorf("offer %d (%s): %w", o.ID, o.Product, err)
		}
		for _, k := range sk {
			name := ""
			if l := w.libraries[k.LibraryID]; l != nil {
				name = l.Name
			}
			skips = append(skips, RunSkip{Skip: k, Library: name, Offer: o.Product + " – " + o.Agreement})
		}
		fromRate, fromDay, err := s.rate(ctx, o.Currency, run.RateDate, st)
		if err != nil {
			return nil, nil, err
		}
		converted, err := convertShares(o, charges, run, fromRate, toRate)
		if err != nil {
			return nil, nil, err
		}
		for i, c := range charges {
			key := fmt.Sprintf("sub:%d:%d", o.ID, c.LibraryID)
			if billed[key] {
				continue
			}
			lib := w.libraries[c.LibraryID]
			var conv *int64
			if converted != nil {
				conv = &converted[i]
			}
			ls, err := s.chargeLines(o, c, lib, run, st, key, fromRate, toRate, fromDay, conv)
			if err != nil {
				return nil, nil, err
			}
			lines = append(lines, ls...)
		}
	}
	return lines, skips, nil
}

// convertShares converts a shared licence's shares as one total: the
// total is converted once and split in the invoice currency by the shares
// (largest remainder), so the converted shares add up to the converted
// total to the øre, as the shares add up to the vendor's total. Prices per
// library are converted one by one; it returns nil for them.
func convertShares(o offerRow, charges []Charge, run *Run, fromRate, toRate money.Rate) ([]int64, error) {
	if o.PriceModel != ModelShared || o.Currency == run.Currency || len(charges) == 0 {
		return nil, nil
	}
	shares := make([]int64, len(charges))
	for i, c := range charges {
		shares[i] = c.Minor
	}
	total, err := money.ConvertBetween(money.Sum(shares), fromRate, toRate)
	if err != nil {
		return nil, fmt.Errorf("convert offer %d: %w", o.ID, err)
	}
	return money.Split(total, shares)
}

// chargeLines makes the subscription line of one charge and, when the
// price is in another currency than the invoice, the markup line.
// converted, when given, is the charge's part of its offer's converted
// total (convertShares).
func (s *Service) chargeLines(o offerRow, c Charge, lib *members.Library, run *Run, st *Settings, key string, fromRate, toRate money.Rate, rateDay calendar.Date, converted *int64) ([]pending, error) {
	lg := lang(lib.Country)
	ids := func(l *Line) {
		l.LibraryID, l.AgreementID, l.OfferID, l.ProductID = &lib.ID, &o.AgreementID, &o.ID, &o.ProductID
		l.VATCategory, l.VATRateBP = vat(o.VATCategory, o.VATRateBP, st)
	}
	desc := s.Catalog.T(lg, "billing.line.subscription", map[string]any{"Library": lib.Name, "Product": o.Product, "Agreement": o.Agreement})
	sub := Line{Kind: LineSubscription, Description: desc, SourceCurrency: o.Currency, SourceMinor: c.Minor, SourceKey: key}
	ids(&sub)
	ss := append([]Step(nil), c.Steps...)
	amount := c.Minor
	if o.Currency != run.Currency {
		code := "billing.step.convert"
		if converted != nil {
			amount, code = *converted, "billing.step.convert_share"
		} else {
			var err error
			amount, err = money.ConvertBetween(c.Minor, fromRate, toRate)
			if err != nil {
				return nil, fmt.Errorf("convert %s for %s: %w", o.Currency, lib.Name, err)
			}
		}
		r := int64(fromRate)
		sub.RateMicro, sub.RateDate = &r, rateDay
		ss = append(ss, Step{code, map[string]any{"from_minor": c.Minor, "from": o.Currency,
			"exchange_rate": fromRate.String(), "to_exchange_rate": toRate.String(), "home": st.HomeCurrency, "date": string(rateDay),
			"amount_minor": amount, "currency": run.Currency}})
	}
	sub.AmountMinor = amount
	sub.Computation = steps(ss)
	sortKey := lib.Name + "\x00" + o.Product + "\x00" + fmt.Sprint(o.ID)
	out := []pending{{line: sub, library: lib, sortKey: sortKey + "\x001"}}
	if o.Currency != run.Currency && o.MarkupBP > 0 {
		m, err := money.Percent(amount, o.MarkupBP)
		if err != nil {
			return nil, err
		}
		ml := Line{Kind: LineMarkup, AmountMinor: m, SourceCurrency: run.Currency, SourceMinor: amount, MarkupBP: o.MarkupBP,
			SourceKey:   "markup" + strings.TrimPrefix(key, "sub"),
			Description: s.Catalog.T(lg, "billing.line.markup", map[string]any{"Percent": money.PercentText(o.MarkupBP, lg), "Product": o.Product, "Library": lib.Name}),
			Computation: steps([]Step{{"billing.step.markup", map[string]any{"base_minor": amount, "percent": money.PercentText(o.MarkupBP, "en"), "amount_minor": m, "currency": run.Currency}}})}
		ids(&ml)
		out = append(out, pending{line: ml, library: lib, sortKey: sortKey + "\x002"})
	}
	return out, nil
}

// vat is a product's VAT as invoiced: a seller that is not VAT-registered
// charges none (category O).
func vat(category string, rateBP int64, st *Settings) (string, int64) {
	if !st.VATRegistered {
		return "O", 0
	}
	if category != "S" {
		return category, 0
	}
	return category, rateBP
}

// billedKeys are the source keys with the prefix that are billed now.
func billedKeys(ctx context.Context, idb bun.IDB, prefix string) (map[string]bool, error) {
	var keys []string
	err := idb.NewSelect().Table("invoice_lines").Column("source_key").
		Where("billed = ?", true).Where("source_key LIKE ?", prefix+"%").Scan(ctx, &keys)
	if err != nil {
		return nil, fmt.Errorf("load billed lines: %w", err)
	}
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m, nil
}
