package validate

import (
	"slices"
	"testing"
)

func TestCheckPublic(t *testing.T) {
	tests := []struct {
		in, block, kind string // block "" means public
	}{
		// IPv4, each reserved block, at its edges where that matters
		{"0.0.0.0", "0.0.0.0/8", KindUnspecified},
		{"0.255.255.255", "0.0.0.0/8", KindUnspecified},
		{"10.1.2.3", "10.0.0.0/8", KindPrivate},
		{"100.64.0.1", "100.64.0.0/10", KindCGNAT},
		{"100.127.255.255", "100.64.0.0/10", KindCGNAT},
		{"127.0.0.1", "127.0.0.0/8", KindLoopback},
		{"169.254.10.20", "169.254.0.0/16", KindLinkLocal},
		{"172.16.0.1", "172.16.0.0/12", KindPrivate},
		{"172.31.255.255", "172.16.0.0/12", KindPrivate},
		{"192.0.0.8", "192.0.0.0/24", KindReserved},
		{"192.0.2.1", "192.0.2.0/24", KindDocumentation},
		{"192.88.99.1", "192.88.99.0/24", KindReserved},
		{"192.168.1.1", "192.168.0.0/16", KindPrivate},
		{"198.18.0.1", "198.18.0.0/15", KindReserved},
		{"198.19.255.255", "198.18.0.0/15", KindReserved},
		{"198.51.100.7", "198.51.100.0/24", KindDocumentation},
		{"203.0.113.7", "203.0.113.0/24", KindDocumentation},
		{"224.0.0.1", "224.0.0.0/4", KindMulticast},
		{"239.255.255.255", "224.0.0.0/4", KindMulticast},
		{"240.0.0.1", "240.0.0.0/4", KindReserved},
		{"255.255.255.254", "240.0.0.0/4", KindReserved},
		{"255.255.255.255", "255.255.255.255/32", KindReserved},

		// ranges that only partly touch a reserved block
		{"9.255.255.0-10.0.0.5", "10.0.0.0/8", KindPrivate},
		{"172.15.255.0-172.16.0.3", "172.16.0.0/12", KindPrivate},
		{"172.31.255.250-172.32.0.10", "172.16.0.0/12", KindPrivate},
		{"192.167.255.250-192.168.0.1", "192.168.0.0/16", KindPrivate},
		{"100.63.255.0/24", "", ""},
		{"100.63.255.0-100.64.0.0", "100.64.0.0/10", KindCGNAT},
		{"223.255.255.0-224.0.0.0", "224.0.0.0/4", KindMulticast},
		{"0.0.0.0/0", "0.0.0.0/8", KindUnspecified},

		// public IPv4, including the neighbours of reserved blocks
		{"193.157.0.0/16", "", ""},
		{"8.8.8.8", "", ""},
		{"1.0.0.0", "", ""},
		{"9.0.0.0-9.255.255.255", "", ""},
		{"11.0.0.0", "", ""},
		{"100.128.0.0", "", ""},
		{"126.255.255.255", "", ""},
		{"128.0.0.0", "", ""},
		{"169.253.255.255", "", ""},
		{"172.15.255.255", "", ""},
		{"172.32.0.0", "", ""},
		{"192.0.1.0/24", "", ""},
		{"192.0.3.0", "", ""},
		{"192.169.0.0", "", ""},
		{"198.17.255.255", "", ""},
		{"198.20.0.0", "", ""},
		{"223.255.255.255", "", ""},

		// IPv6
		{"::", "::/128", KindUnspecified},
		{"::1", "::1/128", KindLoopback},
		{"::fffe:0:0-::1:0:0:0", "::ffff:0.0.0.0/96", KindReserved},
		{"64:ff9b::c000:201", "64:ff9b::/96", KindReserved},
		{"100::1", "100::/64", KindReserved},
		{"2001::1", "2001::/23", KindReserved},
		{"2001:2::1", "2001::/23", KindReserved},
		{"2001:db8::1", "2001:db8::/32", KindDocumentation},
		{"2001:db8:1::/48", "2001:db8::/32", KindDocumentation},
		{"3fff::1", "3fff::/20", KindDocumentation},
		{"3fff:fff::1", "3fff::/20", KindDocumentation},
		{"fc00::1", "fc00::/7", KindPrivate},
		{"fd12:3456:789a::1", "fc00::/7", KindPrivate},
		{"fe80::1", "fe80::/10", KindLinkLocal},
		{"ff02::1", "ff00::/8", KindMulticast},
		{"::2", "::/3", KindReserved},
		{"1fff:ffff::1", "::/3", KindReserved},
		{"4000::1", "4000::/2", KindReserved},
		{"8000::1", "8000::/1", KindReserved},
		{"e000::1", "8000::/1", KindReserved},
		{"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff-2000::5", "::/3", KindReserved},
		{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ff00-2001:200::1", "2001::/23", KindReserved},
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff-2001:db8::", "2001:db8::/32", KindDocumentation},
		{"::/0", "::/128", KindUnspecified},

		// public IPv6
		{"2001:700::/32", "", ""},
		{"2001:700:100::/48", "", ""},
		{"2001:200::1", "", ""},
		{"2001:db9::", "", ""},
		{"2a00:1450:400f::1", "", ""},
		{"2000::", "", ""},
		{"3fff:1000::1", "", ""},
		{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "", ""},
	}
	blocksSeen := map[string]bool{}
	for _, tt := range tests {
		r := mustRange(t, tt.in)
		p := r.CheckPublic()
		if tt.block == "" {
			wantCode(t, p, "")
			continue
		}
		wantCode(t, p, CodeIPNotPublic)
		if p == nil {
			continue
		}
		blocksSeen[p.Args["Block"].(string)] = true
		if p.Args["Block"] != tt.block || p.Args["Kind"] != tt.kind {
			t.Errorf("%s: Block %v, Kind %v; want %s, %s", tt.in, p.Args["Block"], p.Args["Kind"], tt.block, tt.kind)
		}
		if p.Field != "ip_range" || p.Value != r.String() {
			t.Errorf("%s: problem %+v", tt.in, p)
		}
	}
	// Every listed block is reachable, i.e. not shadowed by an earlier one.
	for _, b := range reserved {
		if !blocksSeen[b.prefix.String()] {
			t.Errorf("no test reports reserved block %v", b.prefix)
		}
	}
	kinds := []string{KindPrivate, KindLoopback, KindLinkLocal, KindDocumentation, KindMulticast, KindReserved, KindCGNAT, KindUnspecified}
	for _, b := range reserved {
		if !slices.Contains(kinds, b.kind) {
			t.Errorf("%v: unknown kind %q", b.prefix, b.kind)
		}
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"1.2.3.0/24, 5.6.7.8 - 5.6.7.20\n2001:db8::/48", []string{"1.2.3.0/24", "5.6.7.8 - 5.6.7.20", "2001:db8::/48"}},
		{"", nil},
		{" \n , ;\r\n ", nil},
		{"1.2.3.4", []string{"1.2.3.4"}},
		{"1.2.3.4 5.6.7.8", []string{"1.2.3.4", "5.6.7.8"}},
		{"1.2.3.4\t5.6.7.8\r\n9.9.9.9", []string{"1.2.3.4", "5.6.7.8", "9.9.9.9"}},
		{"1.2.3.4;5.6.7.8,,9.9.9.9", []string{"1.2.3.4", "5.6.7.8", "9.9.9.9"}},
		{"1.2.3.4-1.2.3.9,1.2.3.10", []string{"1.2.3.4-1.2.3.9", "1.2.3.10"}},
		{"1.2.3.4 -5.6.7.8", []string{"1.2.3.4 -5.6.7.8"}},
		{"1.2.3.4- 5.6.7.8 9.9.9.9", []string{"1.2.3.4- 5.6.7.8", "9.9.9.9"}},
		{"1.2.3.4  –  1.2.3.9; 10.0.0.0/8", []string{"1.2.3.4  –  1.2.3.9", "10.0.0.0/8"}},
		{"1.2.3.4 — 1.2.3.9 2001:700::/32", []string{"1.2.3.4 — 1.2.3.9", "2001:700::/32"}},
		{"193.157.1.10 - 99 193.157.2.1", []string{"193.157.1.10 - 99", "193.157.2.1"}},
		{"1.2.3.4 -", []string{"1.2.3.4 -"}}, // kept whole so the parser reports it
		{"- 1.2.3.4", []string{"- 1.2.3.4"}},
		{"1.2.3.4\u00a05.6.7.8", []string{"1.2.3.4", "5.6.7.8"}},
		{"2001:700::1 - 2001:700::ff\n2001:700:100::/48", []string{"2001:700::1 - 2001:700::ff", "2001:700:100::/48"}},
	}
	for _, tt := range tests {
		if got := SplitList(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	// A whole cell as a library might send it: every piece parses.
	cell := "193.157.0.0/16,\n 129.240.1.10 – 129.240.1.99;2001:700:100::/48\n158.36.*.*  158.39.1.5 - 20"
	want := []string{"193.157.0.0/16", "129.240.1.10-129.240.1.99", "2001:700:100::/48", "158.36.0.0/16", "158.39.1.5-158.39.1.20"}
	var got []string
	for _, s := range SplitList(cell) {
		got = append(got, mustRange(t, s).String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("cell parsed as %q, want %q", got, want)
	}
}
