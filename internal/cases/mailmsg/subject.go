package mailmsg

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// replyPrefix matches one reply/forward prefix: English, Nordic (SV, VS,
// VB, VL, Vs), German (AW, WG), Dutch (Antw), French (TR), Italian (R, I),
// optionally with a counter as in "Re[2]:" or "Re(2):".
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|fwd?|fw|sv|vs|vb|vl|aw|wg|antw|tr|r|i)\s*(\[\d+\]|\(\d+\))?\s*:\s*`)

var caseToken = regexp.MustCompile(`(?i)\[\s*samla\s*#\s*(\d{1,18})\s*\]`)

// NormalizeSubject strips reply/forward prefixes (repeated and nested),
// Samla case tokens, and collapses white space, so that "SV: Re: [Samla
// #12] Faktura" and "Faktura" compare equal. Case is kept; compare with
// strings.EqualFold.
func NormalizeSubject(s string) string {
	s = caseToken.ReplaceAllString(s, " ")
	for {
		t := replyPrefix.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return strings.Join(strings.Fields(s), " ")
}

// CaseToken finds the first "[Samla #123]" token in s.
func CaseToken(s string) (int64, bool) {
	sm := caseToken.FindStringSubmatch(s)
	if sm == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(sm[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// VendorRef finds a vendor's own ticket number in subject. Vendors are
// tried in name order so the result does not depend on map order. When a
// pattern has a capture group, the first group is the reference; otherwise
// the whole match is.
func VendorRef(patterns map[string]*regexp.Regexp, subject string) (vendor, ref string, ok bool) {
	refs := VendorRefs(patterns, subject)
	if len(refs) == 0 {
		return "", "", false
	}
	return refs[0].Vendor, refs[0].Ref, true
}

// VendorRefs returns every vendor whose pattern matches subject, in
// vendor name order, with the first match of each.
func VendorRefs(patterns map[string]*regexp.Regexp, subject string) []VendorMatch {
	names := make([]string, 0, len(patterns))
	for n, re := range patterns {
		if re != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []VendorMatch
	for _, n := range names {
		sm := patterns[n].FindStringSubmatch(subject)
		if sm == nil {
			continue
		}
		ref := sm[0]
		if len(sm) > 1 && sm[1] != "" {
			ref = sm[1]
		}
		out = append(out, VendorMatch{Vendor: n, Ref: ref})
	}
	return out
}
