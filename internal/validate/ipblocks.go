package validate

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of non-public address space, as passed in the Kind argument.
const (
	KindPrivate       = "private"
	KindLoopback      = "loopback"
	KindLinkLocal     = "link_local"
	KindDocumentation = "documentation"
	KindMulticast     = "multicast"
	KindReserved      = "reserved"
	KindCGNAT         = "cgnat"
	KindUnspecified   = "unspecified"
)

type reservedBlock struct {
	prefix netip.Prefix
	kind   string
}

// reserved is checked in order and the first block touched is reported, so
// a small specific block comes before a wide one that contains it: a user
// who typed 255.255.255.255 should read "broadcast", not "240.0.0.0/4".
// Sources: the IANA IPv4 and IPv6 special-purpose address registries.
var reserved = func() []reservedBlock {
	list := []struct{ prefix, kind string }{
		{"0.0.0.0/8", KindUnspecified}, // "this network"
		{"10.0.0.0/8", KindPrivate},
		{"100.64.0.0/10", KindCGNAT},
		{"127.0.0.0/8", KindLoopback},
		{"169.254.0.0/16", KindLinkLocal},
		{"172.16.0.0/12", KindPrivate},
		{"192.0.0.0/24", KindReserved}, // IETF protocol assignments
		{"192.0.2.0/24", KindDocumentation},
		{"192.88.99.0/24", KindReserved}, // former 6to4 relay anycast, RFC 7526
		{"192.168.0.0/16", KindPrivate},
		{"198.18.0.0/15", KindReserved}, // benchmarking
		{"198.51.100.0/24", KindDocumentation},
		{"203.0.113.0/24", KindDocumentation},
		{"224.0.0.0/4", KindMulticast},
		{"255.255.255.255/32", KindReserved}, // limited broadcast
		{"240.0.0.0/4", KindReserved},

		{"::/128", KindUnspecified},
		{"::1/128", KindLoopback},
		{"::ffff:0:0/96", KindReserved}, // IPv4-mapped; only a range spanning it gets here
		{"64:ff9b::/96", KindReserved},  // NAT64
		{"100::/64", KindReserved},      // discard
		{"2001::/23", KindReserved},     // IETF protocol assignments: Teredo, benchmarking, ORCHID
		{"2001:db8::/32", KindDocumentation},
		{"3fff::/20", KindDocumentation}, // RFC 9637
		{"fc00::/7", KindPrivate},        // unique local
		{"fe80::/10", KindLinkLocal},
		{"ff00::/8", KindMulticast},
		// Everything outside 2000::/3, the only block IANA allocates global
		// unicast from. Listed last so the specific blocks above win.
		{"::/3", KindReserved},
		{"4000::/2", KindReserved},
		{"8000::/1", KindReserved},
	}
	out := make([]reservedBlock, len(list))
	for i, b := range list {
		out[i] = reservedBlock{netip.MustParsePrefix(b.prefix), b.kind}
	}
	return out
}()

// CheckPublic refuses a range that touches any address that is not public
// on the internet: such an address can never be where a library's users come
// from, so granting access for it is a mistake at best. One reserved address
// is enough; the Problem names the first reserved block touched.
func (r IPRange) CheckPublic() *Problem {
	for _, b := range reserved {
		br := IPRange{Start: b.prefix.Addr(), End: lastAddr(b.prefix)}
		if r.Overlaps(br) {
			return problem("ip_range", CodeIPNotPublic, r.String(), map[string]any{"Block": b.prefix.String(), "Kind": b.kind})
		}
	}
	return nil
}

// SplitList splits a spreadsheet cell holding several ranges, separated by
// newlines, commas, semicolons or white space. A dash with spaces around it
// joins its neighbours into one range: "5.6.7.8 - 5.6.7.20" stays whole.
// Each element is returned as written (trimmed), for ParseIPRange and for
// quoting back in a Problem.
func SplitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ';'
	}) {
		out = append(out, splitWords(part)...)
	}
	return out
}

// splitWords splits one separator-free piece on white space, then glues
// words back together across dashes.
func splitWords(s string) []string {
	type span struct{ from, to int }
	var words []span
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		words = append(words, span{i, j})
		i = j
	}

	isDash := func(r rune) bool { return strings.ContainsRune(rangeDashes, r) }
	endsInDash := func(w span) bool {
		r, _ := utf8.DecodeLastRuneInString(s[w.from:w.to])
		return isDash(r)
	}
	startsWithDash := func(w span) bool {
		r, _ := utf8.DecodeRuneInString(s[w.from:w.to])
		return isDash(r)
	}

	var out []string
	for k := 0; k < len(words); k++ {
		cur := words[k]
		// Keep absorbing the next word while the join sits on a dash:
		// "a -", "- b", "a - b", "a -b", "a- b".
		for k+1 < len(words) && (endsInDash(cur) || startsWithDash(words[k+1])) {
			k++
			cur.to = words[k].to
		}
		out = append(out, s[cur.from:cur.to])
	}
	return out
}
