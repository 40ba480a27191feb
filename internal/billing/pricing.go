// Package billing turns offers, subscriptions and the member registry into
// money: price models, cost sharing, currency conversion with markup,
// invoice runs with credit notes, vendor invoices, the consortium's own
// costs, deficits, and the economy report. Every amount is integer minor
// units; every split goes through money.Split (largest remainder), so the
// parts always add up to the total to the øre.
package billing

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// Price models of an offer.
const (
	ModelFlat   = "flat"   // one price per library (offers.price_minor)
	ModelTiers  = "tiers"  // a price per band of FTE, population or students
	ModelRate   = "rate"   // a rate per FTE/inhabitant/student, with optional minimum and maximum
	ModelShared = "shared" // a national or regional licence: one total split by a key
	ModelNone   = "none"   // not priced yet: cannot be invoiced
)

// Bases a tier or rate price is computed from.
const (
	BasisFTE        = "fte"
	BasisPopulation = "population"
	BasisStudents   = "students"
)

// Keys a shared total is split by.
const (
	KeyPopulation = "population"
	KeyEqual      = "equal"
	KeyFixed      = "fixed"
)

// Who shares a national licence, and who pays a county's share.
const (
	AmongLibraries = "libraries"
	AmongCounties  = "counties"

	CountyPaysLibraries     = "libraries"      // the county's share is split among its participating libraries
	CountyPaysCountyLibrary = "county_library" // the county library pays the county's share itself
)

// Band is one row of a tier table: From and To inclusive; To 0 means "and
// above".
type Band struct {
	From       int64 `json:"from"`
	To         int64 `json:"to,omitempty"`
	PriceMinor int64 `json:"price_minor"`
}

// PriceSpec is the parameters of an offer's price model, stored as JSON on
// the offer. The flat price itself stays in offers.price_minor.
type PriceSpec struct {
	Basis      string           `json:"basis,omitempty"`
	Bands      []Band           `json:"bands,omitempty"`
	Rate       string           `json:"rate,omitempty"` // major units per unit, a decimal: "0.35"
	MinMinor   *int64           `json:"min_minor,omitempty"`
	MaxMinor   *int64           `json:"max_minor,omitempty"`
	TotalMinor int64            `json:"total_minor,omitempty"`
	Among      string           `json:"among,omitempty"`
	Key        string           `json:"key,omitempty"`
	Fixed      map[string]int64 `json:"fixed,omitempty"` // "library:12" or "county:NO-46" → weight
	CountyPays string           `json:"county_pays,omitempty"`
}

// ParseSpec reads a stored spec; "" and "{}" are the empty spec.
func ParseSpec(s string) (PriceSpec, error) {
	var p PriceSpec
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("price spec: %w", err)
	}
	return p, nil
}

// JSON writes the spec for storage.
func (p PriceSpec) JSON() string {
	b, _ := json.Marshal(p) // a struct of plain fields always encodes
	return string(b)
}

// OfferPrice is an offer as pricing sees it.
type OfferPrice struct {
	OfferID    int64
	Model      string
	Currency   string
	FlatMinor  int64
	Spec       PriceSpec
	RateFactor *big.Rat // parsed Spec.Rate, minor units per unit; set by Check
}

// Payer is a library as pricing sees it.
type Payer struct {
	LibraryID  int64
	Name       string
	Type       string
	Country    string
	County     string
	FTE        *int64
	Population *int64
	Students   *int64
}

func (p Payer) basis(b string) *int64 {
	switch b {
	case BasisFTE:
		return p.FTE
	case BasisPopulation:
		return p.Population
	case BasisStudents:
		return p.Students
	}
	return nil
}

// Step is one step of how an amount was computed: a message code from the
// catalogue and its arguments. Arguments ending in "_minor" are amounts in
// the step's "currency"; they are formatted when shown.
type Step struct {
	Code string         `json:"code"`
	Args map[string]any `json:"args,omitempty"`
}

// Charge is what one library owes for one offer, in the offer's currency.
type Charge struct {
	LibraryID int64
	Minor     int64
	Steps     []Step
}

// Skip is a subscriber that could not be priced, and why.
type Skip struct {
	LibraryID int64  `json:"library_id"`
	OfferID   int64  `json:"offer_id"`
	Code      string `json:"code"`
	Detail    string `json:"detail,omitempty"`
}

// Registry answers what shared models need beyond the subscribers: the
// counties' populations and their county libraries.
type Registry interface {
	CountyPopulation(country, county string) int64
	CountyLibrary(country, county string) (Payer, bool)
}

// Check validates a price model and its parameters, naming each field that
// is wrong, and parses the rate.
func (o *OfferPrice) Check() error {
	var ps validate.List
	if !money.KnownCurrency(o.Currency) {
		ps.Addf("currency", "billing.price.currency", o.Currency, nil)
	}
	s := o.Spec
	switch o.Model {
	case ModelFlat:
		if o.FlatMinor < 0 {
			ps.Addf("price", "billing.price.negative", money.Plain(o.FlatMinor), nil)
		}
	case ModelTiers:
		checkBasis(&ps, s.Basis)
		if len(s.Bands) == 0 {
			ps.Addf("bands", "billing.price.no_bands", "", nil)
		}
		// Sorted by From to find overlaps and gaps; the field names the
		// band's row as entered.
		order := make([]int, len(s.Bands))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(i, j int) bool { return s.Bands[order[i]].From < s.Bands[order[j]].From })
		bands := make([]Band, len(order))
		for i, k := range order {
			bands[i] = s.Bands[k]
		}
		for i, b := range bands {
			field := fmt.Sprintf("bands[%d]", order[i])
			switch {
			case b.PriceMinor < 0:
				ps.Addf(field, "billing.price.negative", money.Plain(b.PriceMinor), nil)
			case b.From < 0 || (b.To != 0 && b.To < b.From):
				ps.Addf(field, "billing.price.band_range", fmt.Sprintf("%d–%d", b.From, b.To), nil)
			case i > 0 && (bands[i-1].To == 0 || bands[i-1].To >= b.From):
				ps.Addf(field, "billing.price.band_overlap", fmt.Sprintf("%d–%d", b.From, b.To), nil)
			case i > 0 && bands[i-1].To+1 != b.From:
				ps.Addf(field, "billing.price.band_gap", fmt.Sprintf("%d–%d", bands[i-1].To, b.From), nil)
			}
		}
	case ModelRate:
		checkBasis(&ps, s.Basis)
		r, ok := parseRate(s.Rate)
		if !ok {
			ps.Addf("rate", "billing.price.rate", s.Rate, nil)
		}
		o.RateFactor = r
		if s.MinMinor != nil && *s.MinMinor < 0 {
			ps.Addf("min", "billing.price.negative", money.Plain(*s.MinMinor), nil)
		}
		if s.MaxMinor != nil && *s.MaxMinor < 0 {
			ps.Addf("max", "billing.price.negative", money.Plain(*s.MaxMinor), nil)
		} else if s.MinMinor != nil && s.MaxMinor != nil && *s.MaxMinor < *s.MinMinor {
			ps.Addf("max", "billing.price.max_below_min", money.Plain(*s.MaxMinor), nil)
		}
	case ModelShared:
		if s.TotalMinor <= 0 {
			ps.Addf("total", "billing.price.total", money.Plain(s.TotalMinor), nil)
		}
		if s.Among != AmongLibraries && s.Among != AmongCounties {
			ps.Addf("among", "billing.price.among", s.Among, nil)
		}
		if s.Key != KeyPopulation && s.Key != KeyEqual && s.Key != KeyFixed {
			ps.Addf("key", "billing.price.key", s.Key, nil)
		}
		if s.Key == KeyFixed && len(s.Fixed) == 0 {
			ps.Addf("fixed", "billing.price.no_fixed", "", nil)
		}
		for k, w := range s.Fixed {
			if w < 0 {
				ps.Addf("fixed", "billing.price.negative", k, nil)
			}
		}
		if s.Among == AmongCounties && s.CountyPays != CountyPaysLibraries && s.CountyPays != CountyPaysCountyLibrary {
			ps.Addf("county_pays", "billing.price.county_pays", s.CountyPays, nil)
		}
	default:
		ps.Addf("price_model", "billing.price.model", o.Model, nil)
	}
	return ps.Err()
}

func checkBasis(ps *validate.List, b string) {
	if b != BasisFTE && b != BasisPopulation && b != BasisStudents {
		ps.Addf("basis", "billing.price.basis", b, nil)
	}
}

// parseRate reads a rate in major units per unit ("0.35", "1,2") as minor
// units per unit, exactly.
func parseRate(s string) (*big.Rat, bool) {
	neg, whole, frac, err := money.SplitDecimal(s, 6)
	if err != nil || neg || (whole == "" && frac == "") {
		return nil, false
	}
	if whole == "" {
		whole = "0"
	}
	r, ok := new(big.Rat).SetString(whole + "." + frac + "0")
	if !ok || r.Sign() < 0 {
		return nil, false
	}
	return r.Mul(r, big.NewRat(100, 1)), true
}

// Price computes what each subscriber owes for the offer, in the offer's
// currency. Subscribers that cannot be priced (no FTE for an FTE tier, no
// population for a population key) are returned as skips with the reason
// and pay nothing. In a shared licence the total is split among the parties
// that can be weighed, so the vendor's total is still met; the draft run
// lists the skipped ones so the registry can be fixed before approval. Only
// a county without a county library to pay its share leaves its share
// unbilled, which the economy report shows as a deficit.
// Subscribers are taken in LibraryID order, so the result is the same
// whatever order they come in.
func Price(o OfferPrice, subscribers []Payer, reg Registry) ([]Charge, []Skip, error) {
	if err := o.Check(); err != nil {
		return nil, nil, err
	}
	subs := append([]Payer(nil), subscribers...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].LibraryID < subs[j].LibraryID })
	cur := o.Currency
	var charges []Charge
	var skips []Skip
	skip := func(p Payer, code, detail string) {
		skips = append(skips, Skip{LibraryID: p.LibraryID, OfferID: o.OfferID, Code: code, Detail: detail})
	}
	switch o.Model {
	case ModelFlat:
		for _, p := range subs {
			charges = append(charges, Charge{p.LibraryID, o.FlatMinor, []Step{{"billing.step.flat", map[string]any{"price_minor": o.FlatMinor, "currency": cur}}}})
		}
	case ModelTiers:
		for _, p := range subs {
			v := p.basis(o.Spec.Basis)
			if v == nil {
				skip(p, "billing.skip.no_basis", o.Spec.Basis)
				continue
			}
			b, ok := findBand(o.Spec.Bands, *v)
			if !ok {
				skip(p, "billing.skip.no_band", strconv.FormatInt(*v, 10))
				continue
			}
			to := "∞"
			if b.To != 0 {
				to = strconv.FormatInt(b.To, 10)
			}
			charges = append(charges, Charge{p.LibraryID, b.PriceMinor, []Step{{"billing.step.tier", map[string]any{
				"basis": o.Spec.Basis, "value": *v, "from": b.From, "to": to, "price_minor": b.PriceMinor, "currency": cur}}}})
		}
	case ModelRate:
		for _, p := range subs {
			v := p.basis(o.Spec.Basis)
			if v == nil {
				skip(p, "billing.skip.no_basis", o.Spec.Basis)
				continue
			}
			exact := new(big.Rat).Mul(o.RateFactor, new(big.Rat).SetInt64(*v))
			q := money.DivRound(exact.Num(), exact.Denom())
			if !q.IsInt64() {
				return nil, nil, fmt.Errorf("offer %d, library %d: %s × %d overflows", o.OfferID, p.LibraryID, o.Spec.Rate, *v)
			}
			amount := q.Int64()
			steps := []Step{{"billing.step.rate", map[string]any{"basis": o.Spec.Basis, "value": *v, "rate": o.Spec.Rate, "amount_minor": amount, "currency": cur}}}
			if o.Spec.MinMinor != nil && amount < *o.Spec.MinMinor {
				amount = *o.Spec.MinMinor
				steps = append(steps, Step{"billing.step.minimum", map[string]any{"amount_minor": amount, "currency": cur}})
			}
			if o.Spec.MaxMinor != nil && amount > *o.Spec.MaxMinor {
				amount = *o.Spec.MaxMinor
				steps = append(steps, Step{"billing.step.maximum", map[string]any{"amount_minor": amount, "currency": cur}})
			}
			charges = append(charges, Charge{p.LibraryID, amount, steps})
		}
	case ModelShared:
		return priceShared(o, subs, reg)
	}
	return charges, skips, nil
}

func findBand(bands []Band, v int64) (Band, bool) {
	for _, b := range bands {
		if v >= b.From && (b.To == 0 || v <= b.To) {
			return b, true
		}
	}
	return Band{}, false
}

// priceShared splits a national or regional licence's total.
func priceShared(o OfferPrice, subs []Payer, reg Registry) ([]Charge, []Skip, error) {
	s, cur := o.Spec, o.Currency
	total := Step{"billing.step.shared_total", map[string]any{"total_minor": s.TotalMinor, "currency": cur, "among": s.Among, "key": s.Key}}
	if s.Among == AmongLibraries {
		parts := make([]Share, len(subs))
		for i, p := range subs {
			parts[i] = Share{Key: fmt.Sprintf("library:%d", p.LibraryID), Name: p.Name, LibraryID: p.LibraryID}
			parts[i].weigh(s.Key, s.Fixed, p.Population, "billing.skip.no_basis")
		}
		return splitShares(o.OfferID, s.TotalMinor, cur, total, parts, nil)
	}

	// Among counties: the counties with at least one participating library.
	type county struct{ country, number string }
	byCounty := map[county][]Payer{}
	var counties []county
	for _, p := range subs {
		c := county{p.Country, p.County}
		if _, ok := byCounty[c]; !ok {
			counties = append(counties, c)
		}
		byCounty[c] = append(byCounty[c], p)
	}
	sort.Slice(counties, func(i, j int) bool {
		if counties[i].country != counties[j].country {
			return counties[i].country < counties[j].country
		}
		return counties[i].number < counties[j].number
	})
	parts := make([]Share, len(counties))
	for i, c := range counties {
		parts[i] = Share{Key: "county:" + c.country + "-" + c.number, Name: c.country + "-" + c.number}
		parts[i].weigh(s.Key, s.Fixed, countyPopulation(reg, c.country, c.number), "billing.skip.no_county_population")
	}
	countyShares, err := money.Split(s.TotalMinor, weights(parts))
	if errors.Is(err, money.ErrNoWeights) {
		// Nobody to pay: every library is a skip, the whole total a deficit.
		var skips []Skip
		for i, c := range counties {
			code := parts[i].Missing
			if code == "" {
				code = "billing.skip.no_weight"
			}
			for _, p := range byCounty[c] {
				skips = append(skips, Skip{p.LibraryID, o.OfferID, code, parts[i].Name})
			}
		}
		return nil, skips, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("offer %d: split among counties: %w", o.OfferID, err)
	}
	var charges []Charge
	var skips []Skip
	for i, c := range counties {
		members := byCounty[c]
		step := Step{"billing.step.county_share", map[string]any{"county": parts[i].Name, "weight": parts[i].Weight, "sum": sumWeights(parts), "share_minor": countyShares[i], "currency": cur}}
		if parts[i].Missing != "" {
			for _, p := range members {
				skips = append(skips, Skip{p.LibraryID, o.OfferID, parts[i].Missing, parts[i].Name})
			}
			continue
		}
		if s.CountyPays == CountyPaysCountyLibrary {
			cl, ok := reg.CountyLibrary(c.country, c.number)
			if !ok {
				for _, p := range members {
					skips = append(skips, Skip{p.LibraryID, o.OfferID, "billing.skip.no_county_library", parts[i].Name})
				}
				continue
			}
			charges = append(charges, Charge{cl.LibraryID, countyShares[i], []Step{total, step, {"billing.step.county_library_pays", map[string]any{"library": cl.Name}}}})
			continue
		}
		// Within a county, by population when every library has one,
		// else in equal shares; the step says which.
		inner := make([]Share, len(members))
		byPop := s.Key == KeyPopulation
		for _, p := range members {
			if p.Population == nil || *p.Population <= 0 {
				byPop = false
			}
		}
		for j, p := range members {
			inner[j] = Share{Key: fmt.Sprintf("library:%d", p.LibraryID), Name: p.Name, LibraryID: p.LibraryID, Weight: 1}
			if byPop {
				inner[j].Weight = *p.Population
			}
		}
		cs, ss, err := splitShares(o.OfferID, countyShares[i], cur, step, inner, map[string]any{"by_population": byPop})
		if err != nil {
			return nil, nil, err
		}
		for k := range cs {
			cs[k].Steps = append([]Step{total}, cs[k].Steps...)
		}
		charges = append(charges, cs...)
		skips = append(skips, ss...)
	}
	return charges, skips, nil
}

// Share is one party in a split by key.
type Share struct {
	Key       string // "library:12", "county:NO-46"
	Name      string
	LibraryID int64 // who pays: the library, or the county library for a county
	Weight    int64
	Missing   string // why this party has no weight (a skip code), or ""
}

// weigh sets a share's weight by the key: its population (unknown is a
// skip with the code noPopulation), 1 for equal shares, or the fixed share
// entered for its Key (none entered is a skip).
func (sh *Share) weigh(key string, fixed map[string]int64, population *int64, noPopulation string) {
	switch key {
	case KeyPopulation:
		if population != nil {
			sh.Weight = *population
		} else {
			sh.Missing = noPopulation
		}
	case KeyEqual:
		sh.Weight = 1
	case KeyFixed:
		w, ok := fixed[sh.Key]
		sh.Weight = w
		if !ok {
			sh.Missing = "billing.skip.no_fixed_share"
		}
	}
}

// countyPopulation is a county's population from the registry, nil when
// unknown.
func countyPopulation(reg Registry, country, county string) *int64 {
	if n := reg.CountyPopulation(country, county); n > 0 {
		return &n
	}
	return nil
}

func weights(parts []Share) []int64 {
	w := make([]int64, len(parts))
	for i, p := range parts {
		if p.Missing == "" {
			w[i] = p.Weight
		}
	}
	return w
}

func sumWeights(parts []Share) int64 { return money.Sum(weights(parts)) }

// splitShares splits total among parts by weight (largest remainder) and
// makes a charge per part with its steps; parts with a missing weight are
// skipped and pay nothing.
func splitShares(offerID, total int64, cur string, first Step, parts []Share, extra map[string]any) ([]Charge, []Skip, error) {
	var skips []Skip
	for _, p := range parts {
		if p.Missing != "" {
			skips = append(skips, Skip{p.LibraryID, offerID, p.Missing, p.Name})
		}
	}
	w := weights(parts)
	amounts, err := money.Split(total, w)
	if errors.Is(err, money.ErrNoWeights) {
		// Nobody to pay: every party is a skip, the whole total a deficit.
		for _, p := range parts {
			if p.Missing == "" {
				skips = append(skips, Skip{p.LibraryID, offerID, "billing.skip.no_weight", p.Name})
			}
		}
		return nil, skips, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("offer %d: split: %w", offerID, err)
	}
	sum := money.Sum(w)
	var charges []Charge
	for i, p := range parts {
		if p.Missing != "" {
			continue
		}
		args := map[string]any{"weight": p.Weight, "sum": sum, "share_minor": amounts[i], "currency": cur}
		for k, v := range extra {
			args[k] = v
		}
		charges = append(charges, Charge{p.LibraryID, amounts[i], []Step{first, {"billing.step.share", args}}})
	}
	return charges, skips, nil
}
