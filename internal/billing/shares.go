package billing

import (
	"context"
	"fmt"
	"sort"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/validate"
)

// Who shares a deficit or the consortium's costs. Counties are represented
// by their county library, which receives the county's invoice.
const (
	ScopeParticipating = "participating" // counties with libraries that subscribe to the agreement
	ScopeAll           = "all"           // every county with a county library in the registry
)

// countyParties lists the county libraries that share, in county order.
func countyParties(w *world, only map[string]bool) []*members.Library {
	var out []*members.Library
	for k, l := range w.countyLib {
		if only == nil || only[k] {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Country != out[j].Country {
			return out[i].Country < out[j].Country
		}
		return out[i].CountyNumber < out[j].CountyNumber
	})
	return out
}

// shareAmong splits total among county libraries by the run's key and
// makes a line per share, every step of the split on the line.
func (s *Service) shareAmong(w *world, st *Settings, run *Run, in RunInput, total int64, kind, keyPrefix string, first Step, parties []*members.Library, agreementID *int64) ([]pending, error) {
	if len(parties) == 0 {
		var ps validate.List
		ps.Addf("among", "billing.share.no_parties", "", nil)
		return nil, ps.Err()
	}
	shares := make([]Share, len(parties))
	var ps validate.List
	for i, l := range parties {
		ck := "county:" + l.Country + "-" + l.CountyNumber
		shares[i] = Share{Key: ck, Name: l.Name, LibraryID: l.ID}
		shares[i].weigh(in.Key, in.Fixed, countyPopulation(w, l.Country, l.CountyNumber), "billing.skip.no_county_population")
		if shares[i].Missing == "billing.skip.no_fixed_share" {
			ps.Addf("fixed", "billing.share.no_fixed", ck, map[string]any{"Library": l.Name})
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	charges, _, err := splitShares(0, total, run.Currency, first, shares, nil)
	if err != nil {
		return nil, err
	}
	if len(charges) == 0 {
		ps.Addf("key", "billing.share.no_weights", in.Key, nil)
		return nil, ps.Err()
	}
	cat, rate := st.ContributionVAT, int64(0)
	if !st.VATRegistered {
		cat = "O"
	}
	if cat == "S" {
		rate = 2500
	}
	var out []pending
	for _, c := range charges {
		lib := w.libraries[c.LibraryID]
		desc := s.Catalog.T(lang(lib.Country), "billing.line."+kind, map[string]any{"Year": run.Year, "Name": run.Name})
		l := Line{Kind: kind, LibraryID: &lib.ID, AgreementID: agreementID, Description: desc, AmountMinor: c.Minor,
			VATCategory: cat, VATRateBP: rate, SourceCurrency: run.Currency, SourceMinor: c.Minor,
			Computation: steps(c.Steps), SourceKey: fmt.Sprintf("%s:%d", keyPrefix, lib.ID)}
		out = append(out, pending{line: l, library: lib, sortKey: lib.Name})
	}
	return out, nil
}

// costLines shares the year's consortium costs among the funders.
func (s *Service) costLines(ctx context.Context, tx bun.IDB, w *world, st *Settings, run *Run, in RunInput) ([]pending, error) {
	var costs []Cost
	if err := tx.NewSelect().Model(&costs).Where("year = ?", run.Year).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load consortium costs %d: %w", run.Year, err)
	}
	var total int64
	for _, c := range costs {
		if c.Currency != run.Currency {
			var ps validate.List
			ps.Addf("currency", "billing.share.cost_currency", c.Currency, map[string]any{"Run": run.Currency, "Value": c.Currency})
			return nil, ps.Err()
		}
		total += c.AmountMinor
	}
	if total <= 0 {
		var ps validate.List
		ps.Addf("year", "billing.share.no_costs", fmt.Sprint(run.Year), nil)
		return nil, ps.Err()
	}
	first := Step{"billing.step.costs_total", map[string]any{"total_minor": total, "currency": run.Currency, "year": run.Year, "items": len(costs), "key": in.Key}}
	lines, err := s.shareAmong(w, st, run, in, total, LineCosts, fmt.Sprintf("costs:%d", run.Year), first, countyParties(w, nil), nil)
	if err != nil {
		return nil, err
	}
	return s.unbilled(ctx, tx, lines, fmt.Sprintf("costs:%d:", run.Year))
}

// deficitLines shares an agreement's deficit among the county libraries.
func (s *Service) deficitLines(ctx context.Context, tx bun.IDB, w *world, st *Settings, run *Run, in RunInput) ([]pending, error) {
	amount := int64(0)
	if in.AmountMinor != nil {
		amount = *in.AmountMinor
	} else {
		e, err := s.agreementEconomy(ctx, tx, st, *in.AgreementID, run.Year)
		if err != nil {
			return nil, err
		}
		amount = e.DeficitMinor - e.DeficitCoveredMinor
	}
	if amount <= 0 {
		var ps validate.List
		ps.Addf("amount", "billing.share.no_deficit", "", nil)
		return nil, ps.Err()
	}
	var only map[string]bool
	if in.Among != ScopeAll {
		only = map[string]bool{}
		var rows []struct {
			Country string `bun:"country"`
			County  string `bun:"county_number"`
		}
		err := tx.NewSelect().TableExpr("subscriptions AS s").Join("JOIN offers AS o ON o.id = s.offer_id").
			Join("JOIN libraries AS lib ON lib.id = s.library_id").ColumnExpr("DISTINCT lib.country, lib.county_number").
			Where("o.agreement_id = ?", *in.AgreementID).Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("load participating counties: %w", err)
		}
		for _, r := range rows {
			only[r.Country+"-"+r.County] = true
		}
	}
	first := Step{"billing.step.deficit_total", map[string]any{"total_minor": amount, "currency": run.Currency, "year": run.Year, "key": in.Key}}
	prefix := fmt.Sprintf("deficit:%d:%d", *in.AgreementID, run.Year)
	lines, err := s.shareAmong(w, st, run, in, amount, LineDeficit, prefix, first, countyParties(w, only), in.AgreementID)
	if err != nil {
		return nil, err
	}
	return s.unbilled(ctx, tx, lines, prefix+":")
}

// unbilled drops lines whose source is billed already; if all of them are,
// the share was invoiced before and must be credited first.
func (s *Service) unbilled(ctx context.Context, tx bun.IDB, lines []pending, prefix string) ([]pending, error) {
	billed, err := billedKeys(ctx, tx, prefix)
	if err != nil {
		return nil, err
	}
	if len(billed) > 0 {
		var ps validate.List
		ps.Addf("year", "billing.share.already_billed", prefix, nil)
		return nil, ps.Err()
	}
	return lines, nil
}
