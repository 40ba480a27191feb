package caseweb_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web/webtest"
)

// htmlMail is an HTML mail with a script, an inline image used by the
// HTML, a text attachment with a non-ASCII name and an HTML attachment.
const htmlMail = `From: Kari Nordmann <kari@bergen.example>
To: Konsortiet <post@konsortium.test>
Subject: PressReader innlogging feiler
Message-ID: <html-1@bergen.example>
Date: Mon, 23 Nov 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<p>Hei, innloggingen <b>feiler</b> for alle.</p><script>alert('stjel')</script><img src="cid:logo@bergen" alt="logo">
--rel
Content-Type: image/png
Content-ID: <logo@bergen>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--mix
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename*=UTF-8''rapport%20%C3%A6.txt

feillogg
--mix
Content-Type: text/html; charset=utf-8
Content-Disposition: attachment; filename="side.html"

<script>alert(1)</script>
--mix--
`

// textMail is a plain mail; word is a word only its body has.
func textMail(id, subject, word string) string {
	return `From: Ola Vendor <support@vendor.example>
To: post@konsortium.test
Subject: ` + subject + `
Message-ID: <` + id + `@vendor.example>
Date: Mon, 23 Nov 2026 11:00:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hei, dette gjelder ` + word + ` i avtalen.
`
}

func caseLink(id int64) string { return `href="/cases/` + id64(id) + `"` }

func TestListFilters(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	a := s.mail(htmlMail).CaseID
	c := s.mail(textMail("t-1", "Lovdata tilgang", "kvotesperre")).CaseID
	s.update(a, func(in *cases.CaseInput) { in.State = cases.StateWaitingVendor; in.LibraryID = &s.bergen.ID })
	if _, err := s.cases.SetTags(s.ctx, setup, a, []string{"innlogging, PressReader"}); err != nil {
		t.Fatal(err)
	}

	only := func(path string, in, out int64) {
		t.Helper()
		p := b.Get(path).Want(t, path, http.StatusOK)
		list := p.Section("cases")
		if !strings.Contains(list, caseLink(in)) {
			t.Errorf("%s: case %d missing\n%s", path, in, webtest.Excerpt(p.Body))
		}
		if strings.Contains(list, caseLink(out)) {
			t.Errorf("%s: case %d listed\n%s", path, out, webtest.Excerpt(p.Body))
		}
	}
	only("/cases?state=waiting_vendor", a, c)
	only("/cases?state=new", c, a)
	only("/cases?tag=innlogging", a, c)
	only("/cases?library="+id64(s.bergen.ID), a, c)
	only("/cases?q=kvotesperre", c, a)
	only("/cases?q=feiler", a, c) // a word of the HTML body
	b.Get("/cases").Want(t, "active cases", http.StatusOK, caseLink(a), caseLink(c), "Venter på leverandør", "Bergen offentlige bibliotek", "innlogging")

	s.update(c, func(in *cases.CaseInput) { in.State = cases.StateSolved })
	only("/cases", a, c)
	b.Get("/cases?state=all").Want(t, "all cases", http.StatusOK, caseLink(a), caseLink(c))
}

func TestCasePageShowsSanitisedMail(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	id := s.mail(htmlMail).CaseID
	d, err := s.cases.Detail(s.ctx, setup, id)
	if err != nil {
		t.Fatal(err)
	}
	var logo, report int64
	for _, a := range d.Attachments[d.Messages[0].ID] {
		switch {
		case a.ContentID != "":
			logo = a.ID
		case strings.HasPrefix(a.Filename, "rapport"):
			report = a.ID
		}
	}
	if logo == 0 || report == 0 {
		t.Fatalf("attachments not parsed as expected: %+v", d.Attachments)
	}
	p := b.Get("/cases/"+id64(id)).Want(t, "case page", http.StatusOK, "PressReader innlogging feiler",
		"<b>feiler</b>", `src="/cases/`+id64(id)+`/attachments/`+id64(logo)+`"`, "rapport æ.txt",
		"/cases/"+id64(id)+"/messages/"+id64(d.Messages[0].ID)+"/raw", "kari@bergen.example")
	p.Lacks(t, "case page", "alert(", "<script>")
	// The inline image the HTML uses is shown, not listed as a file.
	if strings.Contains(p.Section("thread"), `download>logo.png`) {
		t.Error("inline image listed as a file")
	}

	b.Post("/cases/"+id64(id)+"/notes", url.Values{"body": {"Ring leverandøren i morgen"}}).Redirected(t, "note", "/cases/"+id64(id))
	p = b.Get("/cases/"+id64(id)).Want(t, "case with note", http.StatusOK)
	thread := p.Section("thread")
	i := strings.Index(thread, "Ring leverandøren i morgen")
	j := strings.LastIndex(thread[:max(i, 0)], `<article class="msg msg-note`)
	if i < 0 || j < 0 || !strings.Contains(thread[j:i], "Internt notat") {
		t.Errorf("note not marked internal\n%s", thread)
	}

	// An empty note is refused with the message inline.
	b.Post("/cases/"+id64(id)+"/notes", url.Values{"body": {"  "}}).Want(t, "empty note", http.StatusUnprocessableEntity, "Skriv en tekst i notatet.")
}

func TestReply(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	id := s.mail(textMail("r-1", "Ebsco nede", "nedetid")).CaseID
	p := b.Get("/cases/"+id64(id)).Want(t, "case", http.StatusOK, `name="to" value="support@vendor.example"`)

	b.Post("/cases/"+id64(id)+"/reply", url.Values{"to": {"support@vendor.example"}, "cc": {"leder@bergen.example"},
		"body": {"Takk, vi ser på det."}, "state": {"waiting_vendor"}}).Redirected(t, "reply", "/cases/"+id64(id))
	p = b.Get("/cases/"+id64(id)).Want(t, "after reply", http.StatusOK, "Venter på leverandør")
	thread := p.Section("thread")
	i := strings.Index(thread, `<article class="msg msg-outbound`)
	if i < 0 {
		t.Fatalf("no outbound message\n%s", thread)
	}
	out := thread[i:]
	for _, want := range []string{"support@vendor.example", "leder@bergen.example", "I kø for sending", "Takk, vi ser på det."} {
		if !strings.Contains(out, want) {
			t.Errorf("reply lacks %q\n%s", want, out)
		}
	}
	// The copied address is now a participant, and a reply without text
	// is shown again with its values and the error.
	b.Post("/cases/"+id64(id)+"/reply", url.Values{"to": {"ikke en adresse"}, "body": {""}}).
		Want(t, "bad reply", http.StatusUnprocessableEntity, "Skriv en tekst i svaret.", `value="ikke en adresse"`)
}

func TestLibraryContactIsRefused(t *testing.T) {
	s := newSite(t)
	id := s.mail(textMail("l-1", "Noe", "ord")).CaseID
	lib := s.login(s.user("kontakt@bergen.example", auth.RoleLibrary, func(n *auth.NewUser) { n.LibraryID = &s.bergen.ID }))
	for _, path := range []string{"/cases", "/cases/" + id64(id), "/cases/1", "/cases/snippets", "/cases/temperature"} {
		lib.Get(path).Want(t, path, http.StatusForbidden)
	}
	lib.Post("/cases/"+id64(id)+"/notes", url.Values{"body": {"x"}}).Want(t, "note by library", http.StatusForbidden)
}

func TestSnippetInsert(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	id := s.mail(textMail("s-1", "Tilgang", "ord")).CaseID
	s.update(id, func(in *cases.CaseInput) { in.LibraryID = &s.bergen.ID })

	b.Post("/cases/snippets", url.Values{"title": {"Feil"}, "lang": {"nb"}, "body": {"Hei {nosuch}"}}).
		Want(t, "unknown placeholder", http.StatusUnprocessableEntity, "Ukjent plassholder {nosuch}")
	b.Post("/cases/snippets", url.Values{"title": {"Takk for meldingen"}, "lang": {"nb"},
		"body": {"Vi ser på saken {case} for {library}."}}).Redirected(t, "create snippet", "/cases/snippets")
	list, err := s.cases.Snippets(s.ctx, setup, "", "")
	if err != nil || len(list) != 1 {
		t.Fatalf("snippets: %v %v", list, err)
	}
	sid := list[0].ID
	b.Get("/cases/snippets?q=takk").Want(t, "snippet list", http.StatusOK, "Takk for meldingen", "/cases/snippets/"+id64(sid))
	b.Get("/cases/snippets/"+id64(sid)).Want(t, "snippet form", http.StatusOK, "{library}", "bibliotekets navn")
	b.Get("/cases/"+id64(id)).Want(t, "picker", http.StatusOK, `name="snippet"`, `hx-get="/cases/`+id64(id)+`/snippet"`)

	p := b.Get("/cases/"+id64(id)+"/snippet?"+url.Values{"snippet": {id64(sid)}, "body": {"Hei Kari,"}}.Encode(),
		"HX-Request", "true", "HX-Target", "reply-body")
	p.Want(t, "snippet insert", http.StatusOK, `id="reply-body"`,
		"Hei Kari,\n\nVi ser på saken #"+id64(id)+" for Bergen offentlige bibliotek.")
	p.Lacks(t, "snippet insert", "<html", "{library}", "{case}")

	b.Post("/cases/snippets/"+id64(sid)+"/delete", nil).Redirected(t, "delete snippet", "/cases/snippets")
	b.Get("/cases/snippets/"+id64(sid)).Want(t, "deleted snippet", http.StatusNotFound)
}

func TestSavedView(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	loc := b.Post("/cases/views", url.Values{"name": {"Innlogging"}, "tag": {"innlogging"}, "state": {"all"}}).
		Redirected(t, "save view", "/cases?")
	q, _ := url.ParseQuery(strings.TrimPrefix(loc, "/cases?"))
	if q.Get("tag") != "innlogging" || q.Get("state") != "all" {
		t.Errorf("view opens %q", loc)
	}
	p := b.Get(loc).Want(t, "view", http.StatusOK, "Innlogging", `aria-current="page">Innlogging`)
	views, err := s.cases.Views(s.ctx, setup)
	if err != nil || len(views) != 1 {
		t.Fatalf("views: %v %v", views, err)
	}
	if !strings.Contains(p.Body, `href="/cases?state=all&amp;tag=innlogging"`) {
		t.Errorf("view link missing\n%s", webtest.Excerpt(p.Body))
	}
	b.Post("/cases/views", url.Values{"name": {" "}}).Want(t, "nameless view", http.StatusUnprocessableEntity, "Gi visningen et navn")
	b.Post("/cases/views/"+id64(views[0].ID)+"/delete", nil).Redirected(t, "delete view", "/cases")
	b.Get("/cases").Lacks(t, "after delete", `href="/cases?state=all&amp;tag=innlogging"`)
}

func TestTemperature(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	v, err := s.svc.Products.CreateVendor(s.ctx, setup, products.VendorInput{Name: "PressReader Inc", Country: "CA", SupportEmail: "help@pressreader.example"})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := s.svc.Products.CreateProduct(s.ctx, setup, products.ProductInput{VendorID: v.ID, Name: "PressReader",
		AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"x-1", "x-2"} {
		id := s.mail(textMail(m, "Aviser mangler "+m, "aviser")).CaseID
		s.update(id, func(in *cases.CaseInput) { in.ProductID = &pr.ID; in.VendorID = &v.ID })
	}
	for _, period := range []string{"week", "month"} {
		p := b.Get("/cases/temperature?period="+period).Want(t, "temperature "+period, http.StatusOK,
			`href="/cases?product=`+id64(pr.ID)+`&amp;state=all"`, `href="/cases?vendor=`+id64(v.ID)+`&amp;state=all"`)
		prods := p.Section("temp-product")
		if !strings.Contains(prods, "<svg") || !strings.Contains(prods, `<rect class="bar"`) || !strings.Contains(prods, "2 nye") {
			t.Errorf("%s: no chart with the two new cases\n%s", period, prods)
		}
	}
	b.Get("/cases/static/cases.css").Want(t, "css", http.StatusOK, "svg.spark")
}

func TestAttachmentDownload(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	id := s.mail(htmlMail).CaseID
	d, err := s.cases.Detail(s.ctx, setup, id)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int64{}
	for _, a := range d.Attachments[d.Messages[0].ID] {
		byName[a.Filename] = a.ID
	}
	base := "/cases/" + id64(id) + "/attachments/"
	p := b.Get(base+id64(byName["rapport æ.txt"])).Want(t, "text attachment", http.StatusOK, "feillogg")
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''rapport%20%C3%A6.txt") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if p.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("headers %v", p.Header)
	}
	p = b.Get(base+id64(byName["side.html"])).Want(t, "html attachment", http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("HTML attachment served as %q", ct)
	}
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("HTML attachment disposition %q", cd)
	}
	p = b.Get(base+id64(byName["logo.png"])).Want(t, "image", http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("image served as %q", ct)
	}
	b.Get(base+"999999").Want(t, "unknown attachment", http.StatusNotFound)

	raw := b.Get("/cases/"+id64(id)+"/messages/"+id64(d.Messages[0].ID)+"/raw").Want(t, "raw", http.StatusOK, "Subject: PressReader innlogging feiler")
	if raw.Header.Get("Content-Type") != "message/rfc822" || !strings.HasPrefix(raw.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("raw headers %v", raw.Header)
	}
}

func TestEditCase(t *testing.T) {
	s := newSite(t)
	b := s.staff()
	id := s.mail(textMail("e-1", "Gammelt emne", "ord")).CaseID
	c, err := s.cases.Case(s.ctx, setup, id)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"subject": {"Nytt emne"}, "state": {"open"}, "priority": {"high"}, "library_id": {id64(s.bergen.ID)},
		"vendor_ref": {"TCK-42"}, "version": {id64(c.Version)}}
	b.Post("/cases/"+id64(id), form).Redirected(t, "edit", "/cases/"+id64(id))
	b.Get("/cases/"+id64(id)).Want(t, "edited", http.StatusOK, "Nytt emne", "Høy", "TCK-42", "Bergen offentlige bibliotek")
	// The same version again is a conflict, shown on the form.
	b.Post("/cases/"+id64(id), form).Want(t, "stale edit", http.StatusConflict, "Nytt emne")
	form.Set("version", id64(c.Version+1))
	form.Set("subject", " ")
	b.Post("/cases/"+id64(id), form).Want(t, "empty subject", http.StatusUnprocessableEntity, "Emne må fylles ut.")

	b.Post("/cases/"+id64(id)+"/tags", url.Values{"tags": {"Faktura, innlogging"}}).Redirected(t, "tags", "/cases/"+id64(id))
	b.Post("/cases/"+id64(id)+"/follow", url.Values{"follow": {"1"}}).Redirected(t, "follow", "/cases/"+id64(id))
	b.Post("/cases/"+id64(id)+"/participants", url.Values{"email": {"ny@bergen.example"}, "name": {"Nils"}}).Redirected(t, "add person", "/cases/"+id64(id))
	p := b.Get("/cases/"+id64(id)).Want(t, "case", http.StatusOK, "faktura", "innlogging", "Slutt å følge", "ny@bergen.example")
	d, _ := s.cases.Detail(s.ctx, setup, id)
	var pid int64
	for _, pt := range d.Participants {
		if pt.Email == "ny@bergen.example" {
			pid = pt.ID
		}
	}
	b.Post("/cases/"+id64(id)+"/participants/"+id64(pid)+"/delete", nil).Redirected(t, "remove person", "/cases/"+id64(id))
	p = b.Get("/cases/" + id64(id))
	p.Lacks(t, "removed person", "ny@bergen.example")
	b.Post("/cases/"+id64(id)+"/participants", url.Values{"email": {"ikke-epost"}}).Want(t, "bad email", http.StatusUnprocessableEntity, `value="ikke-epost"`)
}
