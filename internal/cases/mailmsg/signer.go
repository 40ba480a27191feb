package mailmsg

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Signer makes and checks Samla's own signed references. Outgoing
// Message-IDs and reply addresses carry the case number and a truncated
// HMAC, so a reply is tied to its case even when the subject was rewritten,
// and a forged or foreign id cannot steer mail into a case.
type Signer struct {
	Key    []byte
	Domain string
}

// macLen is the number of HMAC-SHA256 bytes kept (hex-encoded: 16 chars).
const macLen = 8

func (s Signer) mac(kind, caseNo, unique string) string {
	h := hmac.New(sha256.New, s.Key)
	h.Write([]byte(kind + "\x00" + caseNo + "\x00" + unique + "\x00" + strings.ToLower(s.Domain)))
	return hex.EncodeToString(h.Sum(nil)[:macLen])
}

// MessageID returns "<samla.c123.<unique>.<mac>@domain>". unique is
// reduced to letters, digits, '-' and '_'; when empty a random one is made.
func (s Signer) MessageID(caseNo int64, unique string) string {
	unique = cleanUnique(unique)
	if unique == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		unique = hex.EncodeToString(b[:])
	}
	c := strconv.FormatInt(caseNo, 10)
	return "<samla.c" + c + "." + unique + "." + s.mac("msgid", c, unique) + "@" + s.Domain + ">"
}

func cleanUnique(u string) string {
	var b strings.Builder
	for _, r := range u {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Verify checks an id made by MessageID (with or without <>) and returns
// its case number. Ids for another domain, with a wrong MAC, or made with
// another key are refused.
func (s Signer) Verify(id string) (caseNo int64, ok bool) {
	if len(s.Key) == 0 {
		return 0, false
	}
	id = NormalizeID(id)
	local, domain, found := cutLast(id, "@")
	if !found || !strings.EqualFold(domain, s.Domain) {
		return 0, false
	}
	rest, okp := strings.CutPrefix(local, "samla.c")
	if !okp {
		return 0, false
	}
	num, rest, okn := strings.Cut(rest, ".")
	if !okn {
		return 0, false
	}
	unique, mac, okm := cutLast(rest, ".")
	if !okm || unique == "" || cleanUnique(unique) != unique {
		return 0, false
	}
	n, okc := parseCaseNo(num)
	if !okc {
		return 0, false
	}
	if !hmac.Equal([]byte(strings.ToLower(mac)), []byte(s.mac("msgid", num, unique))) {
		return 0, false
	}
	return n, true
}

// ReplyAddress returns "local+c123.<mac>@domain".
func (s Signer) ReplyAddress(local string, caseNo int64) string {
	c := strconv.FormatInt(caseNo, 10)
	return local + "+c" + c + "." + s.mac("addr", c, "") + "@" + s.Domain
}

// VerifyAddress checks an address made by ReplyAddress (bare, or in a
// "Name <addr>" form) and returns its case number. The local part before
// '+' is not signed, so renaming the mailbox keeps old replies working.
func (s Signer) VerifyAddress(addr string) (int64, bool) {
	if len(s.Key) == 0 {
		return 0, false
	}
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndexByte(addr, '<'); i >= 0 {
		addr = strings.TrimSuffix(addr[i+1:], ">")
	}
	local, domain, found := cutLast(addr, "@")
	if !found || !strings.EqualFold(domain, s.Domain) {
		return 0, false
	}
	_, tag, okt := strings.Cut(local, "+")
	if !okt {
		return 0, false
	}
	rest, okp := strings.CutPrefix(strings.ToLower(tag), "c")
	if !okp {
		return 0, false
	}
	num, mac, okm := strings.Cut(rest, ".")
	if !okm {
		return 0, false
	}
	n, okc := parseCaseNo(num)
	if !okc {
		return 0, false
	}
	if !hmac.Equal([]byte(mac), []byte(s.mac("addr", num, ""))) {
		return 0, false
	}
	return n, true
}

// parseCaseNo accepts only canonical positive decimals, so that "c0123"
// cannot reuse the MAC of "c123" under a different spelling.
func parseCaseNo(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
