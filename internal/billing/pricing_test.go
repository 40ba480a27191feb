package billing_test

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/validate"
)

func ptr(v int64) *int64 { return &v }

// fakeRegistry answers county populations and county libraries from maps
// keyed "NO-46".
type fakeRegistry struct {
	pop  map[string]int64
	libs map[string]billing.Payer
}

func (r fakeRegistry) CountyPopulation(country, county string) int64 {
	return r.pop[country+"-"+county]
}

func (r fakeRegistry) CountyLibrary(country, county string) (billing.Payer, bool) {
	p, ok := r.libs[country+"-"+county]
	return p, ok
}

func lib(id int64, county string) billing.Payer {
	return billing.Payer{LibraryID: id, Name: fmt.Sprintf("Library %d", id), Type: "public", Country: "NO", County: county}
}

func withFTE(p billing.Payer, v int64) billing.Payer        { p.FTE = ptr(v); return p }
func withPopulation(p billing.Payer, v int64) billing.Payer { p.Population = ptr(v); return p }
func withStudents(p billing.Payer, v int64) billing.Payer   { p.Students = ptr(v); return p }

// price runs Price and fails the test on an error.
func price(t *testing.T, o billing.OfferPrice, subs []billing.Payer, reg billing.Registry) ([]billing.Charge, []billing.Skip) {
	t.Helper()
	cs, ss, err := billing.Price(o, subs, reg)
	if err != nil {
		t.Fatalf("Price: %v", err)
	}
	return cs, ss
}

// amounts maps library → amount, failing on a library charged twice.
func amounts(t *testing.T, cs []billing.Charge) map[int64]int64 {
	t.Helper()
	m := map[int64]int64{}
	for _, c := range cs {
		if _, dup := m[c.LibraryID]; dup {
			t.Errorf("library %d charged twice", c.LibraryID)
		}
		m[c.LibraryID] = c.Minor
	}
	return m
}

// skipCodes maps library → skip code.
func skipCodes(t *testing.T, ss []billing.Skip) map[int64]string {
	t.Helper()
	m := map[int64]string{}
	for _, s := range ss {
		if _, dup := m[s.LibraryID]; dup {
			t.Errorf("library %d skipped twice", s.LibraryID)
		}
		m[s.LibraryID] = s.Code
	}
	return m
}

func stepCodes(c billing.Charge) []string {
	var s []string
	for _, st := range c.Steps {
		s = append(s, st.Code)
	}
	return s
}

func TestPriceFlat(t *testing.T) {
	o := billing.OfferPrice{OfferID: 7, Model: billing.ModelFlat, Currency: "NOK", FlatMinor: 12500_00}
	subs := []billing.Payer{lib(3, "46"), lib(1, "46"), lib(2, "03")}
	cs, ss := price(t, o, subs, nil)
	if len(ss) != 0 {
		t.Errorf("skips %v", ss)
	}
	if got := []int64{cs[0].LibraryID, cs[1].LibraryID, cs[2].LibraryID}; !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("charges in order %v; want by library ID", got)
	}
	for _, c := range cs {
		if c.Minor != 12500_00 {
			t.Errorf("library %d pays %d", c.LibraryID, c.Minor)
		}
		want := []billing.Step{{Code: "billing.step.flat", Args: map[string]any{"price_minor": int64(12500_00), "currency": "NOK"}}}
		if !reflect.DeepEqual(c.Steps, want) {
			t.Errorf("steps %#v", c.Steps)
		}
	}
	// A free product is a price too.
	o.FlatMinor = 0
	cs, _ = price(t, o, subs, nil)
	if len(cs) != 3 || cs[0].Minor != 0 {
		t.Errorf("free flat: %v", cs)
	}
	// No subscribers, no charges.
	cs, ss = price(t, o, nil, nil)
	if len(cs) != 0 || len(ss) != 0 {
		t.Errorf("no subscribers: %v %v", cs, ss)
	}
}

func TestPriceTiers(t *testing.T) {
	bands := []billing.Band{
		{From: 50, To: 0, PriceMinor: 50000_00}, // "50 and above", listed first on purpose
		{From: 0, To: 9, PriceMinor: 10000_00},
		{From: 10, To: 49, PriceMinor: 25000_00},
	}
	o := billing.OfferPrice{OfferID: 3, Model: billing.ModelTiers, Currency: "NOK", Spec: billing.PriceSpec{Basis: billing.BasisFTE, Bands: bands}}
	subs := []billing.Payer{
		withFTE(lib(1, "46"), 0),
		withFTE(lib(2, "46"), 9),  // upper edge inclusive
		withFTE(lib(3, "46"), 10), // lower edge inclusive
		withFTE(lib(4, "46"), 49),
		withFTE(lib(5, "46"), 50),
		withFTE(lib(6, "46"), 1_000_000), // and above
		withPopulation(lib(7, "46"), 20), // no FTE
		withFTE(lib(8, "46"), -1),        // below every band
	}
	cs, ss := price(t, o, subs, nil)
	want := map[int64]int64{1: 10000_00, 2: 10000_00, 3: 25000_00, 4: 25000_00, 5: 50000_00, 6: 50000_00}
	if got := amounts(t, cs); !reflect.DeepEqual(got, want) {
		t.Errorf("tiers: %v; want %v", got, want)
	}
	if got := skipCodes(t, ss); !reflect.DeepEqual(got, map[int64]string{7: "billing.skip.no_basis", 8: "billing.skip.no_band"}) {
		t.Errorf("skips %v", got)
	}
	for _, s := range ss {
		if s.OfferID != 3 {
			t.Errorf("skip %v: offer %d", s, s.OfferID)
		}
		if s.LibraryID == 7 && s.Detail != "fte" {
			t.Errorf("no_basis detail %q; want the basis", s.Detail)
		}
		if s.LibraryID == 8 && s.Detail != "-1" {
			t.Errorf("no_band detail %q; want the value", s.Detail)
		}
	}
	for _, c := range cs {
		st := c.Steps[0]
		if len(c.Steps) != 1 || st.Code != "billing.step.tier" {
			t.Fatalf("steps %v", c.Steps)
		}
		switch c.LibraryID {
		case 2:
			if st.Args["from"] != int64(0) || st.Args["to"] != "9" || st.Args["value"] != int64(9) || st.Args["basis"] != "fte" {
				t.Errorf("tier step %v", st.Args)
			}
		case 6:
			if st.Args["from"] != int64(50) || st.Args["to"] != "∞" || st.Args["price_minor"] != int64(50000_00) {
				t.Errorf("open tier step %v", st.Args)
			}
		}
	}

	// A table that starts above zero: a smaller library is in no band.
	o.Spec.Bands = []billing.Band{{From: 5, To: 9, PriceMinor: 100}, {From: 10, PriceMinor: 200}}
	cs, ss = price(t, o, []billing.Payer{withFTE(lib(1, "46"), 4), withFTE(lib(2, "46"), 5)}, nil)
	if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{2: 100}) {
		t.Errorf("charges %v", got)
	}
	if len(ss) != 1 || ss[0].Code != "billing.skip.no_band" || ss[0].Detail != "4" {
		t.Errorf("skips %v", ss)
	}

	// Each basis reads its own field.
	for basis, p := range map[string]billing.Payer{
		billing.BasisFTE:        withFTE(lib(1, "46"), 12),
		billing.BasisPopulation: withPopulation(lib(1, "46"), 12),
		billing.BasisStudents:   withStudents(lib(1, "46"), 12),
	} {
		o.Spec = billing.PriceSpec{Basis: basis, Bands: []billing.Band{{From: 0, To: 11, PriceMinor: 1}, {From: 12, PriceMinor: 2}}}
		cs, ss := price(t, o, []billing.Payer{p}, nil)
		if len(ss) != 0 || len(cs) != 1 || cs[0].Minor != 2 {
			t.Errorf("basis %s: %v %v", basis, cs, ss)
		}
		other := withFTE(withStudents(withPopulation(lib(2, "46"), 1), 1), 1)
		switch basis {
		case billing.BasisFTE:
			other.FTE = nil
		case billing.BasisPopulation:
			other.Population = nil
		case billing.BasisStudents:
			other.Students = nil
		}
		if _, ss, _ := billing.Price(o, []billing.Payer{other}, nil); len(ss) != 1 || ss[0].Code != "billing.skip.no_basis" || ss[0].Detail != basis {
			t.Errorf("basis %s missing: %v", basis, ss)
		}
	}
}

func TestPriceRate(t *testing.T) {
	o := billing.OfferPrice{OfferID: 4, Model: billing.ModelRate, Currency: "NOK",
		Spec: billing.PriceSpec{Basis: billing.BasisPopulation, Rate: "0.35"}}
	cs, ss := price(t, o, []billing.Payer{withPopulation(lib(1, "46"), 12_345), lib(2, "46")}, nil)
	// 12 345 × 0,35 NOK = 4 320,75 NOK exactly.
	if len(cs) != 1 || cs[0].Minor != 4320_75 {
		t.Fatalf("rate: %v; want 432075", cs)
	}
	wantStep := billing.Step{Code: "billing.step.rate", Args: map[string]any{
		"basis": "population", "value": int64(12_345), "rate": "0.35", "amount_minor": int64(4320_75), "currency": "NOK"}}
	if !reflect.DeepEqual(cs[0].Steps, []billing.Step{wantStep}) {
		t.Errorf("steps %#v", cs[0].Steps)
	}
	if len(ss) != 1 || ss[0].Code != "billing.skip.no_basis" || ss[0].LibraryID != 2 {
		t.Errorf("skips %v", ss)
	}

	// Half an øre rounds away from zero; less than half rounds down.
	for _, c := range []struct {
		rate  string
		value int64
		want  int64
	}{
		{"0.005", 1, 1},    // 0,5 øre → 1
		{"0.005", 3, 2},    // 1,5 øre → 2
		{"0.005", 2, 1},    // exactly 1 øre
		{"0.0125", 2, 3},   // 2,5 øre → 3
		{"0.004999", 1, 0}, // 0,4999 øre → 0
		{"0,35", 12_345, 4320_75},
		{"1 000,5", 2, 2001_00},
		{"0.123456", 1_000_000, 123456_00},
		{"0.000001", 1, 0},
		{"0.000001", 5000, 1}, // 0,5 øre
		{"0", 12_345, 0},
		{"12", 0, 0},
		{"3", 7, 21_00},
	} {
		o.Spec = billing.PriceSpec{Basis: billing.BasisFTE, Rate: c.rate}
		cs, _ := price(t, o, []billing.Payer{withFTE(lib(1, "46"), c.value)}, nil)
		if len(cs) != 1 || cs[0].Minor != c.want {
			t.Errorf("rate %s × %d = %v; want %d", c.rate, c.value, cs, c.want)
		}
	}

	// A minimum and a maximum clamp the amount and say so.
	o.Spec = billing.PriceSpec{Basis: billing.BasisPopulation, Rate: "0.35", MinMinor: ptr(5000_00), MaxMinor: ptr(20000_00)}
	subs := []billing.Payer{
		withPopulation(lib(1, "03"), 100),        // 35 NOK → minimum
		withPopulation(lib(2, "03"), 20_000),     // 7 000 NOK
		withPopulation(lib(3, "03"), 10_000_000), // 3,5 million → maximum
		withPopulation(lib(4, "03"), 14_286),     // 5 000,10 NOK: just above the minimum
		withPopulation(lib(5, "03"), 57_143),     // 20 000,05 NOK: just above the maximum
	}
	cs, _ = price(t, o, subs, nil)
	got := amounts(t, cs)
	want := map[int64]int64{1: 5000_00, 2: 7000_00, 3: 20000_00, 4: 5000_10, 5: 20000_00}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("min/max: %v; want %v", got, want)
	}
	wantCodes := map[int64][]string{
		1: {"billing.step.rate", "billing.step.minimum"},
		2: {"billing.step.rate"},
		3: {"billing.step.rate", "billing.step.maximum"},
		4: {"billing.step.rate"},
		5: {"billing.step.rate", "billing.step.maximum"},
	}
	for _, c := range cs {
		if !slices.Equal(stepCodes(c), wantCodes[c.LibraryID]) {
			t.Errorf("library %d steps %v; want %v", c.LibraryID, stepCodes(c), wantCodes[c.LibraryID])
		}
		if c.LibraryID == 1 && c.Steps[0].Args["amount_minor"] != int64(35_00) {
			t.Errorf("the rate step shows %v before the minimum; want 3500", c.Steps[0].Args["amount_minor"])
		}
	}
	// Min equal to max: everyone pays it.
	o.Spec = billing.PriceSpec{Basis: billing.BasisPopulation, Rate: "0.35", MinMinor: ptr(100), MaxMinor: ptr(100)}
	cs, _ = price(t, o, subs, nil)
	for _, c := range cs {
		if c.Minor != 100 {
			t.Errorf("min = max: library %d pays %d", c.LibraryID, c.Minor)
		}
	}
}

// An amount that does not fit int64 must not wrap around into a wrong (or
// negative) charge: it is an error, or at the least not a silent wrong number.
func TestPriceRateOverflow(t *testing.T) {
	o := billing.OfferPrice{OfferID: 4, Model: billing.ModelRate, Currency: "NOK",
		Spec: billing.PriceSpec{Basis: billing.BasisFTE, Rate: "1000000000000"}} // 10^12 NOK per FTE
	cs, _, err := billing.Price(o, []billing.Payer{withFTE(lib(1, "46"), 1_000_000)}, nil)
	if err != nil {
		return // refused: fine
	}
	exact := new(big.Int).Mul(big.NewInt(1_000_000_000_000_00), big.NewInt(1_000_000)) // 10^20 øre
	for _, c := range cs {
		if new(big.Int).SetInt64(c.Minor).Cmp(exact) != 0 {
			t.Errorf("10^12 NOK × 10^6 FTE charged %d øre; exact is %s (beyond int64): Price must return an error", c.Minor, exact)
		}
	}
}

func TestPriceSharedAmongLibraries(t *testing.T) {
	base := billing.OfferPrice{OfferID: 9, Model: billing.ModelShared, Currency: "NOK",
		Spec: billing.PriceSpec{TotalMinor: 1000_00, Among: billing.AmongLibraries}}

	t.Run("population", func(t *testing.T) {
		o := base
		o.Spec.Key = billing.KeyPopulation
		subs := []billing.Payer{withPopulation(lib(3, "03"), 700), withPopulation(lib(1, "46"), 100), withPopulation(lib(2, "46"), 200)}
		cs, ss := price(t, o, subs, nil)
		if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{1: 100_00, 2: 200_00, 3: 700_00}) || len(ss) != 0 {
			t.Errorf("by population: %v %v", got, ss)
		}
		for _, c := range cs {
			if !slices.Equal(stepCodes(c), []string{"billing.step.shared_total", "billing.step.share"}) {
				t.Errorf("steps %v", stepCodes(c))
			}
			if c.LibraryID == 2 {
				a := c.Steps[1].Args
				if a["weight"] != int64(200) || a["sum"] != int64(1000) || a["share_minor"] != int64(200_00) {
					t.Errorf("share step %v", a)
				}
			}
		}
		// A library without a population is skipped; the others share
		// the whole total between them (its weight is unknown, not zero).
		subs = append(subs, lib(4, "46"))
		cs, ss = price(t, o, subs, nil)
		if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{1: 100_00, 2: 200_00, 3: 700_00}) {
			t.Errorf("with a missing population: %v", got)
		}
		if got := skipCodes(t, ss); !reflect.DeepEqual(got, map[int64]string{4: "billing.skip.no_basis"}) {
			t.Errorf("skips %v", got)
		}
	})

	t.Run("equal", func(t *testing.T) {
		o := base
		o.Spec.Key = billing.KeyEqual
		o.Spec.TotalMinor = 100
		cs, ss := price(t, o, []billing.Payer{lib(30, "03"), lib(10, "03"), lib(20, "03")}, nil)
		// 100 øre among three: the lowest library ID takes the extra øre.
		if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{10: 34, 20: 33, 30: 33}) || len(ss) != 0 {
			t.Errorf("equal: %v %v", got, ss)
		}
	})

	t.Run("fixed", func(t *testing.T) {
		o := base
		o.Spec.Key = billing.KeyFixed
		o.Spec.Fixed = map[string]int64{"library:1": 1, "library:2": 3, "library:9": 100, "county:NO-46": 5}
		cs, ss := price(t, o, []billing.Payer{lib(1, "46"), lib(2, "46"), lib(3, "46")}, nil)
		if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{1: 250_00, 2: 750_00}) {
			t.Errorf("fixed: %v", got)
		}
		if got := skipCodes(t, ss); !reflect.DeepEqual(got, map[int64]string{3: "billing.skip.no_fixed_share"}) {
			t.Errorf("skips %v", got)
		}
		// A fixed share of zero pays nothing but is not a skip.
		o.Spec.Fixed["library:3"] = 0
		cs, ss = price(t, o, []billing.Payer{lib(1, "46"), lib(2, "46"), lib(3, "46")}, nil)
		if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{1: 250_00, 2: 750_00, 3: 0}) || len(ss) != 0 {
			t.Errorf("fixed with zero: %v %v", got, ss)
		}
	})

	t.Run("nobody has a weight", func(t *testing.T) {
		o := base
		o.Spec.Key = billing.KeyPopulation
		cs, ss := price(t, o, []billing.Payer{lib(1, "46"), lib(2, "46")}, nil)
		if len(cs) != 0 || !reflect.DeepEqual(skipCodes(t, ss), map[int64]string{1: "billing.skip.no_basis", 2: "billing.skip.no_basis"}) {
			t.Errorf("%v %v", cs, ss)
		}
		cs, ss = price(t, o, nil, nil)
		if len(cs) != 0 || len(ss) != 0 {
			t.Errorf("no subscribers: %v %v", cs, ss)
		}
	})
}

// Every subscriber must come back as a charge or a skip. When every weight
// is zero (population 0 on file; fixed shares of 0) the split has nobody to
// pay, and the libraries must be reported, not dropped.
func TestPriceSharedZeroWeightsAreNotLost(t *testing.T) {
	cases := map[string]billing.OfferPrice{
		"population 0": {OfferID: 9, Model: billing.ModelShared, Currency: "NOK",
			Spec: billing.PriceSpec{TotalMinor: 1000_00, Among: billing.AmongLibraries, Key: billing.KeyPopulation}},
		"fixed 0": {OfferID: 9, Model: billing.ModelShared, Currency: "NOK",
			Spec: billing.PriceSpec{TotalMinor: 1000_00, Among: billing.AmongLibraries, Key: billing.KeyFixed,
				Fixed: map[string]int64{"library:1": 0, "library:2": 0}}},
	}
	for name, o := range cases {
		subs := []billing.Payer{withPopulation(lib(1, "46"), 0), withPopulation(lib(2, "46"), 0)}
		cs, ss, err := billing.Price(o, subs, nil)
		if err != nil {
			continue // refusing the split outright is also honest
		}
		seen := map[int64]int{}
		for _, c := range cs {
			seen[c.LibraryID]++
		}
		for _, s := range ss {
			seen[s.LibraryID]++
		}
		for _, p := range subs {
			if seen[p.LibraryID] != 1 {
				t.Errorf("%s: library %d appears %d times among charges %v and skips %v; want exactly once", name, p.LibraryID, seen[p.LibraryID], cs, ss)
			}
		}
	}
}

func countyRegistry() fakeRegistry {
	return fakeRegistry{
		pop: map[string]int64{"NO-03": 600, "NO-46": 300, "NO-50": 100},
		libs: map[string]billing.Payer{
			"NO-03": lib(20, "03"),  // a subscriber itself
			"NO-46": lib(100, "46"), // not a subscriber
			// NO-50 has no county library
		},
	}
}

func countySubscribers() []billing.Payer {
	return []billing.Payer{
		withPopulation(lib(11, "46"), 100),
		withPopulation(lib(10, "46"), 200),
		lib(20, "03"),
		withPopulation(lib(30, "50"), 1),
		withPopulation(lib(31, "50"), 1),
		withPopulation(lib(32, "50"), 1),
	}
}

func TestPriceSharedAmongCounties(t *testing.T) {
	reg := countyRegistry()
	o := billing.OfferPrice{OfferID: 5, Model: billing.ModelShared, Currency: "NOK",
		Spec: billing.PriceSpec{TotalMinor: 1000_00, Among: billing.AmongCounties, Key: billing.KeyPopulation, CountyPays: billing.CountyPaysLibraries}}

	t.Run("libraries pay", func(t *testing.T) {
		cs, ss := price(t, o, countySubscribers(), reg)
		// Counties 600:300:100 → 600, 300, 100 NOK. In NO-46 by population
		// 200:100; NO-03 has one library; NO-50 three equal populations.
		want := map[int64]int64{10: 200_00, 11: 100_00, 20: 600_00, 30: 33_34, 31: 33_33, 32: 33_33}
		if got := amounts(t, cs); !reflect.DeepEqual(got, want) || len(ss) != 0 {
			t.Errorf("%v %v; want %v", got, ss, want)
		}
		for _, c := range cs {
			if !slices.Equal(stepCodes(c), []string{"billing.step.shared_total", "billing.step.county_share", "billing.step.share"}) {
				t.Errorf("library %d steps %v", c.LibraryID, stepCodes(c))
			}
			cshare := c.Steps[1].Args
			share := c.Steps[2].Args
			switch c.LibraryID {
			case 10:
				if cshare["county"] != "NO-46" || cshare["share_minor"] != int64(300_00) || cshare["weight"] != int64(300) || cshare["sum"] != int64(1000) {
					t.Errorf("county step %v", cshare)
				}
				if share["by_population"] != true || share["weight"] != int64(200) || share["sum"] != int64(300) {
					t.Errorf("share step %v", share)
				}
			case 20:
				// Its population is missing, so equal shares inside the county.
				if share["by_population"] != false {
					t.Errorf("share step %v", share)
				}
			}
		}
	})

	t.Run("one library without population makes the county equal", func(t *testing.T) {
		subs := countySubscribers()
		subs[0].Population = nil // library 11 in NO-46
		cs, _ := price(t, o, subs, reg)
		got := amounts(t, cs)
		if got[10] != 150_00 || got[11] != 150_00 {
			t.Errorf("NO-46 split %d/%d; want 15000/15000", got[10], got[11])
		}
	})

	t.Run("equal key", func(t *testing.T) {
		o := o
		o.Spec.Key = billing.KeyEqual
		cs, _ := price(t, o, countySubscribers(), reg)
		got := amounts(t, cs)
		// Three counties: 333,34 to NO-03 (first by county number), 333,33 each else.
		if got[20] != 333_34 || got[10]+got[11] != 333_33 || got[30]+got[31]+got[32] != 333_33 {
			t.Errorf("equal among counties: %v", got)
		}
		// Inside a county the key is not population: equal shares.
		if got[10] != 166_67 || got[11] != 166_66 {
			t.Errorf("NO-46 inner split %d/%d", got[10], got[11])
		}
	})

	t.Run("fixed key", func(t *testing.T) {
		o := o
		o.Spec.Key = billing.KeyFixed
		o.Spec.Fixed = map[string]int64{"county:NO-03": 1, "county:NO-46": 1}
		cs, ss := price(t, o, countySubscribers(), reg)
		got := amounts(t, cs)
		if got[20] != 500_00 || got[10]+got[11] != 500_00 {
			t.Errorf("fixed among counties: %v", got)
		}
		if !reflect.DeepEqual(skipCodes(t, ss), map[int64]string{30: "billing.skip.no_fixed_share", 31: "billing.skip.no_fixed_share", 32: "billing.skip.no_fixed_share"}) {
			t.Errorf("skips %v", ss)
		}
		for _, s := range ss {
			if s.Detail != "NO-50" {
				t.Errorf("skip detail %q; want the county", s.Detail)
			}
		}
	})

	t.Run("county without population", func(t *testing.T) {
		reg := countyRegistry()
		delete(reg.pop, "NO-50")
		cs, ss := price(t, o, countySubscribers(), reg)
		got := amounts(t, cs)
		// NO-03 and NO-46 share the whole total 600:300.
		if got[20] != 666_67 || got[10]+got[11] != 333_33 {
			t.Errorf("%v", got)
		}
		if !reflect.DeepEqual(skipCodes(t, ss), map[int64]string{30: "billing.skip.no_county_population", 31: "billing.skip.no_county_population", 32: "billing.skip.no_county_population"}) {
			t.Errorf("skips %v", ss)
		}
	})

	t.Run("county library pays", func(t *testing.T) {
		o := o
		o.Spec.CountyPays = billing.CountyPaysCountyLibrary
		cs, ss := price(t, o, countySubscribers(), reg)
		// NO-03's county library (20) pays 600; NO-46's county library (100,
		// not a subscriber) pays 300; NO-50 has none: its libraries are
		// skipped and its 100 NOK is not charged to anyone.
		if got := amounts(t, cs); !reflect.DeepEqual(got, map[int64]int64{20: 600_00, 100: 300_00}) {
			t.Errorf("county library pays: %v", got)
		}
		if !reflect.DeepEqual(skipCodes(t, ss), map[int64]string{30: "billing.skip.no_county_library", 31: "billing.skip.no_county_library", 32: "billing.skip.no_county_library"}) {
			t.Errorf("skips %v", ss)
		}
		for _, c := range cs {
			if !slices.Equal(stepCodes(c), []string{"billing.step.shared_total", "billing.step.county_share", "billing.step.county_library_pays"}) {
				t.Errorf("steps %v", stepCodes(c))
			}
			if c.LibraryID == 100 && c.Steps[2].Args["library"] != "Library 100" {
				t.Errorf("pays step %v", c.Steps[2].Args)
			}
		}
	})
}

// A shared licence among counties with no subscribers yet, or whose counties
// all lack a weight, prices to nothing (skips), like the split among
// libraries does — it is not an error that stops a whole invoice run.
func TestPriceSharedAmongCountiesNobodyToPay(t *testing.T) {
	o := billing.OfferPrice{OfferID: 5, Model: billing.ModelShared, Currency: "NOK",
		Spec: billing.PriceSpec{TotalMinor: 1000_00, Among: billing.AmongCounties, Key: billing.KeyPopulation, CountyPays: billing.CountyPaysLibraries}}
	if cs, ss, err := billing.Price(o, nil, countyRegistry()); err != nil || len(cs) != 0 || len(ss) != 0 {
		t.Errorf("no subscribers: %v %v %v; want nothing and no error", cs, ss, err)
	}
	empty := fakeRegistry{}
	subs := countySubscribers()
	cs, ss, err := billing.Price(o, subs, empty)
	if err != nil {
		t.Fatalf("no county has a population: %v; want every library skipped", err)
	}
	if len(cs) != 0 || len(ss) != len(subs) {
		t.Errorf("no county has a population: %v %v", cs, ss)
	}
	for _, s := range ss {
		if s.Code != "billing.skip.no_county_population" {
			t.Errorf("skip %v", s)
		}
	}
}

type wantProblem struct{ field, code string }

func problems(err error) []wantProblem {
	var inv *validate.Invalid
	if !errors.As(err, &inv) {
		return nil
	}
	var ps []wantProblem
	for _, p := range inv.Problems {
		ps = append(ps, wantProblem{p.Field, p.Code})
	}
	return ps
}

func TestCheck(t *testing.T) {
	tiers := func(basis string, bands ...billing.Band) billing.OfferPrice {
		return billing.OfferPrice{Model: billing.ModelTiers, Currency: "NOK", Spec: billing.PriceSpec{Basis: basis, Bands: bands}}
	}
	rate := func(r string, min, max *int64) billing.OfferPrice {
		return billing.OfferPrice{Model: billing.ModelRate, Currency: "NOK", Spec: billing.PriceSpec{Basis: billing.BasisFTE, Rate: r, MinMinor: min, MaxMinor: max}}
	}
	shared := func(total int64, among, key, pays string, fixed map[string]int64) billing.OfferPrice {
		return billing.OfferPrice{Model: billing.ModelShared, Currency: "NOK", Spec: billing.PriceSpec{TotalMinor: total, Among: among, Key: key, CountyPays: pays, Fixed: fixed}}
	}
	cases := []struct {
		name string
		o    billing.OfferPrice
		want []wantProblem // nil: valid
	}{
		{"flat", billing.OfferPrice{Model: billing.ModelFlat, Currency: "NOK", FlatMinor: 100}, nil},
		{"flat free", billing.OfferPrice{Model: billing.ModelFlat, Currency: "SEK"}, nil},
		{"flat negative", billing.OfferPrice{Model: billing.ModelFlat, Currency: "NOK", FlatMinor: -1}, []wantProblem{{"price", "billing.price.negative"}}},
		{"currency", billing.OfferPrice{Model: billing.ModelFlat, Currency: "XYZ"}, []wantProblem{{"currency", "billing.price.currency"}}},
		{"no currency", billing.OfferPrice{Model: billing.ModelFlat}, []wantProblem{{"currency", "billing.price.currency"}}},
		{"model none", billing.OfferPrice{Model: billing.ModelNone, Currency: "NOK"}, []wantProblem{{"price_model", "billing.price.model"}}},
		{"model empty", billing.OfferPrice{Currency: "NOK"}, []wantProblem{{"price_model", "billing.price.model"}}},
		{"model unknown", billing.OfferPrice{Model: "auction", Currency: "NOK"}, []wantProblem{{"price_model", "billing.price.model"}}},

		{"tiers", tiers(billing.BasisFTE, billing.Band{From: 0, To: 9, PriceMinor: 1}, billing.Band{From: 10, PriceMinor: 2}), nil},
		{"tiers unordered", tiers(billing.BasisStudents, billing.Band{From: 10, PriceMinor: 2}, billing.Band{From: 0, To: 9, PriceMinor: 1}), nil},
		{"tiers closed top", tiers(billing.BasisPopulation, billing.Band{From: 1, To: 9, PriceMinor: 1}), nil},
		{"tiers bad basis", tiers("inhabitants", billing.Band{From: 0, PriceMinor: 1}), []wantProblem{{"basis", "billing.price.basis"}}},
		{"tiers no basis", tiers("", billing.Band{From: 0, PriceMinor: 1}), []wantProblem{{"basis", "billing.price.basis"}}},
		{"tiers no bands", tiers(billing.BasisFTE), []wantProblem{{"bands", "billing.price.no_bands"}}},
		{"tiers overlap", tiers(billing.BasisFTE, billing.Band{From: 0, To: 10, PriceMinor: 1}, billing.Band{From: 10, PriceMinor: 2}),
			[]wantProblem{{"bands[1]", "billing.price.band_overlap"}}},
		{"tiers overlap after open band", tiers(billing.BasisFTE, billing.Band{From: 0, PriceMinor: 1}, billing.Band{From: 10, To: 20, PriceMinor: 2}),
			[]wantProblem{{"bands[1]", "billing.price.band_overlap"}}},
		{"tiers same start", tiers(billing.BasisFTE, billing.Band{From: 0, To: 5, PriceMinor: 1}, billing.Band{From: 0, To: 9, PriceMinor: 2}),
			[]wantProblem{{"bands[1]", "billing.price.band_overlap"}}},
		{"tiers gap", tiers(billing.BasisFTE, billing.Band{From: 0, To: 9, PriceMinor: 1}, billing.Band{From: 11, PriceMinor: 2}),
			[]wantProblem{{"bands[1]", "billing.price.band_gap"}}},
		{"tiers reversed band", tiers(billing.BasisFTE, billing.Band{From: 10, To: 5, PriceMinor: 1}),
			[]wantProblem{{"bands[0]", "billing.price.band_range"}}},
		{"tiers negative from", tiers(billing.BasisFTE, billing.Band{From: -5, To: 5, PriceMinor: 1}),
			[]wantProblem{{"bands[0]", "billing.price.band_range"}}},
		{"tiers negative price", tiers(billing.BasisFTE, billing.Band{From: 0, To: 9, PriceMinor: 1}, billing.Band{From: 10, PriceMinor: -2}),
			[]wantProblem{{"bands[1]", "billing.price.negative"}}},
		// The field names the band as the user entered it, not its place
		// after sorting: the bad band is the first one given.
		{"tiers field names the entered row", tiers(billing.BasisFTE, billing.Band{From: 10, PriceMinor: -2}, billing.Band{From: 0, To: 9, PriceMinor: 1}),
			[]wantProblem{{"bands[0]", "billing.price.negative"}}},

		{"rate", rate("0.35", nil, nil), nil},
		{"rate comma", rate("0,35", ptr(0), ptr(0)), nil},
		{"rate six decimals", rate("0.123456", nil, nil), nil},
		{"rate min max", rate("1", ptr(100), ptr(200)), nil},
		{"rate bad", rate("abc", nil, nil), []wantProblem{{"rate", "billing.price.rate"}}},
		{"rate empty", rate("", nil, nil), []wantProblem{{"rate", "billing.price.rate"}}},
		{"rate negative", rate("-0.35", nil, nil), []wantProblem{{"rate", "billing.price.rate"}}},
		{"rate seven decimals", rate("0.1234567", nil, nil), []wantProblem{{"rate", "billing.price.rate"}}},
		{"rate two separators", rate("1.2.3", nil, nil), []wantProblem{{"rate", "billing.price.rate"}}},
		{"rate bad basis", billing.OfferPrice{Model: billing.ModelRate, Currency: "NOK", Spec: billing.PriceSpec{Basis: "area", Rate: "1"}},
			[]wantProblem{{"basis", "billing.price.basis"}}},
		{"rate negative min", rate("1", ptr(-1), nil), []wantProblem{{"min", "billing.price.negative"}}},
		{"rate max below min", rate("1", ptr(200), ptr(100)), []wantProblem{{"max", "billing.price.max_below_min"}}},
		// A negative maximum with no minimum makes every charge negative.
		{"rate negative max", rate("1", nil, ptr(-100)), []wantProblem{{"max", "billing.price.negative"}}},

		{"shared", shared(100, billing.AmongLibraries, billing.KeyEqual, "", nil), nil},
		{"shared counties", shared(100, billing.AmongCounties, billing.KeyPopulation, billing.CountyPaysCountyLibrary, nil), nil},
		{"shared fixed", shared(100, billing.AmongCounties, billing.KeyFixed, billing.CountyPaysLibraries, map[string]int64{"county:NO-46": 0}), nil},
		{"shared zero total", shared(0, billing.AmongLibraries, billing.KeyEqual, "", nil), []wantProblem{{"total", "billing.price.total"}}},
		{"shared negative total", shared(-100, billing.AmongLibraries, billing.KeyEqual, "", nil), []wantProblem{{"total", "billing.price.total"}}},
		{"shared among", shared(100, "regions", billing.KeyEqual, "", nil), []wantProblem{{"among", "billing.price.among"}}},
		{"shared unknown key", shared(100, billing.AmongLibraries, "area", "", nil), []wantProblem{{"key", "billing.price.key"}}},
		{"shared fixed empty", shared(100, billing.AmongLibraries, billing.KeyFixed, "", nil), []wantProblem{{"fixed", "billing.price.no_fixed"}}},
		{"shared fixed negative", shared(100, billing.AmongLibraries, billing.KeyFixed, "", map[string]int64{"library:1": -1}), []wantProblem{{"fixed", "billing.price.negative"}}},
		{"shared county pays", shared(100, billing.AmongCounties, billing.KeyEqual, "state", nil), []wantProblem{{"county_pays", "billing.price.county_pays"}}},
		{"shared county pays missing", shared(100, billing.AmongCounties, billing.KeyEqual, "", nil), []wantProblem{{"county_pays", "billing.price.county_pays"}}},
		{"shared several", shared(0, "", "", "", nil), []wantProblem{{"total", "billing.price.total"}, {"among", "billing.price.among"}, {"key", "billing.price.key"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			err := o.Check()
			if c.want == nil {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if o.Model == billing.ModelRate && o.RateFactor == nil {
					t.Error("Check did not set RateFactor")
				}
				return
			}
			if got := problems(err); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Check: %v; want problems %v", err, c.want)
			}
			// Price refuses what Check refuses, and charges nobody.
			cs, ss, err := billing.Price(c.o, []billing.Payer{withFTE(lib(1, "46"), 1)}, countyRegistry())
			if err == nil || cs != nil || ss != nil {
				t.Errorf("Price on an invalid model: %v %v %v", cs, ss, err)
			}
		})
	}
}

func TestCheckRateFactor(t *testing.T) {
	o := billing.OfferPrice{Model: billing.ModelRate, Currency: "NOK", Spec: billing.PriceSpec{Basis: billing.BasisFTE, Rate: "0,35"}}
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	if o.RateFactor.Cmp(big.NewRat(35, 1)) != 0 {
		t.Errorf("RateFactor %s; want 35 øre per unit", o.RateFactor)
	}
}

func TestSpecJSON(t *testing.T) {
	s := billing.PriceSpec{Basis: billing.BasisFTE, Bands: []billing.Band{{From: 0, To: 9, PriceMinor: 100}, {From: 10, PriceMinor: 200}},
		MinMinor: ptr(0), Fixed: map[string]int64{"county:NO-46": 3}}
	back, err := billing.ParseSpec(s.JSON())
	if err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	for _, in := range []string{"", "{}"} {
		if p, err := billing.ParseSpec(in); err != nil || !reflect.DeepEqual(p, billing.PriceSpec{}) {
			t.Errorf("ParseSpec(%q) = %+v, %v", in, p, err)
		}
	}
	if _, err := billing.ParseSpec("{"); err == nil {
		t.Error("ParseSpec accepted broken JSON")
	}
}

func BenchmarkPrice(b *testing.B) {
	counties := []string{"03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"}
	reg := fakeRegistry{pop: map[string]int64{}, libs: map[string]billing.Payer{}}
	for i, c := range counties {
		reg.pop["NO-"+c] = int64(100_000 + 37_000*i)
		reg.libs["NO-"+c] = lib(int64(10_000+i), c)
	}
	subs := make([]billing.Payer, 400)
	fixed := map[string]int64{}
	for i := range subs {
		p := lib(int64(400-i), counties[i%len(counties)])
		p.FTE, p.Population, p.Students = ptr(int64(i%120)), ptr(int64(1_000+i*97)), ptr(int64(i*3))
		subs[i] = p
		fixed[fmt.Sprintf("library:%d", p.LibraryID)] = int64(i%7 + 1)
	}
	models := []struct {
		name string
		o    billing.OfferPrice
	}{
		{"flat", billing.OfferPrice{Model: billing.ModelFlat, Currency: "NOK", FlatMinor: 12500_00}},
		{"tiers", billing.OfferPrice{Model: billing.ModelTiers, Currency: "NOK", Spec: billing.PriceSpec{Basis: billing.BasisFTE,
			Bands: []billing.Band{{From: 0, To: 9, PriceMinor: 1}, {From: 10, To: 49, PriceMinor: 2}, {From: 50, To: 99, PriceMinor: 3}, {From: 100, PriceMinor: 4}}}}},
		{"rate", billing.OfferPrice{Model: billing.ModelRate, Currency: "NOK", Spec: billing.PriceSpec{Basis: billing.BasisPopulation, Rate: "0.35", MinMinor: ptr(5000_00), MaxMinor: ptr(50000_00)}}},
		{"shared", billing.OfferPrice{Model: billing.ModelShared, Currency: "NOK", Spec: billing.PriceSpec{TotalMinor: 2_000_000_00, Among: billing.AmongLibraries, Key: billing.KeyPopulation}}},
		{"shared_fixed", billing.OfferPrice{Model: billing.ModelShared, Currency: "NOK", Spec: billing.PriceSpec{TotalMinor: 2_000_000_00, Among: billing.AmongLibraries, Key: billing.KeyFixed, Fixed: fixed}}},
		{"shared_counties", billing.OfferPrice{Model: billing.ModelShared, Currency: "NOK", Spec: billing.PriceSpec{TotalMinor: 2_000_000_00, Among: billing.AmongCounties, Key: billing.KeyPopulation, CountyPays: billing.CountyPaysLibraries}}},
	}
	for _, m := range models {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cs, _, err := billing.Price(m.o, subs, reg)
				if err != nil || len(cs) == 0 {
					b.Fatalf("Price: %v (%d charges)", err, len(cs))
				}
			}
		})
	}
}
