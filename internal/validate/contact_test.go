package validate

import "testing"

func TestEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"post@bibliotek.no", "post@bibliotek.no"},
		{"  Post@Bibliotek.NO ", "Post@bibliotek.no"}, // the local part is the server's business
		{"ola.nordmann+samla@deichman.oslo.kommune.no", "ola.nordmann+samla@deichman.oslo.kommune.no"},
		{"bibliotek@ås.kommune.no", "bibliotek@ås.kommune.no"},
		{"info@bibliotek.se", "info@bibliotek.se"},

		{"", ""},
		{"post", ""},
		{"post@", ""},
		{"@bibliotek.no", ""},
		{"post@bibliotek", ""},         // no dot
		{"post@bibliotek.n", ""},       // one-letter TLD
		{"post@bibliotek..no", ""},     // empty label
		{"post@.bibliotek.no", ""},     // empty label
		{"post@bibliotek.no.", ""},     // trailing dot
		{"post@-bibliotek.no", ""},     // label starting with a hyphen
		{"post@[192.0.2.1]", ""},       // domain literal
		{"Ola <ola@bibliotek.no>", ""}, // display name
		{"<ola@bibliotek.no>", ""},     // brackets
		{"ola@bibliotek.no (Ola)", ""}, // comment
		{"a@b.no, c@d.no", ""},         // two addresses
		{"ola nordmann@bibliotek.no", ""},
		{"ola@bibliotek .no", ""},
	}
	for _, tt := range tests {
		got, p := Email(tt.in)
		if tt.want == "" {
			wantCode(t, p, CodeEmail)
			if p != nil && (p.Field != "email" || p.Value != tt.in) {
				t.Errorf("Email(%q): problem %+v", tt.in, p)
			}
		} else {
			wantCode(t, p, "")
		}
		if got != tt.want {
			t.Errorf("Email(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWebsite(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.bibliotek.no", "https://www.bibliotek.no"},
		{"http://bibliotek.no/", "http://bibliotek.no/"},
		{"www.example.no", "https://www.example.no"},
		{"  deichman.no/arrangementer?x=1 ", "https://deichman.no/arrangementer?x=1"},
		{"HTTPS://WWW.Bibliotek.NO/Åpningstider", "https://www.bibliotek.no/Åpningstider"},
		{"https://bibliotek.no:8443/x", "https://bibliotek.no:8443/x"},
		{"Bibliotek.no?q=Å#Topp", "https://bibliotek.no?q=Å#Topp"},
		{"http://193.157.1.10/", "http://193.157.1.10/"},

		{"", ""},
		{"   ", ""},
		{"ftp://bibliotek.no", ""},
		{"mailto:post@bibliotek.no", ""},
		{"javascript:alert(1)", ""},
		{"https://", ""},
		{"https://localhost", ""},
		{"bibliotek", ""},
		{"https://user:pw@bibliotek.no", ""},
		{"https://www.bibliotek .no", ""},
		{"https://bibliotek..no", ""},
		{"https://bibliotek.no:port", ""},
		{"https://[2001:db8::1]/", ""},
	}
	for _, tt := range tests {
		got, p := Website(tt.in)
		if tt.want == "" {
			wantCode(t, p, CodeURL)
			if p != nil && (p.Field != "website" || p.Value != tt.in) {
				t.Errorf("Website(%q): problem %+v", tt.in, p)
			}
		} else {
			wantCode(t, p, "")
		}
		if got != tt.want {
			t.Errorf("Website(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
