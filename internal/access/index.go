// Package access answers, live, which library an IP address belongs to and
// which products that library is entitled to today. Vendors authenticate
// library users by IP; they ask Samla instead of keeping their own copy of
// every library's ranges and subscriptions.
//
// An Index is built from the database in one go and never changed after:
// lookups read it without locks while the Service swaps in a new one.
package access

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gaissmai/bart"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/validate"
)

// Reasons a product is not entitled, as codes for vendors' machines.
const (
	ReasonTermsNotAccepted = "terms_not_accepted"
	ReasonAgreementMissing = "agreement_missing"
	ReasonNotStarted       = "not_started"
	ReasonEnded            = "ended"
	ReasonSharingTerms     = "terms_not_accepted_by_sharing_library"
)

// Entitlement is one product of one library on the index's day.
type Entitlement struct {
	ProductID     int64
	VendorID      int64
	Name          string
	State         string // enrolment.State*
	Entitled      bool   // active or trial, and not withheld by the sharing rule
	Reason        string // why not, one of the Reason* codes; empty when entitled
	RequiresTerms bool
}

// Library is a library as the index knows it, with its own entitlements
// (before any sharing rule), ordered by product name.
type Library struct {
	ID       int64
	Name     string
	ISIL     string
	Products []Entitlement
}

// Match is one library whose ranges cover an address. Products are the
// library's entitlements for that address: the sharing rule is already
// applied for the set of libraries the address belongs to.
type Match struct {
	Library  *Library
	RangeID  int64 // the library's most specific range covering the address
	Shared   bool  // one of the library's ranges covering the address is marked shared, or other libraries cover it too
	Products []Entitlement
}

// Range is one row of ip_ranges as the builder needs it.
type Range struct {
	ID        int64
	LibraryID int64
	Range     validate.IPRange
	Shared    bool
}

// Index is an immutable snapshot: prefixes to the libraries covering them,
// and each library's entitlements on Day. Everything Lookup returns points
// into it and must not be modified.
type Index struct {
	Day       calendar.Date
	Stamp     int64 // the change stamp (highest audit id) the data was read at
	BuiltAt   time.Time
	table     *bart.Fast[[]Match]
	libraries map[int64]*Library
	prefixes  int
	groups    int
}

// Prefixes is the number of CIDR blocks in the index.
func (ix *Index) Prefixes() int { return ix.prefixes }

// Groups is the number of distinct sets of covering libraries.
func (ix *Index) Groups() int { return ix.groups }

// Library returns the library with the given id, or nil.
func (ix *Index) Library(id int64) *Library { return ix.libraries[id] }

// Lookup returns the libraries whose ranges cover addr, ordered by library
// id, or nil. The slice is a view into the index: it costs no allocation and
// must not be modified. IPv4-mapped IPv6 addresses are read as IPv4, as the
// registry stores them.
func (ix *Index) Lookup(addr netip.Addr) []Match {
	if ix == nil || ix.table == nil {
		return nil
	}
	if addr.Is4In6() {
		addr = addr.Unmap()
	}
	ms, _ := ix.table.Lookup(addr)
	return ms
}

// entitlementFor turns a subscription state into an entitlement.
func entitlementFor(v enrolment.SubscriptionView, requiresTerms bool) Entitlement {
	e := Entitlement{ProductID: v.ProductID, VendorID: v.VendorID, Name: v.ProductName, State: v.State, RequiresTerms: requiresTerms}
	switch v.State {
	case enrolment.StateActive, enrolment.StateTrial:
		e.Entitled = true
	case enrolment.StatePendingTerms:
		e.Reason = ReasonTermsNotAccepted
	case enrolment.StatePendingAgreement:
		e.Reason = ReasonAgreementMissing
	case enrolment.StateUpcoming:
		e.Reason = ReasonNotStarted
	case enrolment.StateEnded:
		e.Reason = ReasonEnded
	}
	return e
}

// stateRank orders states from best to worst: a library with last year's
// ended subscription and this year's active one is entitled.
func stateRank(s string) int {
	switch s {
	case enrolment.StateActive:
		return 0
	case enrolment.StateTrial:
		return 1
	case enrolment.StatePendingTerms:
		return 2
	case enrolment.StatePendingAgreement:
		return 3
	case enrolment.StateUpcoming:
		return 4
	case enrolment.StateEnded:
		return 5
	}
	return 6
}

// LibraryInfo names a library for the builder.
type LibraryInfo struct {
	ID   int64
	Name string
	ISIL string
}

// Build makes an index from libraries, their ranges and the enrolment state
// of one day. It is pure, so tests and benchmarks build indexes without a
// database.
func Build(libs []LibraryInfo, ranges []Range, st *enrolment.AccessState) *Index {
	ix := &Index{table: new(bart.Fast[[]Match]), libraries: make(map[int64]*Library, len(libs))}
	if st == nil {
		st = &enrolment.AccessState{}
	}
	ix.Day = st.Day
	for _, l := range libs {
		ix.libraries[l.ID] = &Library{ID: l.ID, Name: l.Name, ISIL: l.ISIL}
	}
	best := map[[2]int64]int{} // library, product → index in its Products
	for _, v := range st.Subscriptions {
		lib := ix.libraries[v.LibraryID]
		if lib == nil {
			continue
		}
		e := entitlementFor(v, st.TermsRequired[v.ProductID])
		k := [2]int64{v.LibraryID, v.ProductID}
		if i, ok := best[k]; ok {
			if stateRank(e.State) < stateRank(lib.Products[i].State) {
				lib.Products[i] = e
			}
			continue
		}
		best[k] = len(lib.Products)
		lib.Products = append(lib.Products, e)
	}
	for _, lib := range ix.libraries {
		slices.SortFunc(lib.Products, func(a, b Entitlement) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return cmpInt64(a.ProductID, b.ProductID)
		})
	}

	// Each range becomes the fewest CIDR blocks covering it exactly. One
	// block may come from several ranges (shared addresses).
	type ref struct {
		rangeID, libraryID int64
		shared             bool
		bits               int
	}
	direct := new(bart.Table[[]ref])
	var order []netip.Prefix
	for _, r := range ranges {
		if ix.libraries[r.LibraryID] == nil {
			continue
		}
		for _, p := range r.Range.Prefixes() {
			x := ref{rangeID: r.ID, libraryID: r.LibraryID, shared: r.Shared, bits: p.Bits()}
			direct.Modify(p, func(old []ref, ok bool) ([]ref, bool) {
				if !ok {
					order = append(order, p)
				}
				return append(old, x), false
			})
		}
	}

	// Lookup finds only the longest matching block, so each block carries
	// every range that covers it, from its own and all wider blocks; then
	// the longest match alone answers for every covering library.
	groups := map[string][]Match{}
	var key strings.Builder
	var all []ref
	for _, p := range order {
		all = all[:0]
		for _, rs := range direct.Supernets(p) {
			all = append(all, rs...)
		}
		// Per library the most specific range wins; shared if any is.
		slices.SortFunc(all, func(a, b ref) int {
			if a.libraryID != b.libraryID {
				return cmpInt64(a.libraryID, b.libraryID)
			}
			if a.bits != b.bits {
				return b.bits - a.bits
			}
			return cmpInt64(a.rangeID, b.rangeID)
		})
		key.Reset()
		var ms []Match
		for i, r := range all {
			if i > 0 && all[i-1].libraryID == r.libraryID {
				ms[len(ms)-1].Shared = ms[len(ms)-1].Shared || r.shared
				continue
			}
			ms = append(ms, Match{Library: ix.libraries[r.libraryID], RangeID: r.rangeID, Shared: r.shared})
		}
		for _, m := range ms {
			key.WriteString(strconv.FormatInt(m.Library.ID, 10))
			key.WriteByte(':')
			key.WriteString(strconv.FormatInt(m.RangeID, 10))
			if m.Shared {
				key.WriteByte('s')
			}
			key.WriteByte(',')
		}
		g, ok := groups[key.String()]
		if !ok {
			g = entitle(ms, st)
			groups[key.String()] = g
		}
		ix.table.Insert(p, g)
	}
	ix.prefixes = len(order)
	ix.groups = len(groups)
	return ix
}

// entitle fills in each match's products for an address covered by all of
// ms. THE SHARING RULE: a product whose terms each library must accept is
// never granted to an address shared with a library that has not accepted
// its current licence, since that library's users would use it under terms
// nobody at that library agreed to.
func entitle(ms []Match, st *enrolment.AccessState) []Match {
	if len(ms) > 1 {
		for i := range ms {
			ms[i].Shared = true
		}
	}
	for i := range ms {
		own := ms[i].Library.Products
		ms[i].Products = own
		if len(ms) == 1 {
			continue
		}
		var adj []Entitlement
		for j, e := range own {
			if !e.Entitled || !e.RequiresTerms {
				continue
			}
			for k, o := range ms {
				if k != i && !st.Accepted[[2]int64{o.Library.ID, e.ProductID}] {
					if adj == nil {
						adj = slices.Clone(own)
					}
					adj[j].Entitled, adj[j].Reason = false, ReasonSharingTerms
					break
				}
			}
		}
		if adj != nil {
			ms[i].Products = adj
		}
	}
	return ms
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
