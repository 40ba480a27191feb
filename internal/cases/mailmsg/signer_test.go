package mailmsg

import (
	"strings"
	"testing"
)

var testSigner = Signer{Key: []byte("test key, not secret"), Domain: "konsortium.example"}

func TestSignerMessageIDRoundTrip(t *testing.T) {
	id := testSigner.MessageID(123, "20261123T1200.a1")
	if !strings.HasPrefix(id, "<samla.c123.20261123T1200-a1.") || !strings.HasSuffix(id, "@konsortium.example>") {
		t.Fatalf("id = %q", id)
	}
	for _, form := range []string{id, NormalizeID(id), " " + id + " ", strings.ToUpper(id[:0]) + strings.Replace(id, "konsortium.example", "KONSORTIUM.example", 1)} {
		n, ok := testSigner.Verify(form)
		if !ok || n != 123 {
			t.Errorf("Verify(%q) = %d, %v", form, n, ok)
		}
	}
	// It survives a trip through a parsed reply's In-Reply-To.
	m, err := Parse([]byte("From: a@b\nIn-Reply-To: " + id + "\nSubject: totally rewritten\n\nhi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := testSigner.Verify(m.InReplyTo[0]); !ok || n != 123 {
		t.Errorf("Verify(parsed In-Reply-To) = %d, %v", n, ok)
	}
	// Empty unique gets a random one; two calls differ and both verify.
	a, b := testSigner.MessageID(5, ""), testSigner.MessageID(5, "")
	if a == b {
		t.Errorf("two random ids are equal: %q", a)
	}
	for _, x := range []string{a, b} {
		if n, ok := testSigner.Verify(x); !ok || n != 5 {
			t.Errorf("Verify(%q) = %d, %v", x, n, ok)
		}
	}
}

func TestSignerRefusesTampered(t *testing.T) {
	id := NormalizeID(testSigner.MessageID(123, "u1"))
	local, domain, _ := strings.Cut(id, "@")
	mac := local[strings.LastIndex(local, ".")+1:]
	flip := func(s string) string {
		c := s[0]
		if c == '0' {
			c = '1'
		} else {
			c = '0'
		}
		return string(c) + s[1:]
	}
	bad := []string{
		strings.Replace(id, "samla.c123.", "samla.c124.", 1),  // other case number
		strings.Replace(id, "samla.c123.", "samla.c0123.", 1), // non-canonical number
		strings.Replace(id, ".u1.", ".u2.", 1),                // other unique
		strings.Replace(id, mac, flip(mac), 1),                // wrong MAC
		strings.Replace(id, mac, mac[:len(mac)-2], 1),         // short MAC
		local + "@evil.example",                               // foreign domain
		strings.Replace(id, "samla.", "other.", 1),            // foreign prefix
		"samla.c123.u1@" + domain,                             // no MAC
		"1234@local.machine.example",                          // someone else's id
		"",
	}
	for _, b := range bad {
		if n, ok := testSigner.Verify(b); ok {
			t.Errorf("Verify(%q) accepted as case %d", b, n)
		}
	}
	other := Signer{Key: []byte("another key"), Domain: testSigner.Domain}
	if _, ok := other.Verify(id); ok {
		t.Error("id verified under the wrong key")
	}
	if _, ok := (Signer{Domain: testSigner.Domain}).Verify(id); ok {
		t.Error("id verified with an empty key")
	}
}

func TestSignerReplyAddress(t *testing.T) {
	addr := testSigner.ReplyAddress("post", 123)
	if !strings.HasPrefix(addr, "post+c123.") || !strings.HasSuffix(addr, "@konsortium.example") {
		t.Fatalf("addr = %q", addr)
	}
	for _, form := range []string{addr, "Samla <" + addr + ">", strings.ToUpper(addr), strings.Replace(addr, "post+", "kundeservice+", 1)} {
		if n, ok := testSigner.VerifyAddress(form); !ok || n != 123 {
			t.Errorf("VerifyAddress(%q) = %d, %v", form, n, ok)
		}
	}
	tag := addr[strings.Index(addr, ".")+1 : strings.Index(addr, "@")]
	bad := []string{
		strings.Replace(addr, "+c123.", "+c124.", 1),
		strings.Replace(addr, tag, strings.Repeat("0", len(tag)), 1),
		strings.Replace(addr, "konsortium.example", "evil.example", 1),
		"post@konsortium.example",
		"post+c123@konsortium.example",
		// A message-id MAC must not work as an address MAC.
		"post+c123." + macOf(testSigner.MessageID(123, "")) + "@konsortium.example",
	}
	for _, b := range bad {
		if n, ok := testSigner.VerifyAddress(b); ok {
			t.Errorf("VerifyAddress(%q) accepted as case %d", b, n)
		}
	}
	if _, ok := (Signer{Key: []byte("x"), Domain: testSigner.Domain}).VerifyAddress(addr); ok {
		t.Error("address verified under the wrong key")
	}
}

func macOf(id string) string {
	local, _, _ := strings.Cut(NormalizeID(id), "@")
	return local[strings.LastIndex(local, ".")+1:]
}
