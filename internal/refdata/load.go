package refdata

import (
	"embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/*.csv
var files embed.FS

// table holds one country. It is built once and never changed, so readers need no lock.
type table struct {
	counties    []County
	countyIdx   map[string]int
	munis       []Municipality
	muniIdx     map[string]int
	countyNames map[string][]string // normalized name → county numbers
	muniNames   map[string][]string // normalized name → municipality numbers
}

// tables panics on a broken file: the files are ours and compiled in, and
// TestEmbeddedDataParses runs this on every build.
var tables = sync.OnceValue(func() map[string]*table {
	no := mustTable("NO", "no")
	parallel := mustRead("no-municipalities-parallel-names.csv", "number", "name", "parallel_name")
	for _, r := range parallel {
		i, ok := no.muniIdx[r[0]]
		if !ok || no.munis[i].Name != r[1] {
			panic(fmt.Sprintf("refdata: parallel name %v does not match a municipality", r))
		}
		no.munis[i].ParallelName = r[2]
	}
	no.indexNames()
	se := mustTable("SE", "se")
	se.indexNames()
	return map[string]*table{"NO": no, "SE": se}
})

func mustTable(country, prefix string) *table {
	t := &table{countyIdx: map[string]int{}, muniIdx: map[string]int{}}
	for _, r := range mustRead(prefix+"-counties.csv", "number", "name") {
		t.counties = append(t.counties, County{Country: country, Number: r[0], Name: r[1]})
	}
	for _, r := range mustRead(prefix+"-municipalities.csv", "number", "name", "county_number", "population", "year") {
		t.munis = append(t.munis, Municipality{
			Country: country, Number: r[0], Name: r[1], CountyNumber: r[2],
			Population: mustAtoi(prefix, r[3]), Year: mustAtoi(prefix, r[4]),
		})
	}
	slices.SortFunc(t.counties, func(a, b County) int { return strings.Compare(a.Number, b.Number) })
	slices.SortFunc(t.munis, func(a, b Municipality) int { return strings.Compare(a.Number, b.Number) })
	for i, c := range t.counties {
		t.countyIdx[c.Number] = i
	}
	for i, m := range t.munis {
		t.muniIdx[m.Number] = i
	}
	return t
}

// mustRead checks the header so that a reordered upstream file fails loudly
// instead of swapping names and numbers.
func mustRead(name string, header ...string) [][]string {
	f, err := files.Open("data/" + name)
	if err != nil {
		panic("refdata: " + err.Error())
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		panic(fmt.Sprintf("refdata: %s: %v", name, err))
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		panic(fmt.Sprintf("refdata: %s: header is not %v", name, header))
	}
	return rows[1:]
}

func mustAtoi(file, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(fmt.Sprintf("refdata: %s: %v", file, err))
	}
	return n
}
