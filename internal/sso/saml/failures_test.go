package saml

import (
	"regexp"
	"strings"
	"testing"
	"time"

	crewsaml "github.com/crewjam/saml"
)

var cipherValueRE = regexp.MustCompile(`CipherValue>([A-Za-z0-9+/=]{40,})<`)

// flip changes one character of s at i to another base64 character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestTamperedResponse(t *testing.T) {
	tests := []struct {
		name   string
		plain  bool
		tamper func(t *testing.T, xml string) string
		logged string
	}{
		{
			name: "byte of encrypted assertion",
			tamper: func(t *testing.T, xml string) string {
				m := cipherValueRE.FindAllStringSubmatchIndex(xml, -1)
				if len(m) == 0 {
					t.Fatalf("no CipherValue in %s", xml)
				}
				last := m[len(m)-1]
				return flip(xml, (last[2]+last[3])/2)
			},
			logged: "cannot validate signature on Response",
		},
		{
			name:  "NameID of plain assertion",
			plain: true,
			tamper: func(t *testing.T, xml string) string {
				return replaceOnce(t, xml, ">kari</saml:NameID>", ">olav</saml:NameID>")
			},
			logged: "cannot validate signature on Response",
		},
		{
			// Without the Response signature the assertion's own must hold.
			name:  "NameID of plain assertion, response signature removed",
			plain: true,
			tamper: func(t *testing.T, xml string) string {
				xml = replaceOnce(t, xml, ">kari</saml:NameID>", ">olav</saml:NameID>")
				start := strings.Index(xml, "<ds:Signature")
				end := strings.Index(xml, "</ds:Signature>") + len("</ds:Signature>")
				if start < 0 || end < start || !strings.Contains(xml[end:], "<ds:Signature") {
					t.Fatalf("cannot find the Response signature in %s", xml)
				}
				return xml[:start] + xml[end:]
			},
			logged: "cannot validate signature on Assertion",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpt{plain: tt.plain})
			answer := e.signIn("/", "kari", kari.Password)
			orig := responseXML(t, answer)
			if tt.plain == strings.Contains(orig, "EncryptedAssertion") {
				t.Fatalf("plain=%v but response is %s", tt.plain, orig)
			}
			e.wantRefused(e.acs(withResponse(answer, tt.tamper(t, orig))), ErrResponse, tt.logged)
		})
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("%q occurs %d times in %s", old, strings.Count(s, old), s)
	}
	return strings.Replace(s, old, new, 1)
}

// The IdP signs, correctly, an assertion meant for another SP.
func TestWrongAudience(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.idp.ModifyAssertions(func(a *crewsaml.Assertion) {
		a.Conditions.AudienceRestrictions = []crewsaml.AudienceRestriction{{Audience: crewsaml.Audience{Value: "https://other-sp.example/sso/saml/metadata"}}}
	})
	e.wantRefused(e.acs(e.signIn("/", "kari", kari.Password)), ErrResponse, "AudienceRestriction does not contain")
}

func TestExpired(t *testing.T) {
	t.Run("answer posted too late", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		answer := e.signIn("/", "kari", kari.Password)
		// crewjam's clock is a package variable; hence no t.Parallel here.
		orig := crewsaml.TimeNow
		t.Cleanup(func() { crewsaml.TimeNow = orig })
		crewsaml.TimeNow = func() time.Time { return orig().Add(5 * time.Minute) }
		e.wantRefused(e.acs(answer), ErrResponse, "expired")
	})
	t.Run("assertion validity window over", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		e.idp.ModifyAssertions(func(a *crewsaml.Assertion) {
			a.Conditions.NotBefore = time.Now().Add(-time.Hour)
			a.Conditions.NotOnOrAfter = time.Now().Add(-10 * time.Minute)
		})
		e.wantRefused(e.acs(e.signIn("/", "kari", kari.Password)), ErrResponse, "assertion Conditions is expired")
	})
	t.Run("assertion not yet valid", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		e.idp.ModifyAssertions(func(a *crewsaml.Assertion) {
			a.Conditions.NotBefore = time.Now().Add(10 * time.Minute)
		})
		e.wantRefused(e.acs(e.signIn("/", "kari", kari.Password)), ErrResponse, "not yet valid")
	})
}

func TestNoPendingRequest(t *testing.T) {
	t.Run("unknown RelayState", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		answer := e.signIn("/", "kari", kari.Password)
		answer.values.Set("RelayState", "made-up")
		e.wantRefused(e.acs(answer), ErrRequest, "")
	})
	t.Run("unsolicited (IdP-initiated) response", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		answer := e.signIn("/", "kari", kari.Password)
		answer.values.Del("RelayState")
		e.wantRefused(e.acs(answer), ErrRequest, "")
	})
	t.Run("expired RelayState", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		answer := e.signIn("/", "kari", kari.Password)
		e.p.now = func() time.Time { return time.Now().Add(relayTTL + time.Second) }
		e.wantRefused(e.acs(answer), ErrRequest, "")
	})
	t.Run("response to another request", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		first := e.signIn("/", "kari", kari.Password)
		second := e.signIn("/", "kari", kari.Password) // IdP session: no form
		first.values.Set("RelayState", second.values.Get("RelayState"))
		e.wantRefused(e.acs(first), ErrRequest, "InResponseTo does not match")
	})
}

func TestReplay(t *testing.T) {
	e := newEnv(t, envOpt{})
	answer := e.signIn("/after", "kari", kari.Password)
	if status := e.acs(answer); status != 200 {
		t.Fatalf("first post: %d %v", status, e.fin.lastErr())
	}

	// The very same POST again: its RelayState is spent.
	status := e.acs(answer)
	if err := e.fin.lastErr(); status != 403 || !errorsIs(err, ErrRequest) {
		t.Fatalf("same POST again: %d %v, want ErrRequest", status, err)
	}

	// Even with a live RelayState for the same request ID (which the
	// single-use RelayState should make impossible), the assertion ID
	// is refused.
	m := inResponseToRE.FindStringSubmatch(responseXML(t, answer))
	if m == nil {
		t.Fatal("no InResponseTo")
	}
	now := e.p.now()
	e.p.relay.put(now, "fresh", pending{requestID: m[1], next: "/", expires: now.Add(time.Minute)})
	answer.values.Set("RelayState", "fresh")
	status = e.acs(answer)
	if err := e.fin.lastErr(); status != 403 || !errorsIs(err, ErrReplay) {
		t.Fatalf("replayed assertion: %d %v, want ErrReplay", status, err)
	}
	if ids, _ := e.fin.counts(); ids != 1 {
		t.Errorf("SignedIn called %d times, want 1", ids)
	}
}
