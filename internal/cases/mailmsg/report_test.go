package mailmsg

import (
	"reflect"
	"strings"
	"testing"
)

// The values below were read from the fixtures themselves: the returned
// message/rfc822 part's header and the message/delivery-status part.
func TestReturnedFixtures(t *testing.T) {
	cases := []struct {
		file string
		want *ReturnedHeaders
	}{
		// The returned Exchange 2007 message has no Message-ID; Subject
		// and From still identify it.
		{"bounce/exchange2007-dsn.eml", &ReturnedHeaders{
			Subject: "Nyaan", From: "kijitora@example.jp",
			FailedRecipients: []string{"mikeneko@example.co.jp"},
		}},
		// Gmail leaves message/delivery-status empty; the failed
		// recipient comes from X-Failed-Recipients.
		{"bounce/gmail-dsn-multipart-report.eml", &ReturnedHeaders{
			MessageID:        "CAByYQsF5qdTf_h-1AAVPW0RgR1YN+LE=+0Uv9LpQ4aA_myPtCw@mail.gmail.com",
			InReplyTo:        "CAByYQsEaO0O4GgfWivReAX=r_OECkcwQgkgSbXJy7LeCm5vvNg@mail.gmail.com",
			Subject:          "Nyaan",
			From:             "michitsuna@example.jp",
			FailedRecipients: []string{"neko-nyaan-cat-meeting@google-groups.example.com"},
		}},
		{"bounce/office365-dsn-in-reply-to.eml", &ReturnedHeaders{
			MessageID:        "20171013111011.20866.254C2F3A4D7AA526@ninomail.com",
			Subject:          "test_bounce 8",
			From:             "noname@mailgunhq.com",
			FailedRecipients: []string{"noname@example.com"},
		}},
		// Postfix returned an empty message/rfc822 part (and no closing
		// boundary); the Original-Recipient is the address as sent, the
		// Final-Recipient (r@p351355.pool.example.ne.jp) an alias of it.
		{"bounce/postfix-dsn.eml", &ReturnedHeaders{
			FailedRecipients: []string{"kijitora@example.org"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m := parseFixture(t, c.file)
			if !reflect.DeepEqual(m.Returned, c.want) {
				t.Errorf("Returned = %+v\nwant       %+v", m.Returned, c.want)
			}
		})
	}

	// Exchange Online threads its NDR itself; the returned Message-ID
	// must agree with that.
	m := parseFixture(t, "bounce/office365-dsn-in-reply-to.eml")
	if len(m.InReplyTo) != 1 || m.Returned == nil || m.InReplyTo[0] != m.Returned.MessageID {
		t.Errorf("In-Reply-To %q does not match returned Message-ID %+v", m.InReplyTo, m.Returned)
	}

	m = parseFixture(t, "malformed/multipart-report-without-boundary.eml")
	if m.Returned != nil && (m.Returned.MessageID != "" || len(m.Returned.FailedRecipients) != 0) {
		t.Errorf("report without boundary: Returned = %+v", m.Returned)
	}
}

func TestReturnedNilForOtherMail(t *testing.T) {
	for _, f := range fixtures {
		if strings.HasPrefix(f.file, "bounce/") {
			continue
		}
		m := parseFixture(t, f.file)
		if m.Returned != nil {
			t.Errorf("%s: Returned = %+v, want nil", f.file, m.Returned)
		}
	}
}

const dsnHead = "From: MAILER-DAEMON@mx.example.no\nTo: saksbehandler@samla.example\nSubject: Returned mail\nMessage-ID: <dsn-1@mx.example.no>\n"

func TestReturnedSynthetic(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want *ReturnedHeaders
	}{
		{
			name: "rfc822-headers, several recipients, folded fields",
			raw: dsnHead + "X-Failed-Recipients: <Per@Example.NO>, ola@example.se\n" +
				"Content-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"b1\"\n\n" +
				"--b1\nContent-Type: text/plain\n\nSorry.\n" +
				"--b1\nContent-Type: message/delivery-status\n\n" +
				"Reporting-MTA: dns; mx.example.no\n\n" +
				"Final-Recipient: rfc822;\n kari@example.no\nAction: failed\nStatus: 5.1.1\n\n" +
				"Original-Recipient: rfc822;per@example.no\nFinal-Recipient: rfc822;\n  per.hansen@example.no\nAction: failed (mailbox full)\nStatus: 5.2.2\n\n\n" +
				"Final-Recipient: rfc822; later@example.no\nAction: delayed\n\n" +
				"Final-Recipient: rfc822; ok@example.no\nAction: delivered\n\n" +
				"Final-Recipient: x400; /G=Ola/S=Nordmann/\nAction: failed\n\n" +
				"Final-Recipient: utf-8; bjørn@eksempel.no\nACTION: FAILED\n" +
				"--b1\nContent-Type: text/rfc822-headers\n\n" +
				"Message-ID: <samla.c42.abc.0123456789abcdef@samla.example>\n" +
				"In-Reply-To: <first@example.no> <second@example.no>\n" +
				"References: <root@example.no>\n <first@example.no>\n" +
				"Subject: =?utf-8?q?Sv=C3=A6r_om_tilgang?=\n" +
				"From: \"Samla support\" <support@samla.example>\n" +
				"--b1--\n",
			want: &ReturnedHeaders{
				MessageID:  "samla.c42.abc.0123456789abcdef@samla.example",
				InReplyTo:  "first@example.no",
				References: []string{"root@example.no", "first@example.no"},
				Subject:    "Svær om tilgang",
				From:       "support@samla.example",
				// per@example.no from Original-Recipient; the header's
				// Per@Example.NO is the same mailbox.
				FailedRecipients: []string{"kari@example.no", "per@example.no", "bjørn@eksempel.no", "ola@example.se"},
			},
		},
		{
			name: "nested parts and base64 message/rfc822",
			raw: dsnHead + "Content-Type: multipart/report; report-type=delivery-status; boundary=outer\n\n" +
				"--outer\nContent-Type: multipart/mixed; boundary=inner\n\n" +
				"--inner\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822;<kari@example.no>\nAction: failed\n" +
				"--inner\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" +
				// "Message-ID: <orig@samla.example>\r\nSubject: Hei\r\n\r\nbody\r\n"
				"TWVzc2FnZS1JRDogPG9yaWdAc2FtbGEuZXhhbXBsZT4NClN1YmplY3Q6IEhlaQ0KDQpib2R5DQo=\n" +
				"--inner--\n--outer--\n",
			want: &ReturnedHeaders{MessageID: "orig@samla.example", Subject: "Hei", FailedRecipients: []string{"kari@example.no"}},
		},
		{
			name: "empty returned part, then headers",
			raw: dsnHead + "Content-Type: multipart/report; boundary=b\n\n" +
				"--b\nContent-Type: message/rfc822\n\n\n--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <x@y>\n--b--\n",
			want: &ReturnedHeaders{MessageID: "x@y"},
		},
		{
			name: "report with nothing in it",
			raw: dsnHead + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
				"--b\nContent-Type: text/plain\n\nSorry.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n--b--\n",
		},
		{
			name: "read receipt is not a bounce",
			raw: dsnHead + "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n" +
				"--b\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; kari@example.no\nDisposition: manual-action/MDN-sent-manually; displayed\n" +
				"--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <x@y>\n--b--\n",
		},
		{
			// Exim style: a bounce, but not a report, so the returned
			// message is only text and not read.
			name: "X-Failed-Recipients without a report",
			raw:  dsnHead + "X-Failed-Recipients: kari@example.no\n\nThis message was created automatically by mail delivery software.\n",
		},
		{
			name: "forwarded message is not returned",
			raw: dsnHead + "Content-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: text/plain\n\nFYI\n--b\nContent-Type: message/rfc822\n\nMessage-ID: <x@y>\nSubject: fwd\n\nhi\n--b--\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.Returned, c.want) {
				t.Errorf("Returned = %+v\nwant       %+v", m.Returned, c.want)
			}
		})
	}
}

func TestReturnedOversized(t *testing.T) {
	raw := readFixture(t, "bounce/office365-dsn-in-reply-to.eml")
	m, err := ParseWith(raw, Options{MaxSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if m.Returned != nil || m.Auto != AutoBounce {
		t.Errorf("oversized report: Returned = %+v, Auto = %q", m.Returned, m.Auto)
	}
}

// A delivery-status part of nothing but continuation lines must not make
// parsing quadratic.
func TestReturnedContinuationFlood(t *testing.T) {
	raw := dsnHead + "Content-Type: multipart/report; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\n" +
		"Final-Recipient: rfc822; kari@example.no\nAction: failed\nX-Junk: x\n" + strings.Repeat(" yyyyyyyyyy\n", 400_000) + "--b--\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Returned == nil || !reflect.DeepEqual(m.Returned.FailedRecipients, []string{"kari@example.no"}) {
		t.Errorf("Returned = %+v", m.Returned)
	}
}
