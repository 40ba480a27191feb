package validate

import (
	"net/mail"
	"net/url"
	"strings"
)

// Email checks that s is one bare e-mail address, such as post@bibliotek.no,
// and returns it trimmed with the domain lower-cased. Display names
// ("Ola <ola@x.no>"), angle brackets and comments are refused: the field
// holds an address, and a name in it ends up in every mail merge.
//
// This is a pragmatic check, not RFC 5322: it also demands a dot in the
// domain and a top-level label of at least two characters, which catches
// "ola@bibliotek" and "ola@bibliotek.n".
func Email(s string) (string, *Problem) {
	v := strings.TrimSpace(s)
	bad := problem("email", CodeEmail, s, nil)
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return "", bad
	}
	at := strings.LastIndexByte(v, '@')
	local, domain := v[:at], strings.ToLower(v[at+1:])
	if !plausibleHost(domain) {
		return "", bad
	}
	return local + "@" + domain, nil
}

// plausibleHost: dotted labels, none empty, no domain literal, and a
// top-level label of two characters or more.
func plausibleHost(h string) bool {
	if strings.ContainsAny(h, "[]") || !strings.Contains(h, ".") {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
	}
	return len([]rune(labels[len(labels)-1])) >= 2
}

// Website checks an http or https address and returns it with the scheme and
// host lower-cased. A bare "www.example.no" gets https:// in front, since
// that is how most people write a library's address.
func Website(s string) (string, *Problem) {
	v := strings.TrimSpace(s)
	bad := problem("website", CodeURL, s, nil)
	if v == "" || strings.ContainsAny(v, " \t\r\n") {
		return "", bad
	}
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.User != nil || u.Opaque != "" {
		return "", bad
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", bad
	}
	host := strings.ToLower(u.Hostname())
	if !plausibleHost(host) {
		return "", bad
	}
	// Rebuild from the text rather than u.String(), which would
	// percent-encode "/Åpningstider" into something no librarian recognises.
	_, afterScheme, _ := strings.Cut(v, "://")
	rest := ""
	if i := strings.IndexAny(afterScheme, "/?#"); i >= 0 {
		rest = afterScheme[i:]
	}
	return u.Scheme + "://" + strings.ToLower(u.Host) + rest, nil
}
