package validate

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func mustRange(t *testing.T, s string) IPRange {
	t.Helper()
	r, p := ParseIPRange(s)
	if p != nil {
		t.Fatalf("ParseIPRange(%q): %v", s, p)
	}
	return r
}

func TestParseIPRange(t *testing.T) {
	tests := []struct {
		in         string
		start, end string // expected bounds for good input
		str        string // expected String()
	}{
		{"193.157.0.0/16", "193.157.0.0", "193.157.255.255", "193.157.0.0/16"},
		{" 2001:700:100::/48 ", "2001:700:100::", "2001:700:100:ffff:ffff:ffff:ffff:ffff", "2001:700:100::/48"},
		{"193.157.1.10", "193.157.1.10", "193.157.1.10", "193.157.1.10"},
		{"193.157.1.10/32", "193.157.1.10", "193.157.1.10", "193.157.1.10"},
		{"193.157.1.10/31", "193.157.1.10", "193.157.1.11", "193.157.1.10/31"},
		{"193.157.1.10-193.157.1.99", "193.157.1.10", "193.157.1.99", "193.157.1.10-193.157.1.99"},
		{"193.157.1.10 - 193.157.1.99", "193.157.1.10", "193.157.1.99", "193.157.1.10-193.157.1.99"},
		{"193.157.1.10 – 193.157.1.99", "193.157.1.10", "193.157.1.99", "193.157.1.10-193.157.1.99"},
		{"193.157.1.10–193.157.1.99", "193.157.1.10", "193.157.1.99", "193.157.1.10-193.157.1.99"},
		{"193.157.1.10—193.157.1.99", "193.157.1.10", "193.157.1.99", "193.157.1.10-193.157.1.99"},
		{"193.157.1.10-193.157.1.10", "193.157.1.10", "193.157.1.10", "193.157.1.10"},
		{"193.157.1.0-193.157.1.255", "193.157.1.0", "193.157.1.255", "193.157.1.0/24"},
		{"193.157.1.10-99", "193.157.1.10", "193.157.1.99", "193.157.1.10-193.157.1.99"},
		{"193.157.1.10 - 255", "193.157.1.10", "193.157.1.255", "193.157.1.10-193.157.1.255"},
		{"193.157.*.*", "193.157.0.0", "193.157.255.255", "193.157.0.0/16"},
		{"193.157.1.*", "193.157.1.0", "193.157.1.255", "193.157.1.0/24"},
		{"::ffff:193.157.1.10", "193.157.1.10", "193.157.1.10", "193.157.1.10"},
		{"::FFFF:193.157.1.0/120", "193.157.1.0", "193.157.1.255", "193.157.1.0/24"},
		{"::ffff:193.157.1.10-193.157.1.20", "193.157.1.10", "193.157.1.20", "193.157.1.10-193.157.1.20"},
		{"2001:700::1-2001:700::ff", "2001:700::1", "2001:700::ff", "2001:700::1-2001:700::ff"},
		{"2001:0700:0000::0-2001:700::ffff", "2001:700::", "2001:700::ffff", "2001:700::/112"},
		{"2001:DB8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255", "0.0.0.0/0"},
	}
	for _, tt := range tests {
		r, p := ParseIPRange(tt.in)
		wantCode(t, p, "")
		if p != nil {
			continue
		}
		if r.Start != netip.MustParseAddr(tt.start) || r.End != netip.MustParseAddr(tt.end) {
			t.Errorf("ParseIPRange(%q) = %v…%v, want %s…%s", tt.in, r.Start, r.End, tt.start, tt.end)
		}
		if got := r.String(); got != tt.str {
			t.Errorf("ParseIPRange(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		if r.Is4() != strings.Contains(tt.start, ".") {
			t.Errorf("ParseIPRange(%q).Is4() = %v", tt.in, r.Is4())
		}
		// The canonical text reads back as the same range.
		if again := mustRange(t, r.String()); again != r {
			t.Errorf("%q → %q → %v", tt.in, r.String(), again)
		}
	}
}

func TestParseIPRangeProblems(t *testing.T) {
	tests := []struct {
		in, code, suggest string
	}{
		{"", CodeIPEmpty, ""},
		{"  \t", CodeIPEmpty, ""},
		{"hello", CodeIPSyntax, ""},
		{"193.157.1", CodeIPSyntax, ""},
		{"193.157.1.256", CodeIPSyntax, ""},
		{"193.157.001.1", CodeIPSyntax, ""}, // leading zeros read as octal by some tools
		{"193.157.1.0/33", CodeIPSyntax, ""},
		{"2001:700::/129", CodeIPSyntax, ""},
		{"193.157.1.0/", CodeIPSyntax, ""},
		{"193.157.1.0/24-193.157.2.0", CodeIPSyntax, ""},
		{"fe80::1%eth0", CodeIPSyntax, ""},
		{"fe80::1%eth0-fe80::2", CodeIPSyntax, ""},
		{"fe80::%eth0/64", CodeIPSyntax, ""},
		{"193.157.1.10--193.157.1.20", CodeIPSyntax, ""},
		{"193.157.1.10-193.157.1.20-193.157.1.30", CodeIPSyntax, ""},
		{"193.157.1.10 -", CodeIPSyntax, ""},
		{"- 193.157.1.10", CodeIPSyntax, ""},
		{"193.157.1.10-256", CodeIPSyntax, ""},
		{"193.157.1.10-099", CodeIPSyntax, ""},
		{"193.157.1.10-1.99", CodeIPSyntax, ""},
		{"2001:700::1-ff", CodeIPSyntax, ""}, // the short end is an IPv4 habit only
		{"193.*.1.*", CodeIPSyntax, ""},
		{"*.*.*.*", CodeIPSyntax, ""},
		{"193.157.*", CodeIPSyntax, ""},
		{"193.157.1*.*", CodeIPSyntax, ""},
		{"193.157.1.10 193.157.1.20", CodeIPSyntax, ""},
		{"193.157.1.10-2001:700::1", CodeIPFamilyMix, ""},
		{"2001:700::1 - 193.157.1.10", CodeIPFamilyMix, ""},
		{"193.157.1.99-193.157.1.10", CodeIPReversed, ""},
		{"193.157.1.99-10", CodeIPReversed, ""},
		{"2001:700::ff-2001:700::1", CodeIPReversed, ""},
		{"193.157.1.10/16", CodeIPHostBits, "193.157.0.0/16"},
		{"193.157.1.11/31", CodeIPHostBits, "193.157.1.10/31"},
		{"2001:700:100::1/48", CodeIPHostBits, "2001:700:100::/48"},
		{"::ffff:193.157.1.10/120", CodeIPHostBits, "193.157.1.0/24"},
	}
	for _, tt := range tests {
		_, p := ParseIPRange(tt.in)
		wantCode(t, p, tt.code)
		if p == nil {
			continue
		}
		if p.Field != "ip_range" || p.Value != tt.in {
			t.Errorf("ParseIPRange(%q): problem %+v", tt.in, p)
		}
		if tt.suggest != "" && p.Args["Suggest"] != tt.suggest {
			t.Errorf("ParseIPRange(%q): Suggest %v, want %s", tt.in, p.Args["Suggest"], tt.suggest)
		}
	}
}

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestPrefixes(t *testing.T) {
	tests := []struct {
		in   string
		want []netip.Prefix
	}{
		{"1.2.3.4-1.2.3.9", prefixes("1.2.3.4/30", "1.2.3.8/31")},
		{"1.2.3.4", prefixes("1.2.3.4/32")},
		{"193.157.0.0/16", prefixes("193.157.0.0/16")},
		{"10.0.0.1-10.0.0.254", prefixes(
			"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/29", "10.0.0.16/28", "10.0.0.32/27", "10.0.0.64/26",
			"10.0.0.128/26", "10.0.0.192/27", "10.0.0.224/28", "10.0.0.240/29", "10.0.0.248/30", "10.0.0.252/31", "10.0.0.254/32")},
		{"193.157.1.10-193.157.2.9", prefixes(
			"193.157.1.10/31", "193.157.1.12/30", "193.157.1.16/28", "193.157.1.32/27", "193.157.1.64/26", "193.157.1.128/25",
			"193.157.2.0/29", "193.157.2.8/31")},
		{"0.0.0.0/0", prefixes("0.0.0.0/0")},
		{"255.255.255.254-255.255.255.255", prefixes("255.255.255.254/31")},
		{"255.255.255.255", prefixes("255.255.255.255/32")},
		{"0.0.0.0-0.0.0.2", prefixes("0.0.0.0/31", "0.0.0.2/32")},
		{"::/0", prefixes("::/0")},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", prefixes("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127")},
		{"2001:700::-2001:700:1::", prefixes("2001:700::/48", "2001:700:1::/128")},
		{"2001:700::ffff:ffff:ffff:ffff-2001:700:0:1::1", prefixes("2001:700::ffff:ffff:ffff:ffff/128", "2001:700:0:1::/127")},
	}
	for _, tt := range tests {
		got := mustRange(t, tt.in).Prefixes()
		if !slices.Equal(got, tt.want) {
			t.Errorf("Prefixes(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := (IPRange{}).Prefixes(); got != nil {
		t.Errorf("zero range: %v", got)
	}
}

// randomRange picks a range of one family, biased towards short spans so
// that the interesting alignment cases come up.
func randomRange(rng *rand.Rand, v4 bool) IPRange {
	a, b := randomAddr(rng, v4), randomAddr(rng, v4)
	if rng.IntN(2) == 0 { // a short span from a
		hi, lo := u128(a)
		lo2 := lo + uint64(rng.IntN(1000))
		if lo2 < lo || (v4 && lo2 > 0xffffffff) {
			lo2 = lo
		}
		b = fromU128(hi, lo2, v4)
	}
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return IPRange{Start: a, End: b}
}

func randomAddr(rng *rand.Rand, v4 bool) netip.Addr {
	if v4 {
		return fromU128(0, uint64(rng.Uint32()), true)
	}
	// Few high bits vary in practice; keep some ranges narrow in the top half.
	hi := rng.Uint64()
	if rng.IntN(2) == 0 {
		hi = 0x20010700_00000000 | uint64(rng.IntN(4))
	}
	return fromU128(hi, rng.Uint64(), false)
}

// The prefixes cover the range exactly, in order, each aligned, and no two
// neighbours could merge into one (which greedy largest-first guarantees is
// minimal).
func TestPrefixesProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		r := randomRange(rng, i%2 == 0)
		ps := r.Prefixes()
		if len(ps) == 0 || ps[0].Addr() != r.Start || lastAddr(ps[len(ps)-1]) != r.End {
			t.Fatalf("%v: %v does not span the range", r, ps)
		}
		for j, p := range ps {
			if p.Masked() != p || p.Addr().Is4() != r.Is4() {
				t.Fatalf("%v: %v is not a clean prefix", r, p)
			}
			if j == 0 {
				continue
			}
			prev := ps[j-1]
			if lastAddr(prev).Next() != p.Addr() {
				t.Fatalf("%v: gap or overlap between %v and %v", r, prev, p)
			}
			if prev.Bits() == p.Bits() && prev.Bits() > 0 {
				if parent, _ := prev.Addr().Prefix(prev.Bits() - 1); parent.Addr() == prev.Addr() && parent.Contains(p.Addr()) {
					t.Fatalf("%v: %v and %v should be one %v", r, prev, p, parent)
				}
			}
		}
		if want := len(ps) == 1 && r.Start != r.End; want != strings.Contains(r.String(), "/") {
			t.Fatalf("%v: String %q with %d prefixes", r, r.String(), len(ps))
		}
	}
}

func TestOverlaps(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1.2.3.0/24", "1.2.3.0/24", true},
		{"1.2.3.0/24", "1.2.3.255", true},
		{"1.2.3.0/24", "1.2.3.0", true},
		{"1.2.3.0/24", "1.2.4.0", false},
		{"1.2.3.0/24", "1.2.2.255", false},
		{"1.2.3.0/24", "1.2.0.0/16", true},
		{"1.2.3.10-1.2.3.20", "1.2.3.20-1.2.3.30", true},
		{"1.2.3.10-1.2.3.20", "1.2.3.21-1.2.3.30", false},
		{"1.2.3.10-1.2.3.20", "1.2.3.0-1.2.3.9", false},
		{"1.2.3.10-1.2.3.20", "1.2.3.12-1.2.3.13", true},
		{"::ffff:1.2.3.4", "1.2.3.4", true},
		{"1.2.3.4", "::1.2.3.4", false}, // IPv4-compatible, not mapped: IPv6
		{"0.0.0.0/0", "::/0", false},
		{"2001:700::/32", "2001:700:100::/48", true},
		{"2001:700::/32", "2001:701::/32", false},
	}
	for _, tt := range tests {
		a, b := mustRange(t, tt.a), mustRange(t, tt.b)
		if got := a.Overlaps(b); got != tt.want {
			t.Errorf("%s overlaps %s = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := b.Overlaps(a); got != tt.want {
			t.Errorf("%s overlaps %s = %v, want %v (reversed)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestWidth(t *testing.T) {
	tests := []struct {
		in   string
		wide bool
		max  string
	}{
		{"193.157.0.0/16", false, ""},
		{"193.156.0.0/15", true, "/16"},
		{"193.157.0.1-193.158.0.0", false, ""},   // 65 536 addresses, unaligned
		{"193.157.0.0-193.158.0.0", true, "/16"}, // 65 537
		{"193.157.1.10", false, ""},
		{"0.0.0.0/0", true, "/16"},
		{"2001:700::/32", false, ""},
		{"2001:700::/31", true, "/32"},
		{"2001:700::1-2001:701::", false, ""},  // 2^96 addresses
		{"2001:700::-2001:701::", true, "/32"}, // 2^96 + 1
		{"2001:700:100::/48", false, ""},
		{"::/0", true, "/32"},
	}
	for _, tt := range tests {
		r := mustRange(t, tt.in)
		if got := r.TooWide(); got != tt.wide {
			t.Errorf("%s: TooWide = %v, want %v", tt.in, got, tt.wide)
		}
		p := r.CheckWidth()
		if !tt.wide {
			wantCode(t, p, "")
			continue
		}
		wantCode(t, p, CodeIPTooWide)
		if p != nil && (p.Args["Max"] != tt.max || p.Field != "ip_range" || p.Value != r.String()) {
			t.Errorf("%s: problem %+v", tt.in, p)
		}
	}
}

func TestKeys(t *testing.T) {
	k := func(s string) string { sk, _ := mustRange(t, s).Keys(); return sk }
	if got := k("1.2.3.4"); got != "00000000000000000000ffff01020304" {
		t.Errorf("key of 1.2.3.4 = %s", got)
	}
	if got := k("2001:700::"); got != "20010700000000000000000000000000" {
		t.Errorf("key of 2001:700:: = %s", got)
	}
	order := []string{"0.0.0.0", "9.0.0.0", "9.255.255.255", "10.0.0.0", "193.157.0.0", "255.255.255.255", "2001:700::", "2001:700::1", "2a00::", "ffff::"}
	for i := 1; i < len(order); i++ {
		if a, b := k(order[i-1]), k(order[i]); a >= b {
			t.Errorf("key(%s) = %s is not below key(%s) = %s", order[i-1], a, order[i], b)
		}
	}
	sk, ek := mustRange(t, "193.157.0.0/16").Keys()
	if sk != "00000000000000000000ffffc19d0000" || ek != "00000000000000000000ffffc19dffff" {
		t.Errorf("keys of 193.157.0.0/16 = %s, %s", sk, ek)
	}

	// Key order is address order, and the SQL overlap test on keys agrees
	// with Overlaps.
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 3000; i++ {
		v4 := i%2 == 0
		a, b := randomRange(rng, v4), randomRange(rng, v4)
		as, ae := a.Keys()
		bs, be := b.Keys()
		if len(as) != 32 || strings.ToLower(as) != as {
			t.Fatalf("key %q", as)
		}
		if got, want := strings.Compare(as, bs), a.Start.Compare(b.Start); got != want {
			t.Fatalf("compare(%v, %v): keys %d, addresses %d", a.Start, b.Start, got, want)
		}
		if sql := as <= be && ae >= bs; sql != a.Overlaps(b) {
			t.Fatalf("%v, %v: SQL overlap %v, Overlaps %v", a, b, sql, a.Overlaps(b))
		}
		back, err := FromKeys(as, ae)
		if err != nil || back != a {
			t.Fatalf("FromKeys(Keys(%v)) = %v, %v", a, back, err)
		}
	}
}

func TestFromKeys(t *testing.T) {
	for _, s := range []string{"193.157.0.0/16", "193.157.1.10", "0.0.0.0/0", "2001:700:100::/48", "::/0", "2001:700::1-2001:700::ff"} {
		r := mustRange(t, s)
		back, err := FromKeys(r.Keys())
		if err != nil || back != r || back.Is4() != r.Is4() || back.String() != r.String() {
			t.Errorf("%s: round trip gives %v, %v", s, back, err)
		}
	}
	v4s, v4e := mustRange(t, "1.2.3.0/24").Keys()
	v6s, v6e := mustRange(t, "2001:700::/32").Keys()
	bad := []struct{ start, end string }{
		{"", v4e},
		{v4s, ""},
		{v4s[:31], v4e},
		{v4s + "0", v4e},
		{"zz" + v4s[2:], v4e},
		{v4s, v6e}, // mixed families
		{v6s, v4e},
		{v4e, v4s}, // reversed
		{v6e, v6s},
	}
	for _, b := range bad {
		if r, err := FromKeys(b.start, b.end); err == nil {
			t.Errorf("FromKeys(%q, %q) = %v, want an error", b.start, b.end, r)
		}
	}
	// Upper-case hex still reads, in case a database hands it back so.
	if r, err := FromKeys(strings.ToUpper(v6s), strings.ToUpper(v6e)); err != nil || r.String() != "2001:700::/32" {
		t.Errorf("upper-case keys: %v, %v", r, err)
	}
}
