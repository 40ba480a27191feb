package billingweb

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
)

// The price form of an offer: its fields, filled from the stored price,
// and read back into a billing.PriceInput.

// fixedRows lists the parties of a fixed split: the counties of the
// consortium's country, the offer's subscribers, and any party that has a
// share stored or typed.
func fixedRows(country string, stored map[string]int64, values map[string]string, subs map[int64]string) []fixedRow {
	keys := map[string]string{}
	for _, c := range refdata.Counties(country) {
		keys["county:"+c.Country+"-"+c.Number] = c.Name
	}
	for id, name := range subs {
		keys[fmt.Sprintf("library:%d", id)] = name
	}
	for k := range stored {
		if _, ok := keys[k]; !ok {
			keys[k] = k
		}
	}
	for f := range values {
		if k, ok := strings.CutPrefix(f, "fixed_"); ok {
			if _, ok := keys[k]; !ok {
				keys[k] = k
			}
		}
	}
	var out []fixedRow
	for k, name := range keys {
		group, rest, _ := strings.Cut(k, ":")
		if name == k && group == "county" {
			if c, n, ok := strings.Cut(rest, "-"); ok {
				if ct, ok := refdata.CountyByNumber(c, n); ok {
					name = ct.Name
				}
			}
		}
		out = append(out, fixedRow{Key: k, Name: name, Field: "fixed_" + k, Group: group})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		if out[i].Group == "county" {
			return out[i].Key < out[j].Key
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func bandCount(bands []billing.Band) int { return max(minBandRows, len(bands)+2) }

// offerFields are the fields an offer's form shows, for n band rows.
func offerFields(n int) []string {
	fs := []string{"model", "currency", "price", "tier_basis", "rate_basis", "bands", "rate", "min", "max", "total", "among", "key", "fixed", "county_pays", "vendor_cost"}
	for i := 0; i < n; i++ {
		fs = append(fs, fmt.Sprintf("band_%d", i))
	}
	return fs
}

// postedBandRows is how many band rows a form has values for, at least
// minBandRows.
func postedBandRows(v map[string]string) int {
	n := minBandRows
	for k := range v {
		if s, ok := strings.CutPrefix(k, "band_from_"); ok {
			if i, err := strconv.Atoi(s); err == nil && i+1 > n && i < 500 {
				n = i + 1
			}
		}
	}
	return n
}

// offerValues fills an offer's form from its stored price; an offer with
// no currency yet starts in the home currency.
func offerValues(o billing.OfferPricing, home string) map[string]string {
	s := o.Spec
	v := map[string]string{"model": o.Model, "currency": o.Currency, "tier_basis": s.Basis, "rate_basis": s.Basis,
		"rate": s.Rate, "min": optAmountText(s.MinMinor), "max": optAmountText(s.MaxMinor), "among": s.Among, "key": s.Key,
		"county_pays": s.CountyPays, "vendor_cost": optAmountText(o.VendorCostMinor)}
	if o.Model == billing.ModelFlat {
		v["price"] = amountText(o.FlatMinor)
	}
	if s.TotalMinor != 0 {
		v["total"] = amountText(s.TotalMinor)
	}
	for i, b := range s.Bands {
		v[fmt.Sprintf("band_from_%d", i)] = strconv.FormatInt(b.From, 10)
		if b.To != 0 {
			v[fmt.Sprintf("band_to_%d", i)] = strconv.FormatInt(b.To, 10)
		}
		v[fmt.Sprintf("band_price_%d", i)] = amountText(b.PriceMinor)
	}
	for k, w := range s.Fixed {
		v["fixed_"+k] = strconv.FormatInt(w, 10)
	}
	if v["currency"] == "" {
		v["currency"] = home
	}
	return v
}

// bandRef ties a band sent to the service to the row it was typed in.
type bandRef struct {
	band billing.Band
	row  int
}

// priceInput reads an offer's form: only the fields of the chosen model.
// It returns the bands in the order the service checks them, so that a
// problem on "bands[i]" can be shown on its row.
func priceInput(f *form) (billing.PriceInput, []bandRef, bool) {
	v := f.Values
	in := billing.PriceInput{Model: v["model"], Currency: v["currency"]}
	var ok bool
	in.VendorCostMinor, ok = parseAmount(f, "vendor_cost")
	var refs []bandRef
	switch in.Model {
	case billing.ModelFlat:
		p, good := parseAmount(f, "price")
		if p == nil && good {
			f.refuse(&validate.Problem{Field: "price", Code: "bweb.error.required"})
			good = false
		}
		if p != nil {
			in.FlatMinor = *p
		}
		ok = ok && good
	case billing.ModelTiers:
		in.Spec.Basis = v["tier_basis"]
		for i := 0; i < postedBandRows(v); i++ {
			from, to, price := strings.TrimSpace(v[fmt.Sprintf("band_from_%d", i)]), strings.TrimSpace(v[fmt.Sprintf("band_to_%d", i)]),
				strings.TrimSpace(v[fmt.Sprintf("band_price_%d", i)])
			if from == "" && to == "" && price == "" {
				continue
			}
			field := fmt.Sprintf("band_%d", i)
			b, good := parseBand(f, field, from, to, price)
			if !good {
				ok = false
				continue
			}
			refs = append(refs, bandRef{b, i})
		}
		sort.SliceStable(refs, func(i, j int) bool { return refs[i].band.From < refs[j].band.From })
		for _, rf := range refs {
			in.Spec.Bands = append(in.Spec.Bands, rf.band)
		}
	case billing.ModelRate:
		in.Spec.Basis = v["rate_basis"]
		in.Spec.Rate = strings.TrimSpace(v["rate"])
		var good1, good2 bool
		in.Spec.MinMinor, good1 = parseAmount(f, "min")
		in.Spec.MaxMinor, good2 = parseAmount(f, "max")
		ok = ok && good1 && good2
	case billing.ModelShared:
		t, good := parseAmount(f, "total")
		if t != nil {
			in.Spec.TotalMinor = *t
		}
		in.Spec.Among, in.Spec.Key = v["among"], v["key"]
		if in.Spec.Among == billing.AmongCounties {
			in.Spec.CountyPays = v["county_pays"]
		}
		if in.Spec.Key == billing.KeyFixed {
			var good2 bool
			in.Spec.Fixed, good2 = parseFixed(f, map[string]string{billing.AmongCounties: "county:", billing.AmongLibraries: "library:"}[in.Spec.Among])
			good = good && good2
		}
		ok = ok && good
	}
	return in, refs, ok
}

// parseBand reads one row of a tier table; To blank means "and above".
func parseBand(f *form, field, from, to, price string) (billing.Band, bool) {
	var b billing.Band
	n, err := strconv.ParseInt(strings.ReplaceAll(from, " ", ""), 10, 64)
	if err != nil {
		f.refuse(&validate.Problem{Field: field, Code: "bweb.error.band_from", Value: from})
		return b, false
	}
	b.From = n
	if to != "" {
		if b.To, err = strconv.ParseInt(strings.ReplaceAll(to, " ", ""), 10, 64); err != nil {
			f.refuse(&validate.Problem{Field: field, Code: "bweb.error.band_to", Value: to})
			return b, false
		}
	}
	p, err := money.ParseMinor(price)
	if err != nil {
		f.refuse(&validate.Problem{Field: field, Code: "bweb.error.amount", Value: price})
		return b, false
	}
	b.PriceMinor = p
	return b, true
}

// parseFixed reads the fixed weights typed for parties whose key starts
// with prefix; blank fields are no share.
func parseFixed(f *form, prefix string) (map[string]int64, bool) {
	out := map[string]int64{}
	ok := true
	for k, raw := range f.Values {
		key, isFixed := strings.CutPrefix(k, "fixed_")
		if !isFixed || !strings.HasPrefix(key, prefix) || strings.TrimSpace(raw) == "" {
			continue
		}
		w, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(raw), " ", ""), 10, 64)
		if err != nil || w < 0 {
			f.refuse(&validate.Problem{Field: "fixed", Code: "bweb.error.weight", Value: raw})
			ok = false
			continue
		}
		out[key] = w
	}
	return out, ok
}

// priceField is where a problem the service names goes in an offer's form.
func priceField(model, field string, refs []bandRef) string {
	switch {
	case field == "basis" && model == billing.ModelRate:
		return "rate_basis"
	case field == "basis":
		return "tier_basis"
	case field == "price_model":
		return "model"
	case strings.HasPrefix(field, "bands["):
		if i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(field, "bands["), "]")); err == nil && i >= 0 && i < len(refs) {
			return fmt.Sprintf("band_%d", refs[i].row)
		}
		return "bands"
	}
	return field
}
