package validate

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IPRange is an inclusive range of addresses of one family. Vendors
// authenticate library users by IP, and libraries hand in their addresses as
// CIDR blocks, single addresses or start–end ranges; one type for all three
// lets the registry compare and export them uniformly.
type IPRange struct {
	Start, End netip.Addr
}

// rangeDashes separate start and end. Spreadsheets turn "-" into an en dash
// behind people's backs, and some type an em dash.
const rangeDashes = "-–—"

// ParseIPRange reads one range, with surrounding space trimmed:
//
//	193.157.0.0/16, 2001:700:100::/48   CIDR (host bits set are refused, with the masked block as suggestion)
//	193.157.1.10                         one address
//	193.157.1.10-193.157.1.99            start-end, spaces around the dash allowed, en or em dash too
//	193.157.1.10-99                      start-end, the end given as its last IPv4 octet
//	193.157.*.*, 193.157.1.*             IPv4 wildcards in trailing octets, as in older vendor forms
//
// IPv4-mapped IPv6 addresses (::ffff:193.157.1.10) are read as IPv4, so one
// library's address has one form. Zones (fe80::1%eth0) are refused.
func ParseIPRange(s string) (IPRange, *Problem) {
	v := strings.TrimSpace(s)
	if v == "" {
		return IPRange{}, problem("ip_range", CodeIPEmpty, s, nil)
	}
	syntax := problem("ip_range", CodeIPSyntax, s, nil)

	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return IPRange{}, syntax
		}
		p = unmapPrefix(p)
		if m := p.Masked(); m != p {
			return IPRange{}, problem("ip_range", CodeIPHostBits, s, map[string]any{"Suggest": m.String()})
		}
		return IPRange{Start: p.Addr(), End: lastAddr(p)}, nil
	}

	if strings.Contains(v, "*") {
		r, ok := parseWildcard(v)
		if !ok {
			return IPRange{}, syntax
		}
		return r, nil
	}

	i := strings.IndexAny(v, rangeDashes)
	if i < 0 {
		a, ok := parseAddr(v)
		if !ok {
			return IPRange{}, syntax
		}
		return IPRange{Start: a, End: a}, nil
	}
	_, dashLen := utf8.DecodeRuneInString(v[i:])
	startText, endText := strings.TrimSpace(v[:i]), strings.TrimSpace(v[i+dashLen:])
	if strings.ContainsAny(endText, rangeDashes) {
		return IPRange{}, syntax
	}
	start, ok := parseAddr(startText)
	if !ok {
		return IPRange{}, syntax
	}
	end, ok := parseAddr(endText)
	if !ok {
		end, ok = shortEnd(start, endText)
		if !ok {
			return IPRange{}, syntax
		}
	}
	if start.Is4() != end.Is4() {
		return IPRange{}, problem("ip_range", CodeIPFamilyMix, s, nil)
	}
	if start.Compare(end) > 0 {
		return IPRange{}, problem("ip_range", CodeIPReversed, s, nil)
	}
	return IPRange{Start: start, End: end}, nil
}

func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// unmapPrefix turns ::ffff:a.b.c.d/n (n ≥ 96) into a.b.c.d/(n-96). A shorter
// prefix reaches outside the mapped block and stays IPv6.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// shortEnd reads "99" in "193.157.1.10-99" as 193.157.1.99.
func shortEnd(start netip.Addr, s string) (netip.Addr, bool) {
	if !start.Is4() || !allDigits(s) || len(s) > 3 {
		return netip.Addr{}, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 255 || (len(s) > 1 && s[0] == '0') {
		return netip.Addr{}, false
	}
	b := start.As4()
	b[3] = byte(n)
	return netip.AddrFrom4(b), true
}

// parseWildcard reads "193.157.*.*": four octets, the stars all trailing.
func parseWildcard(s string) (IPRange, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] == "*" {
		return IPRange{}, false
	}
	var lo, hi [4]byte
	star := false
	for i, p := range parts {
		if p == "*" {
			star = true
			lo[i], hi[i] = 0, 255
			continue
		}
		if star || !allDigits(p) || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return IPRange{}, false
		}
		n, _ := strconv.Atoi(p)
		if n > 255 {
			return IPRange{}, false
		}
		lo[i], hi[i] = byte(n), byte(n)
	}
	return IPRange{Start: netip.AddrFrom4(lo), End: netip.AddrFrom4(hi)}, true
}

// Is4 reports whether the range holds IPv4 addresses.
func (r IPRange) Is4() bool { return r.Start.Is4() }

// String is the canonical text: the address alone for one address, the CIDR
// block when the range is exactly one, else "start-end" without spaces.
func (r IPRange) String() string {
	if r.Start == r.End {
		return r.Start.String()
	}
	if ps := r.Prefixes(); len(ps) == 1 {
		return ps[0].String()
	}
	return r.Start.String() + "-" + r.End.String()
}

// Prefixes returns the fewest CIDR blocks that together cover exactly the
// range, in address order, for vendors who load one CIDR per line.
func (r IPRange) Prefixes() []netip.Prefix {
	if !r.Start.IsValid() || !r.End.IsValid() || r.Start.Is4() != r.End.Is4() || r.Start.Compare(r.End) > 0 {
		return nil
	}
	var out []netip.Prefix
	for a := r.Start; ; {
		// The largest block that starts at a and ends no later than r.End:
		// try the shortest prefix length first.
		var p netip.Prefix
		for n := 0; n <= a.BitLen(); n++ {
			q := netip.PrefixFrom(a, n)
			if q.Masked().Addr() == a && lastAddr(q).Compare(r.End) <= 0 {
				p = q
				break
			}
		}
		out = append(out, p)
		last := lastAddr(p)
		if last == r.End {
			return out
		}
		a = last.Next()
	}
}

// lastAddr is the highest address in p.
func lastAddr(p netip.Prefix) netip.Addr {
	hi, lo := u128(p.Addr())
	hostBits := p.Addr().BitLen() - p.Bits()
	mhi, mlo := onesBelow(hostBits)
	return fromU128(hi|mhi, lo|mlo, p.Addr().Is4())
}

// onesBelow returns a 128-bit value with the lowest n bits set.
func onesBelow(n int) (hi, lo uint64) {
	switch {
	case n <= 0:
		return 0, 0
	case n < 64:
		return 0, 1<<n - 1
	case n < 128:
		return 1<<(n-64) - 1, ^uint64(0)
	default:
		return ^uint64(0), ^uint64(0)
	}
}

// u128 is a's value as a 128-bit number. For IPv4 it is the 32-bit value,
// not the mapped form, so that arithmetic stays within the family.
func u128(a netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		b := a.As4()
		return 0, uint64(binary.BigEndian.Uint32(b[:]))
	}
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func fromU128(hi, lo uint64, is4 bool) netip.Addr {
	if is4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b)
}

// Overlaps reports whether the two ranges share at least one address.
// Ranges of different families never do.
func (r IPRange) Overlaps(o IPRange) bool {
	return r.Is4() == o.Is4() && r.Start.Compare(o.End) <= 0 && o.Start.Compare(r.End) <= 0
}

// Width limits: a library, even a university, has no business claiming more
// than a /16 of IPv4 (65 536 addresses) or a /32 of IPv6 (a whole ISP's
// allocation); wider ranges are almost always a typo in the prefix length.
const (
	maxV4Addresses = 1 << 16
	maxV6HostBits  = 128 - 32
)

// TooWide reports whether the range is wider than a /16 (IPv4) or a /32
// (IPv6). It counts addresses, so an unaligned range of 65 536 IPv4
// addresses is still fine.
func (r IPRange) TooWide() bool {
	shi, slo := u128(r.Start)
	ehi, elo := u128(r.End)
	lo, borrow := bits.Sub64(elo, slo, 0)
	hi, _ := bits.Sub64(ehi, shi, borrow)
	// End-Start is one less than the count: too wide when it is ≥ the limit.
	if r.Is4() {
		return hi != 0 || lo >= maxV4Addresses
	}
	return hi >= 1<<(maxV6HostBits-64)
}

// CheckWidth is TooWide as a Problem.
func (r IPRange) CheckWidth() *Problem {
	if !r.TooWide() {
		return nil
	}
	limit := "/32"
	if r.Is4() {
		limit = "/16"
	}
	return problem("ip_range", CodeIPTooWide, r.String(), map[string]any{"Max": limit})
}

// Keys returns Start and End as 32 lower-case hex digits of their 16-byte
// form (IPv4 as ::ffff:a.b.c.d). Fixed width makes string order equal address
// order, so SQL can index the keys and find overlaps with
//
//	start_key <= other.end_key AND end_key >= other.start_key
//
// IPv4 keys sort inside ::ffff:0:0/96. ParseIPRange never yields an IPv6
// range there except one spanning that whole block (e.g. ::/0), which
// CheckPublic refuses, so stored v4 and v6 keys do not collide.
func (r IPRange) Keys() (startKey, endKey string) {
	s, e := r.Start.As16(), r.End.As16()
	return hex.EncodeToString(s[:]), hex.EncodeToString(e[:])
}

// FromKeys is the inverse of Keys, for reading rows back.
func FromKeys(startKey, endKey string) (IPRange, error) {
	start, err := addrFromKey(startKey)
	if err != nil {
		return IPRange{}, fmt.Errorf("start key: %w", err)
	}
	end, err := addrFromKey(endKey)
	if err != nil {
		return IPRange{}, fmt.Errorf("end key: %w", err)
	}
	if start.Is4() != end.Is4() {
		return IPRange{}, fmt.Errorf("keys %s and %s are of different address families", startKey, endKey)
	}
	if start.Compare(end) > 0 {
		return IPRange{}, fmt.Errorf("start key %s is after end key %s", startKey, endKey)
	}
	return IPRange{Start: start, End: end}, nil
}

func addrFromKey(k string) (netip.Addr, error) {
	if len(k) != 32 {
		return netip.Addr{}, fmt.Errorf("key %q: want 32 hex digits, have %d characters", k, len(k))
	}
	b, err := hex.DecodeString(k)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("key %q: %w", k, err)
	}
	return netip.AddrFrom16([16]byte(b)).Unmap(), nil
}
