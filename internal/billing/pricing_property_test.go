package billing_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
)

// propertySeed is the seed of the random cases: fixed, so a failure
// reproduces; SAMLA_PROPERTY_SEED=<n> explores other cases.
func propertySeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(20250611)
	if s := os.Getenv("SAMLA_PROPERTY_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SAMLA_PROPERTY_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with SAMLA_PROPERTY_SEED=%d)", seed, seed)
	return seed
}

type countyID struct{ country, number string }

func (c countyID) String() string { return c.country + "-" + c.number }

var propCounties = []countyID{{"NO", "03"}, {"NO", "18"}, {"NO", "46"}, {"NO", "50"}, {"NO", "55"}, {"SE", "07"}, {"SE", "10"}}

// propCase is one random offer with its subscribers and registry, and the
// rate as an exact fraction (minor units per unit) for the oracle.
type propCase struct {
	o    billing.OfferPrice
	subs []billing.Payer
	reg  fakeRegistry
	rate *big.Rat
}

func (c propCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s, currency %s, flat %d, spec %s\n", c.o.Model, c.o.Currency, c.o.FlatMinor, c.o.Spec.JSON())
	opt := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatInt(*p, 10)
	}
	for _, p := range c.subs {
		fmt.Fprintf(&b, "  library %d in %s-%s fte %s pop %s students %s\n", p.LibraryID, p.Country, p.County, opt(p.FTE), opt(p.Population), opt(p.Students))
	}
	for _, k := range propCounties {
		cl, ok := c.reg.libs[k.String()]
		if _, known := c.reg.pop[k.String()]; !known && !ok && !slices.ContainsFunc(c.subs, func(p billing.Payer) bool { return p.Country == k.country && p.County == k.number }) {
			continue // not in play
		}
		fmt.Fprintf(&b, "  county %s population %d county library %v %d\n", k, c.reg.pop[k.String()], ok, cl.LibraryID)
	}
	return b.String()
}

func randOpt(r *rand.Rand, max int64) *int64 {
	switch r.IntN(20) {
	case 0, 1, 2:
		return nil
	case 3:
		return ptr(0)
	}
	return ptr(r.Int64N(max) + 1)
}

func genCase(r *rand.Rand) propCase {
	var c propCase
	// Counties in play, their populations and county libraries.
	pool := slices.Clone(propCounties)
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	pool = pool[:r.IntN(len(pool))+1]
	c.reg = fakeRegistry{pop: map[string]int64{}, libs: map[string]billing.Payer{}}

	n := r.IntN(30) + 1
	switch r.IntN(20) {
	case 0:
		n = 0
	case 1, 2:
		n = r.IntN(200) + 1
	}
	ids := map[int64]bool{}
	for len(c.subs) < n {
		id := r.Int64N(5000) + 1
		if ids[id] {
			continue
		}
		ids[id] = true
		k := pool[r.IntN(len(pool))]
		c.subs = append(c.subs, billing.Payer{
			LibraryID: id, Name: fmt.Sprintf("Library %d", id), Type: "public", Country: k.country, County: k.number,
			FTE: randOpt(r, 300), Population: randOpt(r, 800_000), Students: randOpt(r, 3_000),
		})
	}
	for i, k := range pool {
		if r.IntN(7) != 0 {
			c.reg.pop[k.String()] = r.Int64N(1_300_000) + 1
		}
		if r.IntN(4) != 0 {
			cl := billing.Payer{LibraryID: int64(100_000 + i), Name: "County library " + k.String(), Type: "county", Country: k.country, County: k.number}
			if r.IntN(2) == 0 { // sometimes the county library subscribes itself
				for _, p := range c.subs {
					if p.Country == k.country && p.County == k.number {
						cl = p
						break
					}
				}
			}
			c.reg.libs[k.String()] = cl
		}
	}

	c.o = billing.OfferPrice{OfferID: r.Int64N(1000) + 1, Currency: money.Currencies[r.IntN(len(money.Currencies))]}
	bases := []string{billing.BasisFTE, billing.BasisPopulation, billing.BasisStudents}
	switch m := r.IntN(10); {
	case m < 2:
		c.o.Model = billing.ModelFlat
		c.o.FlatMinor = r.Int64N(100_000_00)
	case m < 4:
		c.o.Model = billing.ModelTiers
		c.o.Spec.Basis = bases[r.IntN(3)]
		from := r.Int64N(3)
		k := r.IntN(5) + 1
		for i := 0; i < k; i++ {
			to := from + r.Int64N(r.Int64N(200_000)+1)
			b := billing.Band{From: from, To: to, PriceMinor: r.Int64N(100_000_00)}
			if i == k-1 && r.IntN(5) < 3 {
				b.To = 0
			}
			c.o.Spec.Bands = append(c.o.Spec.Bands, b)
			from = to + 1
		}
		r.Shuffle(k, func(i, j int) { c.o.Spec.Bands[i], c.o.Spec.Bands[j] = c.o.Spec.Bands[j], c.o.Spec.Bands[i] })
	case m < 6:
		c.o.Model = billing.ModelRate
		c.o.Spec.Basis = bases[r.IntN(3)]
		whole := r.Int64N([]int64{1, 10, 1000}[r.IntN(3)])
		decimals := r.IntN(7)
		frac := ""
		for range decimals {
			frac += strconv.Itoa(r.IntN(10))
		}
		s := strconv.FormatInt(whole, 10)
		if decimals > 0 {
			s += []string{".", ","}[r.IntN(2)] + frac
		}
		c.o.Spec.Rate = s
		num, _ := new(big.Int).SetString(strconv.FormatInt(whole, 10)+frac, 10)
		den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
		c.rate = new(big.Rat).SetFrac(num.Mul(num, big.NewInt(100)), den)
		if r.IntN(2) == 0 {
			c.o.Spec.MinMinor = ptr(r.Int64N(10_000_00))
		}
		if r.IntN(2) == 0 {
			lo := int64(0)
			if c.o.Spec.MinMinor != nil {
				lo = *c.o.Spec.MinMinor
			}
			c.o.Spec.MaxMinor = ptr(lo + r.Int64N(1_000_000_00))
		}
	default:
		c.o.Model = billing.ModelShared
		s := &c.o.Spec
		s.TotalMinor = r.Int64N(10_000_000_00) + 1
		if r.IntN(5) == 0 {
			s.TotalMinor = r.Int64N(50) + 1 // fewer øre than parties
		}
		s.Among = []string{billing.AmongLibraries, billing.AmongCounties}[r.IntN(2)]
		s.Key = []string{billing.KeyPopulation, billing.KeyEqual, billing.KeyFixed}[r.IntN(3)]
		if s.Among == billing.AmongCounties {
			s.CountyPays = []string{billing.CountyPaysLibraries, billing.CountyPaysCountyLibrary}[r.IntN(2)]
		}
		if s.Key == billing.KeyFixed {
			s.Fixed = map[string]int64{}
			var keys []string
			if s.Among == billing.AmongLibraries {
				for _, p := range c.subs {
					keys = append(keys, fmt.Sprintf("library:%d", p.LibraryID))
				}
			} else {
				for _, k := range pool {
					keys = append(keys, "county:"+k.String())
				}
			}
			for _, k := range keys {
				switch r.IntN(10) {
				case 0: // no share on file
				case 1:
					s.Fixed[k] = 0
				default:
					s.Fixed[k] = r.Int64N(1000) + 1
				}
			}
			s.Fixed["library:999999"] = 5 // a share of someone else never counts
		}
	}
	c.nearEdges(r)
	return c
}

// nearEdges moves some basis values onto band edges and some minimums and
// maximums onto computed amounts, where off-by-one mistakes live.
func (c *propCase) nearEdges(r *rand.Rand) {
	field := func(p *billing.Payer) **int64 {
		switch c.o.Spec.Basis {
		case billing.BasisFTE:
			return &p.FTE
		case billing.BasisPopulation:
			return &p.Population
		}
		return &p.Students
	}
	switch c.o.Model {
	case billing.ModelTiers:
		for i := range c.subs {
			if r.IntN(3) != 0 {
				continue
			}
			b := c.o.Spec.Bands[r.IntN(len(c.o.Spec.Bands))]
			edges := []int64{b.From, b.From - 1}
			if b.To != 0 {
				edges = append(edges, b.To, b.To+1)
			}
			if v := edges[r.IntN(len(edges))]; v >= 0 {
				*field(&c.subs[i]) = ptr(v)
			}
		}
	case billing.ModelRate:
		var amounts []int64
		for i := range c.subs {
			if v := *field(&c.subs[i]); v != nil {
				amounts = append(amounts, rateAmount(c.rate, *v))
			}
		}
		if len(amounts) == 0 || r.IntN(2) == 0 {
			return
		}
		pick := func() int64 { return max(0, amounts[r.IntN(len(amounts))]+r.Int64N(3)-1) }
		lo, hi := pick(), pick()
		if lo > hi {
			lo, hi = hi, lo
		}
		c.o.Spec.MinMinor, c.o.Spec.MaxMinor = nil, nil
		if r.IntN(3) != 0 {
			c.o.Spec.MinMinor = ptr(lo)
		}
		if r.IntN(3) != 0 {
			c.o.Spec.MaxMinor = ptr(hi)
		}
	}
}

// rateAmount is rate × value rounded half away from zero (both are
// non-negative, so floor(x + ½)).
func rateAmount(rate *big.Rat, v int64) int64 {
	x := new(big.Rat).Mul(rate, new(big.Rat).SetInt64(v))
	x.Add(x, big.NewRat(1, 2))
	return new(big.Int).Quo(x.Num(), x.Denom()).Int64()
}

// expectation is what the oracle says Price must return.
type expectation struct {
	charges map[int64]int64  // library → amount
	skips   map[int64]string // library → skip code
	// deficit is the part of a shared total nobody is charged: the shares
	// of counties whose county library should pay but none is on file.
	deficit int64
	// undetermined: no party has a positive weight, so the split has
	// nobody to pay; only coverage and a zero sum are asserted.
	undetermined bool
}

func (c propCase) expect(t *testing.T) expectation {
	t.Helper()
	e := expectation{charges: map[int64]int64{}, skips: map[int64]string{}}
	subs := slices.Clone(c.subs)
	sort.Slice(subs, func(i, j int) bool { return subs[i].LibraryID < subs[j].LibraryID })
	basis := func(p billing.Payer) *int64 {
		switch c.o.Spec.Basis {
		case billing.BasisFTE:
			return p.FTE
		case billing.BasisPopulation:
			return p.Population
		}
		return p.Students
	}
	switch c.o.Model {
	case billing.ModelFlat:
		for _, p := range subs {
			e.charges[p.LibraryID] = c.o.FlatMinor
		}
	case billing.ModelTiers:
		for _, p := range subs {
			v := basis(p)
			if v == nil {
				e.skips[p.LibraryID] = "billing.skip.no_basis"
				continue
			}
			e.skips[p.LibraryID] = "billing.skip.no_band"
			for _, b := range c.o.Spec.Bands {
				if *v >= b.From && (b.To == 0 || *v <= b.To) {
					delete(e.skips, p.LibraryID)
					e.charges[p.LibraryID] = b.PriceMinor
				}
			}
		}
	case billing.ModelRate:
		for _, p := range subs {
			v := basis(p)
			if v == nil {
				e.skips[p.LibraryID] = "billing.skip.no_basis"
				continue
			}
			amount := rateAmount(c.rate, *v)
			if m := c.o.Spec.MinMinor; m != nil && amount < *m {
				amount = *m
			}
			if m := c.o.Spec.MaxMinor; m != nil && amount > *m {
				amount = *m
			}
			e.charges[p.LibraryID] = amount
		}
	case billing.ModelShared:
		c.expectShared(t, subs, &e)
	}
	return e
}

func (c propCase) expectShared(t *testing.T, subs []billing.Payer, e *expectation) {
	t.Helper()
	s := c.o.Spec
	split := func(total int64, w []int64) []int64 {
		parts, err := money.Split(total, w)
		if err != nil {
			t.Fatalf("oracle split %d by %v: %v", total, w, err)
		}
		return parts
	}
	positive := func(w []int64) bool { return slices.ContainsFunc(w, func(x int64) bool { return x > 0 }) }

	if s.Among == billing.AmongLibraries {
		w := make([]int64, len(subs))
		for i, p := range subs {
			switch s.Key {
			case billing.KeyPopulation:
				if p.Population == nil {
					e.skips[p.LibraryID] = "billing.skip.no_basis"
				} else {
					w[i] = *p.Population
				}
			case billing.KeyEqual:
				w[i] = 1
			case billing.KeyFixed:
				f, ok := s.Fixed[fmt.Sprintf("library:%d", p.LibraryID)]
				if !ok {
					e.skips[p.LibraryID] = "billing.skip.no_fixed_share"
				}
				w[i] = f
			}
		}
		if !positive(w) {
			e.undetermined = true
			return
		}
		parts := split(s.TotalMinor, w)
		for i, p := range subs {
			if _, skipped := e.skips[p.LibraryID]; !skipped {
				e.charges[p.LibraryID] = parts[i]
			}
		}
		return
	}

	byCounty := map[countyID][]billing.Payer{}
	var counties []countyID
	for _, p := range subs {
		k := countyID{p.Country, p.County}
		if byCounty[k] == nil {
			counties = append(counties, k)
		}
		byCounty[k] = append(byCounty[k], p)
	}
	sort.Slice(counties, func(i, j int) bool { return counties[i].String() < counties[j].String() })
	w := make([]int64, len(counties))
	missing := make([]string, len(counties))
	for i, k := range counties {
		switch s.Key {
		case billing.KeyPopulation:
			w[i] = c.reg.pop[k.String()]
			if w[i] == 0 {
				missing[i] = "billing.skip.no_county_population"
			}
		case billing.KeyEqual:
			w[i] = 1
		case billing.KeyFixed:
			f, ok := s.Fixed["county:"+k.String()]
			if !ok {
				missing[i] = "billing.skip.no_fixed_share"
			}
			w[i] = f
		}
	}
	if !positive(w) {
		e.undetermined = true
		return
	}
	shares := split(s.TotalMinor, w)
	for i, k := range counties {
		members := byCounty[k]
		if missing[i] != "" {
			if shares[i] != 0 {
				t.Fatalf("oracle: county %s without a weight has share %d", k, shares[i])
			}
			for _, p := range members {
				e.skips[p.LibraryID] = missing[i]
			}
			continue
		}
		if s.CountyPays == billing.CountyPaysCountyLibrary {
			cl, ok := c.reg.libs[k.String()]
			if !ok {
				for _, p := range members {
					e.skips[p.LibraryID] = "billing.skip.no_county_library"
				}
				e.deficit += shares[i]
				continue
			}
			e.charges[cl.LibraryID] = shares[i]
			continue
		}
		inner := make([]int64, len(members))
		byPop := s.Key == billing.KeyPopulation
		for j, p := range members {
			inner[j] = 1
			if p.Population == nil || *p.Population <= 0 {
				byPop = false
			}
		}
		if byPop {
			for j, p := range members {
				inner[j] = *p.Population
			}
		}
		for j, a := range split(shares[i], inner) {
			e.charges[members[j].LibraryID] = a
		}
	}
}

// failures collects property violations by kind, keeping the first
// examples, so one run shows every kind of failure at once.
type failures struct {
	count    map[string]int
	examples map[string][]string
}

func (f *failures) add(kind string, k int, c propCase, format string, args ...any) {
	if f.count == nil {
		f.count, f.examples = map[string]int{}, map[string][]string{}
	}
	f.count[kind]++
	if len(f.examples[kind]) < 2 {
		desc := c.String()
		if len(desc) > 1500 {
			desc = desc[:1500] + "  …\n"
		}
		f.examples[kind] = append(f.examples[kind], fmt.Sprintf("case %d: %s\n%s", k, fmt.Sprintf(format, args...), desc))
	}
}

func TestPriceProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(propertySeed(t), 0x53414d4c41))
	const cases = 3000
	var f failures
	models := map[string]int{}
	for k := 0; k < cases; k++ {
		c := genCase(r)
		models[c.o.Model+"/"+c.o.Spec.Among+"/"+c.o.Spec.CountyPays]++
		cs, ss, err := billing.Price(c.o, c.subs, c.reg)
		if err != nil {
			f.add("Price returned an error for a valid model", k, c, "%v", err)
			continue
		}
		e := c.expect(t)

		// Nobody pays a negative amount.
		var sum int64
		for _, ch := range cs {
			if ch.Minor < 0 {
				f.add("negative charge", k, c, "library %d charged %d", ch.LibraryID, ch.Minor)
			}
			sum += ch.Minor
		}

		// Every subscriber appears exactly once: charged (or its county
		// library charged for its county) or skipped.
		got := map[int64]int64{}
		for _, ch := range cs {
			if _, dup := got[ch.LibraryID]; dup {
				f.add("library charged twice", k, c, "library %d", ch.LibraryID)
			}
			got[ch.LibraryID] = ch.Minor
		}
		gotSkips := map[int64]string{}
		for _, s := range ss {
			if _, dup := gotSkips[s.LibraryID]; dup {
				f.add("library skipped twice", k, c, "library %d", s.LibraryID)
			}
			gotSkips[s.LibraryID] = s.Code
			if s.OfferID != c.o.OfferID {
				f.add("skip names the wrong offer", k, c, "skip %+v", s)
			}
		}
		covered := map[int64]bool{}
		for id := range gotSkips {
			covered[id] = true
		}
		for id := range got {
			covered[id] = true
		}
		countyPaid := map[countyID]bool{}
		if c.o.Spec.CountyPays == billing.CountyPaysCountyLibrary && c.o.Model == billing.ModelShared && c.o.Spec.Among == billing.AmongCounties {
			for _, p := range c.subs {
				if cl, ok := c.reg.libs[countyID{p.Country, p.County}.String()]; ok && hasCharge(cs, cl.LibraryID) {
					countyPaid[countyID{p.Country, p.County}] = true
				}
			}
		}
		for _, p := range c.subs {
			_, charged := got[p.LibraryID]
			_, skipped := gotSkips[p.LibraryID]
			viaCounty := countyPaid[countyID{p.Country, p.County}]
			switch {
			case charged && skipped:
				f.add("subscriber both charged and skipped", k, c, "library %d", p.LibraryID)
			case !charged && !skipped && !viaCounty:
				f.add("subscriber neither charged nor skipped", k, c, "library %d; charges %v skips %v", p.LibraryID, got, gotSkips)
			case skipped && viaCounty:
				f.add("subscriber skipped though its county library pays", k, c, "library %d", p.LibraryID)
			}
		}

		// The amounts and skips are those of the documented rules.
		if e.undetermined {
			if sum != 0 {
				f.add("money charged though no party has a weight", k, c, "charges %v", got)
			}
		} else {
			if !reflect.DeepEqual(got, e.charges) {
				f.add("charges differ from the rules", k, c, "got %v\nwant %v", got, e.charges)
			}
			if !reflect.DeepEqual(gotSkips, e.skips) {
				f.add("skips differ from the rules", k, c, "got %v\nwant %v", gotSkips, e.skips)
			}
		}

		// A shared total is charged to the øre: all of it, less only the
		// shares of counties whose county library should pay but none is
		// on file. Parties skipped for a missing weight have weight zero,
		// so the others carry the whole total.
		if c.o.Model == billing.ModelShared && !e.undetermined {
			if sum != c.o.Spec.TotalMinor-e.deficit {
				f.add("shared charges do not add up", k, c, "Σ charges %d, total %d, deficit %d", sum, c.o.Spec.TotalMinor, e.deficit)
			}
			if len(ss) == 0 && sum != c.o.Spec.TotalMinor {
				f.add("shared charges without skips do not add up to the total", k, c, "Σ %d ≠ %d", sum, c.o.Spec.TotalMinor)
			}
		}

		// Each charge explains itself: the first step names the model and
		// the last step's amount is the charge.
		for _, ch := range cs {
			checkSteps(&f, k, c, ch)
		}

		// A re-run changes nothing, nor does the order of the subscribers.
		cs2, ss2, err2 := billing.Price(c.o, c.subs, c.reg)
		if err2 != nil || !reflect.DeepEqual(cs, cs2) || !reflect.DeepEqual(ss, ss2) {
			f.add("re-run differs", k, c, "%v", err2)
		}
		shuffled := slices.Clone(c.subs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		cs3, ss3, err3 := billing.Price(c.o, shuffled, c.reg)
		if err3 != nil || !reflect.DeepEqual(cs, cs3) || !reflect.DeepEqual(ss, ss3) {
			f.add("shuffled subscribers give a different result", k, c, "%v", err3)
		}
	}
	t.Logf("%d cases: %v", cases, models)
	kinds := make([]string, 0, len(f.count))
	for kind := range f.count {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		t.Errorf("%s: %d of %d cases; first:\n%s", kind, f.count[kind], cases, strings.Join(f.examples[kind], "\n"))
	}
}

func hasCharge(cs []billing.Charge, id int64) bool {
	return slices.ContainsFunc(cs, func(c billing.Charge) bool { return c.LibraryID == id })
}

func checkSteps(f *failures, k int, c propCase, ch billing.Charge) {
	if len(ch.Steps) == 0 {
		f.add("charge without steps", k, c, "library %d", ch.LibraryID)
		return
	}
	first := map[string]string{
		billing.ModelFlat:   "billing.step.flat",
		billing.ModelTiers:  "billing.step.tier",
		billing.ModelRate:   "billing.step.rate",
		billing.ModelShared: "billing.step.shared_total",
	}[c.o.Model]
	if ch.Steps[0].Code != first {
		f.add("first step names the wrong model", k, c, "library %d steps %v", ch.LibraryID, ch.Steps)
	}
	last := ch.Steps[len(ch.Steps)-1]
	var shown any
	for _, key := range []string{"price_minor", "amount_minor", "share_minor"} {
		if v, ok := last.Args[key]; ok {
			shown = v
		}
	}
	if last.Code == "billing.step.county_library_pays" {
		shown = ch.Steps[len(ch.Steps)-2].Args["share_minor"]
	}
	if shown != ch.Minor {
		f.add("the last step does not show the charge", k, c, "library %d charged %d, steps %v", ch.LibraryID, ch.Minor, ch.Steps)
	}
	for _, st := range ch.Steps {
		if cur, ok := st.Args["currency"]; ok && cur != c.o.Currency {
			f.add("step in the wrong currency", k, c, "step %v", st)
		}
	}
}
