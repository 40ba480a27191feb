package mailmsg

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// att describes an expected attachment: name, media type, inline, has cid.
type att struct {
	name   string
	ctype  string
	inline bool
	cid    bool
}

// fixture holds the facts testdata/README.md lists for one file, plus a few
// body facts read from the files themselves.
type fixture struct {
	file      string
	id        string
	inReplyTo string
	refs      int
	subject   string
	auto      AutoKind
	rule      string // substring of AutoRule
	atts      []att
	text      string // substring of Text
	html      string // substring of HTML
	from      string // address
	problems  []string
	noDate    bool
}

var fixtures = []fixture{
	{file: "outlook/exchange-meeting-request-calendar.eml", id: "742f7c086bc34282b8eb4ffc135652ef@MBX01C-ORD1.mex06.mlsrvr.com", subject: "1", html: "<html", from: "newsletter@finntack.com"},
	{file: "outlook/o365-french-pdf-attachment-latin1.eml", id: "47242e000a564c039fdfc621566678e9@DB3PR05MB172.eurprd05.prod.outlook.com",
		subject: "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829. pdf",
		atts:    []att{{name: "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829.pdf", ctype: "application/pdf"}},
		text:    "Pas à pas"},
	{file: "outlook/o365-winmail-tnef-koi8r.eml", id: "AM0PR0702MB3522C04E8C4950FA9976EC23E12B0@AM0PR0702MB3522.eurprd07.prod.outlook.com",
		subject: "rr test 7", atts: []att{{name: "winmail.dat", ctype: "application/ms-tnef"}}, text: "шостий"},
	{file: "gmail/gmail-forward-with-in-reply-to.eml", html: "---------- Forwarded message ----------<br>", id: "AANLkTikbSvKnE9RjZLNrpupmNMKChv2Kz8qB3HAagmSw@mail.gmail.com",
		inReplyTo: "AANLkTinUdYK2NpEiYCKGnCEp_OXKqst_bWNdBVHsfDVh@mail.gmail.com", refs: 2,
		subject: "Fwd: Please forward this email to me", text: "---------- Forwarded message ----------"},
	{file: "gmail/gmail-multipart-alternative.eml", id: "CAFksUUeRp=6VFpYM-UAXbKOmK_yEn2ma5LpLUH5j05WGFaJVFQ@mail.gmail.com",
		subject: "Testing verification of Google DKIM-Signature headers", text: "This is the message body.", html: "This is the message body.", from: "jeff.stedfast@gmail.com"},
	{file: "apple-mail/apple-mail-html-inline-cid-image.eml", id: "4E2E5A48-1A2C-4450-8663-D41B451DA93E@makita.skynet",
		subject: "MIME test 1", atts: []att{{name: "favicon.png", ctype: "image/png", inline: true, cid: true}}, text: "Test of text section", html: "cid:"},
	{file: "apple-mail/apple-mail-rfc2231-latin1-filename.eml", id: "E0F9311D-F469-4E7B-81BC-F240BD473566@37signals.com",
		subject: "Eelanalüüsi päring", atts: []att{{name: "Eelanalüüsi päring.jpg", ctype: "image/jpeg", inline: true}}},
	{file: "thunderbird/thunderbird-reply-with-references.eml", id: "473FFE27.20003@xxx.org",
		inReplyTo: "348F04F142D69C21-291E56D292BC@xxxx.net", refs: 2, subject: "Re: Test reply email", text: "Message body"},
	{file: "thunderbird/thunderbird-utf8-qp-subject-alternative.eml", id: "5081A889.3020108@jamehi03lx.noa.com",
		subject: "MIME UTF8 Test ¢ More Text", text: "Lorem ipsum", html: "<html"},
	{file: "html/html-only-outlook-spam.eml", id: "MXQAHQMRSTRWAEMHJAPA@guide-des-vins-de-bourgogne.fr",
		subject: "123.042 Euro pro Jahr GRARANTIERT von einer Bank! KOSTENLOS", html: "<"},
	{file: "attachments/cid-images-rfc2231-utf8-filename.eml", html: "<img src=\"cid:note@example.com\"/>", id: "012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee",
		subject: "Nodemailer is unicode friendly ✔ (1476358788189)",
		atts: []att{
			{name: "image.png", ctype: "image/png", cid: true},
			{name: "nyan cat ✔.gif", ctype: "image/gif", cid: true},
			{name: "notes.txt", ctype: "text/plain"},
		}, text: "Hello to myself!"},
	{file: "auto-reply/exchange-automatic-reply-windows-1252.eml", id: "8415797d5564f6c279db9815ab2819ca@mailserver1.com.neko.example.com",
		subject: "Automatic reply: Nyaan", auto: AutoReply, rule: "X-Auto-Response-Suppress", text: "Please stop and read this message"},
	{file: "auto-reply/gmail-x-autoreply.eml", id: "CADkmRc+rNGAGGbV2iE5p918UVy4UyJqVcXRO2=otppgzduJSg@mail.gmail.com",
		subject: "re: [Discourse Meta] eviltrout posted in 'Adventure Time Sux'", auto: AutoReply, rule: "X-Autoreply"},
	{file: "auto-reply/icloud-vacation-in-reply-to.eml", id: "7e23258d-247f-479e-996d-e01f0f30af85-vac@apple.example.com",
		inReplyTo: "25203A4E-F90F-4A14-BF51-3E7B9D39BE8E@libsisimai.org", refs: 1, subject: "Auto reply: Nyaan", auto: AutoReply, rule: "X-Apple-Action"},
	{file: "auto-reply/mimecast-autoresponse-precedence-bulk.eml", html: "This email inbox (<a href=", id: "000000000-0000000000000@us-mta-000.us.mimecast.lan",
		subject: "AutoRespons :Nyaan?", auto: AutoReply, rule: "Auto-Submitted"},
	{file: "auto-reply/rfc3834-vacation-auto-submitted.eml", id: "200503142138.j3QNaaaa222222@neko.example.org",
		subject: "Away until May 5", auto: AutoReply, rule: "Auto-Submitted: auto-replied"},
	{file: "bulk/mailchimp-list-id-unsubscribe.eml", html: "<!doctype html>", id: "3f21937f0f636c8cec1db30bf.042ea43672.20180829202633.199bb58d0b.baa034eb@mail90.suw15.mcsv.net",
		subject: "New Webinar: So, You Have A Disaster... Now What?", auto: AutoBulk, rule: "List-Id", text: "Upcoming Webinar"},
	{file: "bulk/newsletter-precedence-bulk-latin1-subject.eml", html: "<!DOCTYPE html PUBLIC", id: "aidmakfaofhmuoiauhu.afdakighau@unkown",
		subject: "Je prépare mon été zéro complexe !", auto: AutoBulk, rule: "Precedence: bulk",
		atts: []att{
			{name: "mailingassets_d68799cd6301c7f5731a3c42946e528bcb78eb84.jpg", ctype: "image/jpeg", inline: true, cid: true},
			{name: "mailingassets_a9ed45ff2645cff7fca702b289bc684b1bc72e2a.png", ctype: "image/png", inline: true, cid: true},
			{name: "mailingassets_0e4def97310df75c2fa6e0db8fe67b79d130b3c3.png", ctype: "image/png", inline: true, cid: true},
			{name: "mailingassets_228b182da05725833a4003dcbd8f6fe67956ad40.png", ctype: "image/png", inline: true, cid: true},
			{name: "mailingassets_4545af8d596bb510a1181c9a3be0460bc5718649.png", ctype: "image/png", inline: true, cid: true},
		}},
	{file: "bounce/exchange2007-dsn.eml", html: "Delivery has failed", id: "000000000000000000000000000000000000000000000000@example.com",
		subject: "Undeliverable: Nyaan", auto: AutoBounce, rule: "multipart/report", text: "Delivery has failed"},
	{file: "bounce/gmail-dsn-multipart-report.eml", html: "cid:icon.png", id: "63fc15e0.050a0220.58de0.183e.GMR@mx.google.com",
		subject: "Delivery Status Notification (Failure)", auto: AutoBounce, rule: "report-type=delivery-status",
		atts: []att{{name: "icon.png", ctype: "image/png", cid: true}}, text: "Message not delivered"},
	{file: "bounce/office365-dsn-in-reply-to.eml", html: "<meta name=\"viewport\"", id: "2ab24bbc-78da-492a-9f68-438ddae558bb@DB5PR06MB1800.eurprd06.prod.outlook.com",
		inReplyTo: "20171013111011.20866.254C2F3A4D7AA526@ninomail.com", refs: 1,
		subject: "Undeliverable: test_bounce 8", auto: AutoBounce, rule: "multipart/report", from: "postmaster@example.no"},
	{file: "bounce/postfix-dsn.eml", id: "20130429234532.00000000000@p351355.pool.example.ne.jp",
		subject: "Undelivered Mail Returned to Sender", auto: AutoBounce, rule: "multipart/report", text: "This is the mail system",
		problems: []string{"closing boundary missing"}},
	{file: "malformed/gmail-list-reply-unindented-header-continuation.eml", id: "CAH-PCH47Mx9AiP9yWLK+_nv8hpWHyXDjnn-h0sk66gPFOpRPxA@mail.gmail.com",
		inReplyTo: "CAFMT4NpJxuuqc-wTr1aE4K+wZBT8+04j+9-SsY+nhUMU83fDUg@mail.gmail.com", refs: 1,
		subject: "Re: [PHP-DEV] [RFC] Remove PHP 4 Constructors", auto: AutoBulk, rule: "Mailing-List", from: "tyra3l@gmail.com",
		text: "Levi Morrison", problems: []string{"without indentation joined"}},
	{file: "malformed/html-8bit-no-charset.eml", subject: "test Sun, 14 Oct 2012 16:09:01 -0700",
		html: "<", problems: []string{"missing Message-ID"}},
	{file: "malformed/missing-final-boundary-mixed-eol.eml", subject: "Test", text: "Some body",
		problems: []string{"missing Message-ID", "closing boundary missing"}, noDate: true},
	{file: "malformed/multipart-report-without-boundary.eml", id: "444A6F676F-A9A1C1F7-799A-4D89-B97E-8057E132FBFB@YSHSERVER",
		subject: "Delivery Status Notification (Failure)", auto: AutoBounce, rule: "multipart/report",
		text: "without boundary", problems: []string{"without boundary"}, noDate: true},
	{file: "malformed/outlook-italian-R-I-prefixes-broken-header-fold.eml", id: "AM4PR01MB1444B3F21AE7DA9C8128C28FF7290@AM4PR01MB1444.eurprd01.prod.exchangelabs.com",
		inReplyTo: "5185e377-81c5-4361-91ba-11d42f4c5cc9@AM5EUR02FT056.eop-EUR02.prod.protection.outlook.com", refs: 2,
		subject: "R: R: R: I: FR-selca LA selcaE", text: "Test headers", html: "<", from: "jang.abcdef@xyzlinux12345678.it",
		problems: []string{"without indentation joined"}},
	{file: "malformed/raw-8bit-attachment-filename.eml", subject: "Malformed test",
		atts: []att{{name: "管理.doc", ctype: "application/msword"}}, text: "Text part",
		problems: []string{"missing Message-ID", "raw 8-bit"}},
	{file: "malformed/raw-8bit-subject-no-mime-headers.eml", subject: "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro",
		text: "TEST", problems: []string{"missing Message-ID", "raw 8-bit"}, noDate: true},
	{file: "thread/01-original.eml", id: "1234@local.machine.example", subject: "Saying Hello", text: "just to say hello"},
	{file: "thread/02-reply.eml", id: "3456@example.net", inReplyTo: "1234@local.machine.example", refs: 1, subject: "Re: Saying Hello"},
	{file: "thread/03-reply-to-reply.eml", id: "abcd.1234@local.machine.tld", inReplyTo: "3456@example.net", refs: 2, subject: "Re: Saying Hello"},
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func parseFixture(t testing.TB, name string) *Message {
	t.Helper()
	m, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func TestFixturesCoverEveryFile(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range fixtures {
		listed[f.file] = true
	}
	for _, f := range files {
		rel := filepath.ToSlash(strings.TrimPrefix(f, "testdata"+string(filepath.Separator)))
		if !listed[rel] {
			t.Errorf("fixture %s has no facts in the table", rel)
		}
	}
	if len(files) != len(fixtures) {
		t.Errorf("%d files, %d table rows", len(files), len(fixtures))
	}
}

func TestParseFixtures(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.file, func(t *testing.T) {
			m := parseFixture(t, f.file)
			if m.MessageID != f.id {
				t.Errorf("MessageID = %q, want %q", m.MessageID, f.id)
			}
			var irt []string
			if f.inReplyTo != "" {
				irt = []string{f.inReplyTo}
			}
			if !slices.Equal(m.InReplyTo, irt) {
				t.Errorf("InReplyTo = %q, want %q", m.InReplyTo, irt)
			}
			if len(m.References) != f.refs {
				t.Errorf("len(References) = %d, want %d (%q)", len(m.References), f.refs, m.References)
			}
			if m.Subject != f.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, f.subject)
			}
			if m.Auto != f.auto {
				t.Errorf("Auto = %q (%s), want %q", m.Auto, m.AutoRule, f.auto)
			}
			if !strings.Contains(m.AutoRule, f.rule) || (f.auto == AutoNone) != (m.AutoRule == "") {
				t.Errorf("AutoRule = %q, want it to contain %q", m.AutoRule, f.rule)
			}
			if len(m.Attachments) != len(f.atts) {
				t.Fatalf("got %d attachments, want %d: %+v", len(m.Attachments), len(f.atts), names(m.Attachments))
			}
			for i, w := range f.atts {
				a := m.Attachments[i]
				if a.Filename != w.name || a.ContentType != w.ctype || a.Inline != w.inline || (a.ContentID != "") != w.cid {
					t.Errorf("attachment %d = {%q %s inline=%v cid=%q}, want %+v", i, a.Filename, a.ContentType, a.Inline, a.ContentID, w)
				}
			}
			if f.text != "" && !strings.Contains(m.Text, f.text) {
				t.Errorf("Text does not contain %q: %.200q", f.text, m.Text)
			}
			if f.html != "" && !strings.Contains(m.HTML, f.html) {
				t.Errorf("HTML does not contain %q: %.200q", f.html, m.HTML)
			}
			if f.html == "" && m.HTML != "" {
				t.Errorf("unexpected HTML body %.80q", m.HTML)
			}
			if f.from != "" && m.From.Address != f.from {
				t.Errorf("From = %q, want %q", m.From.Address, f.from)
			}
			if m.From.Address == "" {
				t.Errorf("From is empty")
			}
			if m.Date.IsZero() != f.noDate {
				t.Errorf("Date = %v, want zero=%v", m.Date, f.noDate)
			}
			for _, p := range f.problems {
				if !slices.ContainsFunc(m.Problems, func(q string) bool { return strings.Contains(q, p) }) {
					t.Errorf("Problems %q lack %q", m.Problems, p)
				}
			}
			if len(f.problems) == 0 && len(m.Problems) > 0 {
				t.Errorf("unexpected Problems %q", m.Problems)
			}
			if !strings.HasPrefix(f.file, "malformed/") && len(m.Problems) > 0 && !slices.Contains([]string{"bounce/postfix-dsn.eml"}, f.file) {
				t.Errorf("well-formed fixture has Problems %q", m.Problems)
			}
		})
	}
}

func names(as []Attachment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Filename+" "+a.ContentType)
	}
	return out
}

func TestThreadLinkage(t *testing.T) {
	m1 := parseFixture(t, "thread/01-original.eml")
	m2 := parseFixture(t, "thread/02-reply.eml")
	m3 := parseFixture(t, "thread/03-reply-to-reply.eml")
	if !slices.Equal(m2.InReplyTo, []string{m1.MessageID}) || !slices.Equal(m2.References, []string{m1.MessageID}) {
		t.Errorf("message 2 links %q / %q, want %q", m2.InReplyTo, m2.References, m1.MessageID)
	}
	if !slices.Equal(m3.InReplyTo, []string{m2.MessageID}) {
		t.Errorf("message 3 In-Reply-To %q, want %q", m3.InReplyTo, m2.MessageID)
	}
	if !slices.Equal(m3.References, []string{m1.MessageID, m2.MessageID}) {
		t.Errorf("message 3 References %q, want [%s %s] in order", m3.References, m1.MessageID, m2.MessageID)
	}
	for _, m := range []*Message{m2, m3} {
		if NormalizeSubject(m.Subject) != NormalizeSubject(m1.Subject) {
			t.Errorf("normalised %q != %q", m.Subject, m1.Subject)
		}
	}
	// Reply-To display name containing a colon.
	if len(m2.ReplyTo) != 1 || m2.ReplyTo[0].Name != "Mary Smith: Personal Account" || m2.ReplyTo[0].Address != "smith@home.example" {
		t.Errorf("ReplyTo = %+v", m2.ReplyTo)
	}
	want := time.Date(1997, 11, 21, 9, 55, 6, 0, time.FixedZone("", -6*3600))
	if !m1.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", m1.Date, want)
	}
}

func TestParseDetails(t *testing.T) {
	// Thunderbird: In-Reply-To is the newest (last) of the References.
	m := parseFixture(t, "thunderbird/thunderbird-reply-with-references.eml")
	if len(m.References) != 2 || len(m.InReplyTo) != 1 || m.References[1] != m.InReplyTo[0] {
		t.Errorf("References %q, In-Reply-To %q: In-Reply-To should be the last reference", m.References, m.InReplyTo)
	}

	// Attachment bytes are transfer-decoded.
	m = parseFixture(t, "attachments/cid-images-rfc2231-utf8-filename.eml")
	png := m.Attachments[0].Data
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Errorf("image.png does not start with a PNG signature: %q", png[:min(8, len(png))])
	}
	if gif := m.Attachments[1].Data; len(gif) < 6 || string(gif[:3]) != "GIF" {
		t.Errorf("nyan cat gif is not a GIF")
	}
	if m.Attachments[0].ContentID != "note@example.com" {
		t.Errorf("ContentID = %q", m.Attachments[0].ContentID)
	}

	// PDF in the French Outlook mail.
	m = parseFixture(t, "outlook/o365-french-pdf-attachment-latin1.eml")
	if d := string(m.Attachments[0].Data); d != "underscore" {
		t.Errorf("PDF attachment = %q", d)
	}

	// Windows-1252 quoted-printable body decoded to UTF-8.
	m = parseFixture(t, "auto-reply/exchange-automatic-reply-windows-1252.eml")
	if strings.ContainsRune(m.Text, '\uFFFD') || strings.Contains(m.Text, "=\n") {
		t.Errorf("Text not cleanly decoded: %q", m.Text)
	}

	// Encoded-word inside a quoted display name is decoded.
	m = parseFixture(t, "malformed/raw-8bit-subject-no-mime-headers.eml")
	if m.From.Name != "Formação Frenetikpolis" {
		t.Errorf("From.Name = %q", m.From.Name)
	}
	if len(m.To) != 3 {
		t.Errorf("To = %v, want 3 addresses", m.To)
	}

	// HTML without charset but with UTF-8 bytes stays UTF-8.
	m = parseFixture(t, "malformed/html-8bit-no-charset.eml")
	if !strings.Contains(m.HTML, "Unencoded Euro Sign: \u0080\r\n") {
		t.Errorf("HTML = %q", m.HTML)
	}
}

func TestParseEdgeCases(t *testing.T) {
	if _, err := Parse(nil); err == nil {
		t.Error("Parse(nil) gave no error")
	}
	if _, err := Parse([]byte(" \r\n\r\n ")); err == nil {
		t.Error("Parse(blank) gave no error")
	}

	m, err := Parse([]byte("just some text\nwith no header\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "just some text\nwith no header\n" || !slices.ContainsFunc(m.Problems, func(p string) bool { return strings.Contains(p, "no header block") }) {
		t.Errorf("headerless: Text=%q Problems=%q", m.Text, m.Problems)
	}

	m, err = Parse([]byte("Subject: only headers\nFrom: a@b\nnot a header line"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "only headers" || m.From.Address != "a@b" ||
		!slices.ContainsFunc(m.Problems, func(p string) bool { return strings.Contains(p, "no empty line") }) ||
		!slices.ContainsFunc(m.Problems, func(p string) bool { return strings.Contains(p, "1 header line without indentation") }) {
		t.Errorf("headers only: Subject=%q From=%+v Problems=%q", m.Subject, m.From, m.Problems)
	}

	big := []byte("Message-ID: <a@b>\r\nSubject: big\r\n\r\n" + strings.Repeat("x", 100))
	m, err = ParseWith(big, Options{MaxSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != "a@b" || m.Subject != "big" || m.Text != "" ||
		!slices.ContainsFunc(m.Problems, func(p string) bool { return strings.Contains(p, "over the limit") }) {
		t.Errorf("oversized: %+v", m)
	}

	raw := []byte("Message-ID: a@b\nIn-Reply-To: <x@y> (comment)\nReferences: <1@h>\n <2@h> <3@h>\nSubject: =?utf-8?q?Bl=C3=A5b=C3=A6r?= og =?iso-8859-1?q?r=F8d?=\nFrom: Kari <kari@example.no>,\nDate: not a date\nContent-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\nHei p=E5 deg=\n!\n")
	m, err = Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != "a@b" {
		t.Errorf("bare Message-ID = %q", m.MessageID)
	}
	if !slices.Equal(m.InReplyTo, []string{"x@y"}) || !slices.Equal(m.References, []string{"1@h", "2@h", "3@h"}) {
		t.Errorf("ids %q %q", m.InReplyTo, m.References)
	}
	if m.Subject != "Blåbær og rød" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.From.Address != "kari@example.no" || m.From.Name != "Kari" {
		t.Errorf("From = %+v", m.From)
	}
	if !m.Date.IsZero() || !slices.ContainsFunc(m.Problems, func(p string) bool { return strings.HasPrefix(p, "Date:") }) {
		t.Errorf("Date = %v, Problems %q", m.Date, m.Problems)
	}
	if m.Text != "Hei på deg!\n" {
		t.Errorf("Text = %q", m.Text)
	}

	patterns := map[string]*regexp.Regexp{"acme": regexp.MustCompile(`\[SR-(\d+)\]`)}
	m, err = ParseWith([]byte("Subject: SV: [SR-12345] Tilgang\n\nx"), Options{VendorPatterns: patterns})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.VendorRefs, []VendorMatch{{Vendor: "acme", Ref: "12345"}}) {
		t.Errorf("VendorRefs = %+v", m.VendorRefs)
	}
}

func TestClassifyRules(t *testing.T) {
	cases := []struct {
		hdr  string
		want AutoKind
	}{
		{"Auto-Submitted: auto-replied", AutoReply},
		{"Auto-Submitted: no", AutoNone},
		{"Auto-Submitted: auto-generated\nContent-Type: multipart/report; report-type=delivery-status; boundary=x", AutoBounce},
		{"X-Autoreply: yes", AutoReply},
		{"Precedence: junk", AutoBulk},
		{"Precedence: list", AutoBulk},
		{"Precedence: auto_reply", AutoReply},
		{"List-Unsubscribe: <mailto:u@x>", AutoBulk},
		{"X-Failed-Recipients: a@b", AutoBounce},
		{"Subject: Automatisk svar: Ferie", AutoReply},
		{"Subject: Ferie", AutoNone},
	}
	for _, c := range cases {
		m, err := Parse([]byte("From: a@b\n" + c.hdr + "\n\nbody\n"))
		if err != nil {
			t.Fatal(err)
		}
		if m.Auto != c.want {
			t.Errorf("%q: Auto = %q (%s), want %q", c.hdr, m.Auto, m.AutoRule, c.want)
		}
	}
}
