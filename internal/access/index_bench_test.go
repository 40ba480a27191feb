package access_test

import (
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"

	"github.com/samla-org/samla/internal/access"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/validate"
)

// synthetic builds an index of about n prefixes, 60 % IPv4 and 40 % IPv6,
// over n/20 libraries with three products each; one range in a hundred is
// nested in another library's range, as shared addresses are. It returns
// the index and addresses to look up, half of them inside some range.
func synthetic(tb testing.TB, n int) (*access.Index, []netip.Addr) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	nlibs := n / 20
	libs := make([]access.LibraryInfo, nlibs)
	st := &enrolment.AccessState{Day: "2026-03-02", TermsRequired: map[int64]bool{1: true}, Accepted: map[[2]int64]bool{}}
	for i := range libs {
		id := int64(i + 1)
		libs[i] = access.LibraryInfo{ID: id, Name: "Bibliotek", ISIL: "NO-0030000"}
		for p := int64(1); p <= 3; p++ {
			st.Subscriptions = append(st.Subscriptions, enrolment.SubscriptionView{
				Subscription: enrolment.Subscription{LibraryID: id, ProductID: p}, ProductName: "P", VendorID: p, State: enrolment.StateActive})
		}
		if i%2 == 0 {
			st.Accepted[[2]int64{id, 1}] = true
		}
	}
	var ranges []access.Range
	var hits []netip.Addr
	for i := range n {
		var p netip.Prefix
		if i%5 < 3 {
			var b [4]byte
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			p = netip.PrefixFrom(netip.AddrFrom4(b), 20+rng.IntN(13)).Masked()
		} else {
			var b [16]byte
			b[0], b[1] = 0x20, 0x01
			for j := 2; j < 8; j++ {
				b[j] = byte(rng.Uint32())
			}
			p = netip.PrefixFrom(netip.AddrFrom16(b), 40+rng.IntN(25)).Masked()
		}
		lib := int64(rng.IntN(nlibs) + 1)
		ranges = append(ranges, access.Range{ID: int64(i + 1), LibraryID: lib, Range: rangeOf(p), Shared: i%100 == 0})
		if i%100 == 0 && p.Bits() < 64 && p.Addr().Is6() || i%100 == 0 && p.Addr().Is4() && p.Bits() < 32 {
			// Another library shares the upper half of this block.
			half := netip.PrefixFrom(lastOf(p), p.Bits()+1).Masked()
			ranges = append(ranges, access.Range{ID: int64(n + i + 1), LibraryID: lib%int64(nlibs) + 1, Range: rangeOf(half), Shared: true})
		}
		hits = append(hits, lastOf(p))
	}
	ix := access.Build(libs, ranges, st)
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		switch {
		case i%2 == 0:
			addrs[i] = hits[rng.IntN(len(hits))]
		case i%4 == 1:
			addrs[i] = netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		default:
			var b [16]byte
			b[0], b[1] = 0x20, 0x01
			for j := 2; j < 16; j++ {
				b[j] = byte(rng.Uint32())
			}
			addrs[i] = netip.AddrFrom16(b)
		}
	}
	return ix, addrs
}

func rangeOf(p netip.Prefix) validate.IPRange {
	return validate.IPRange{Start: p.Addr(), End: lastOf(p)}
}

func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func BenchmarkLookup(b *testing.B) {
	ix, addrs := synthetic(b, 100_000)
	runtime.GC() // the build's garbage is not the lookups' cost
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		found += len(ix.Lookup(addrs[i&(len(addrs)-1)]))
	}
	if found == 0 {
		b.Fatal("no address was found")
	}
	b.ReportMetric(float64(ix.Prefixes()), "prefixes")
}

func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		synthetic(b, 100_000)
	}
}

// TestLookupAllocatesNothing keeps Lookup a view into the index.
func TestLookupAllocatesNothing(t *testing.T) {
	ix, addrs := synthetic(t, 20_000)
	if ix.Prefixes() < 19_000 {
		t.Fatalf("only %d prefixes", ix.Prefixes())
	}
	hits, shared := 0, 0
	for _, a := range addrs[:2000] {
		ms := ix.Lookup(a)
		hits += min(len(ms), 1)
		if len(ms) > 1 {
			shared++
			for _, m := range ms {
				if !m.Shared {
					t.Fatalf("%s: match of library %d not marked shared", a, m.Library.ID)
				}
			}
		}
	}
	if hits < 900 || shared == 0 {
		t.Errorf("%d hits, %d shared among 2000 lookups", hits, shared)
	}
	i := 0
	if n := testing.AllocsPerRun(1000, func() { ix.Lookup(addrs[i%len(addrs)]); i++ }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}
