package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

type caseOut struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject"`
	State     string `json:"state"`
	Priority  string `json:"priority"`
	ProductID *int64 `json:"product_id"`
	Version   int64  `json:"version"`
}

type caseItemOut struct {
	caseOut
	Tags []string `json:"tags"`
}

type caseMessageOut struct {
	ID     int64  `json:"id"`
	CaseID int64  `json:"case_id"`
	Kind   string `json:"kind"`
	From   string `json:"from"`
	To     string `json:"to"`
	Cc     string `json:"cc"`
	Text   string `json:"text"`
}

type caseDetailOut struct {
	Case         caseOut          `json:"case"`
	Messages     []caseMessageOut `json:"messages"`
	Participants []struct {
		ID     int64  `json:"id"`
		Email  string `json:"email"`
		Copied bool   `json:"copied"`
	} `json:"participants"`
	Tags []string `json:"tags"`
}

type ingestOut struct {
	CaseID    int64 `json:"case_id"`
	MessageID int64 `json:"message_id"`
	NewCase   bool  `json:"new_case"`
	Duplicate bool  `json:"duplicate"`
}

// casesEnv is the application with the desk's own address set, as a
// deployment sets it: replies need an address to come from.
func casesEnv(t *testing.T) *env {
	e := newEnv(t)
	e.svc.Cases.Address = "Konsortiet <post@konsortium.example>"
	return e
}

// mail posts one raw mail to the desk as message/rfc822.
func (e *env) mail(token string, raw []byte) resp {
	e.t.Helper()
	return e.send(token, http.MethodPost, "/cases/mail", bytes.NewReader(raw), "Content-Type", "message/rfc822")
}

func rawMail(id, from, subject, body string) []byte {
	return []byte(strings.ReplaceAll("From: "+from+"\nTo: Konsortiet <post@konsortium.example>\nSubject: "+subject+
		"\nDate: Mon, 23 Nov 2026 09:00:00 +0100\nMessage-ID: <"+id+">\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"+body+"\n", "\n", "\r\n"))
}

func TestCasesMailReplyAndDetail(t *testing.T) {
	e := casesEnv(t)
	staff := e.role(auth.RoleStaff)
	raw := rawMail("m1@bibliotek.example", "Kari Nordmann <kari@bibliotek.example>", "PressReader virker ikke", "Hei, vi får ikke logget inn.")

	var in ingestOut
	e.mail(staff, raw).must(t, http.StatusCreated, &in)
	if !in.NewCase || in.Duplicate || in.CaseID == 0 || in.MessageID == 0 {
		t.Fatalf("first delivery: %+v", in)
	}
	// The same mail again (e.g. to two of the desk's addresses) is one case.
	var again ingestOut
	e.mail(staff, raw).must(t, http.StatusOK, &again)
	if !again.Duplicate || again.NewCase || again.CaseID != in.CaseID || again.MessageID != 0 {
		t.Fatalf("second delivery: %+v, want a duplicate on case %d", again, in.CaseID)
	}

	var list []caseItemOut
	e.call(staff, "GET", "/cases", nil).must(t, http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != in.CaseID || list[0].Subject != "PressReader virker ikke" || list[0].State != "new" || list[0].Tags == nil {
		t.Fatalf("case list %+v, want the one new case", list)
	}
	e.call(staff, "GET", "/cases?q=logget", nil).must(t, http.StatusOK, &list)
	if len(list) != 1 {
		t.Errorf("full-text search found %d cases, want 1", len(list))
	}
	e.call(staff, "GET", "/cases?state=solved", nil).must(t, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("solved cases: %+v, want none", list)
	}

	path := fmt.Sprintf("/cases/%d", in.CaseID)
	var det caseDetailOut
	e.call(staff, "GET", path, nil).must(t, http.StatusOK, &det)
	if len(det.Messages) != 1 || det.Messages[0].Kind != "inbound" || det.Messages[0].From != "kari@bibliotek.example" ||
		!strings.Contains(det.Messages[0].Text, "logget inn") || det.Tags == nil {
		t.Fatalf("detail %+v", det)
	}

	// The raw mail comes back byte for byte.
	r := e.call(staff, "GET", fmt.Sprintf("%s/messages/%d/raw", path, det.Messages[0].ID), nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "message/rfc822" || !bytes.Equal(r.Body, raw) {
		t.Errorf("raw mail: %d %q, %d bytes, want %d", r.Status, r.Header.Get("Content-Type"), len(r.Body), len(raw))
	}
	e.call(staff, "GET", fmt.Sprintf("/cases/%d/messages/%d/raw", in.CaseID+1, det.Messages[0].ID), nil).must(t, http.StatusNotFound, nil)

	// A reply goes to the sender with the vendor on copy.
	var m caseMessageOut
	e.call(staff, "POST", path+"/replies", map[string]any{"body": "Vi ser på det.", "cc": []string{"Support@Vendor.example"}, "state": "waiting_vendor"}).
		must(t, http.StatusCreated, &m)
	if m.Kind != "outbound" || m.To != "kari@bibliotek.example" || m.Cc != "support@vendor.example" || m.CaseID != in.CaseID {
		t.Fatalf("reply %+v", m)
	}
	e.call(staff, "GET", path, nil).must(t, http.StatusOK, &det)
	if len(det.Messages) != 2 || det.Messages[1].ID != m.ID || det.Messages[1].To != "kari@bibliotek.example" || det.Messages[1].Cc != "support@vendor.example" {
		t.Fatalf("thread after the reply: %+v", det.Messages)
	}
	if det.Case.State != "waiting_vendor" {
		t.Errorf("state after the reply %q", det.Case.State)
	}
	var emails []string
	for _, p := range det.Participants {
		emails = append(emails, p.Email)
	}
	if !slices.Contains(emails, "kari@bibliotek.example") || !slices.Contains(emails, "support@vendor.example") {
		t.Errorf("participants %v", emails)
	}

	// An empty reply names the field.
	var bad problem
	e.call(staff, "POST", path+"/replies", map[string]any{"body": "  "}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.body"}) || !bad.mentions("cases.reply.body_required") {
		t.Errorf("empty reply: %+v", bad)
	}
	e.call(staff, "POST", "/cases/999999/replies", map[string]any{"body": "Hei"}).must(t, http.StatusNotFound, nil)
	e.call(staff, "GET", "/cases/999999", nil).must(t, http.StatusNotFound, nil)
}

func TestCasesForbiddenToOthers(t *testing.T) {
	e := casesEnv(t)
	staff := e.role(auth.RoleStaff)
	raw := rawMail("m2@bibliotek.example", "kari@bibliotek.example", "Lovdata", "Hei")
	var in ingestOut
	e.mail(staff, raw).must(t, http.StatusCreated, &in)
	for _, role := range []auth.Role{auth.RoleLibrary, auth.RoleVendor} {
		tok := e.role(role)
		for _, c := range []struct{ method, path string }{
			{"GET", "/cases"}, {"GET", fmt.Sprintf("/cases/%d", in.CaseID)}, {"GET", "/cases/temperature"},
			{"GET", "/case-snippets"}, {"GET", "/case-views"},
		} {
			e.call(tok, c.method, c.path, nil).must(t, http.StatusForbidden, nil)
		}
		e.mail(tok, rawMail("m3@bibliotek.example", "kari@bibliotek.example", "Falsk", "Hei")).must(t, http.StatusForbidden, nil)
	}
	var list []caseItemOut
	e.call(staff, "GET", "/cases", nil).must(t, http.StatusOK, &list)
	if len(list) != 1 {
		t.Errorf("%d cases after refused mail, want 1", len(list))
	}
	e.call("", "GET", "/cases", nil).must(t, http.StatusUnauthorized, nil)
	e.mail(staff, nil).must(t, http.StatusBadRequest, nil) // huma: the body is required
	e.mail(staff, bytes.Repeat([]byte("x"), 50<<20+1)).must(t, http.StatusRequestEntityTooLarge, nil)
}

func TestCasesEditTagsPeopleAndTemperature(t *testing.T) {
	e := casesEnv(t)
	staff := e.role(auth.RoleStaff)
	var in ingestOut
	e.mail(staff, rawMail("m4@bibliotek.example", "kari@bibliotek.example", "Innlogging", "Hei")).must(t, http.StatusCreated, &in)
	path := fmt.Sprintf("/cases/%d", in.CaseID)
	var det caseDetailOut
	e.call(staff, "GET", path, nil).must(t, http.StatusOK, &det)

	v := e.vendor(staff, "PressReader")
	p := e.product(staff, v.ID, "PressReader")
	upd := map[string]any{"subject": "Innlogging i PressReader", "state": "open", "priority": "high", "product_id": p.ID}
	e.call(staff, "PUT", path, upd).must(t, http.StatusUnprocessableEntity, nil) // no version
	var c caseOut
	e.call(staff, "PUT", path, with(upd, "version", det.Case.Version)).must(t, http.StatusOK, &c)
	if c.Subject != "Innlogging i PressReader" || c.Priority != "high" || c.ProductID == nil || *c.ProductID != p.ID || c.Version != det.Case.Version+1 {
		t.Fatalf("updated case %+v", c)
	}
	e.call(staff, "PUT", path, with(upd, "version", det.Case.Version)).must(t, http.StatusConflict, nil)
	var bad problem
	e.call(staff, "PUT", path, with(upd, "version", c.Version, "state", "done", "product_id", 999999)).must(t, http.StatusUnprocessableEntity, &bad)
	if locs := bad.locations(); !slices.Contains(locs, "body.state") || !slices.Contains(locs, "body.product_id") {
		t.Errorf("invalid case at %v", locs)
	}

	var tags struct {
		Tags []string `json:"tags"`
	}
	e.call(staff, "PUT", path+"/tags", map[string]any{"tags": []string{"Innlogging", "faktura", "innlogging"}}).must(t, http.StatusOK, &tags)
	if !slices.Equal(tags.Tags, []string{"faktura", "innlogging"}) {
		t.Errorf("tags %v", tags.Tags)
	}
	var list []caseItemOut
	e.call(staff, "GET", "/cases?tag=faktura&product="+fmt.Sprint(p.ID), nil).must(t, http.StatusOK, &list)
	if len(list) != 1 || !slices.Equal(list[0].Tags, tags.Tags) {
		t.Errorf("filtered by tag and product: %+v", list)
	}

	var note caseMessageOut
	e.call(staff, "POST", path+"/notes", map[string]any{"body": "Ringt biblioteket."}).must(t, http.StatusCreated, &note)
	if note.Kind != "note" {
		t.Errorf("note %+v", note)
	}
	e.call(staff, "POST", path+"/notes", map[string]any{"body": ""}).must(t, http.StatusUnprocessableEntity, nil)

	var part struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	}
	e.call(staff, "POST", path+"/participants", map[string]any{"email": "nope"}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.email"}) {
		t.Errorf("bad participant at %v", bad.locations())
	}
	e.call(staff, "POST", path+"/participants", map[string]any{"email": "Ola@Bibliotek.example", "name": "Ola"}).must(t, http.StatusCreated, &part)
	if part.Email != "ola@bibliotek.example" {
		t.Errorf("participant %+v", part)
	}
	e.call(staff, "DELETE", fmt.Sprintf("%s/participants/%d", path, part.ID), nil).must(t, http.StatusNoContent, nil)
	e.call(staff, "DELETE", fmt.Sprintf("%s/participants/%d", path, part.ID), nil).must(t, http.StatusNotFound, nil)

	// The temperature is its own route, not a case called "temperature".
	var temp struct {
		Period string   `json:"period"`
		Starts []string `json:"starts"`
		Rows   []struct {
			Kind string `json:"kind"`
			ID   int64  `json:"id"`
			New  []int  `json:"new"`
			Open int    `json:"open"`
		} `json:"rows"`
	}
	e.call(staff, "GET", "/cases/temperature", nil).must(t, http.StatusOK, &temp)
	if temp.Period != "week" || len(temp.Starts) != 12 {
		t.Errorf("default temperature: %s over %d periods", temp.Period, len(temp.Starts))
	}
	e.call(staff, "GET", "/cases/temperature?period=month&periods=3", nil).must(t, http.StatusOK, &temp)
	if temp.Period != "month" || len(temp.Starts) != 3 || len(temp.Rows) != 1 || temp.Rows[0].Kind != "product" ||
		temp.Rows[0].ID != p.ID || temp.Rows[0].Open != 1 || temp.Rows[0].New[2] != 1 {
		t.Errorf("temperature by month: %+v", temp)
	}
	e.call(staff, "GET", "/cases/temperature?period=year", nil).must(t, http.StatusUnprocessableEntity, nil)
	e.call(staff, "GET", "/cases/notanumber", nil).must(t, http.StatusUnprocessableEntity, nil)
}

func TestCaseSnippetsAndViews(t *testing.T) {
	e := casesEnv(t)
	staff := e.role(auth.RoleStaff)
	var in ingestOut
	e.mail(staff, rawMail("m5@bibliotek.example", "kari@bibliotek.example", "Fakturaspørsmål", "Hei")).must(t, http.StatusCreated, &in)

	type snippet struct {
		ID      int64  `json:"id"`
		Title   string `json:"title"`
		Lang    string `json:"lang"`
		Body    string `json:"body"`
		Version int64  `json:"version"`
	}
	var bad problem
	e.call(staff, "POST", "/case-snippets", map[string]any{"title": "Takk", "lang": "nb", "body": "Hei {navn}"}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.body"}) || !bad.mentions("cases.snippet.placeholder_unknown") {
		t.Errorf("unknown placeholder: %+v", bad)
	}
	var sn snippet
	e.call(staff, "POST", "/case-snippets", map[string]any{"title": "Takk", "lang": "nb", "body": "Takk for saken {case}: {subject}. Hilsen {staff}"}).
		must(t, http.StatusCreated, &sn)
	var rendered struct {
		Text string `json:"text"`
	}
	e.call(staff, "GET", fmt.Sprintf("/cases/%d/snippets/%d", in.CaseID, sn.ID), nil).must(t, http.StatusOK, &rendered)
	if want := fmt.Sprintf("Takk for saken #%d: Fakturaspørsmål. Hilsen User staff", in.CaseID); !strings.HasPrefix(rendered.Text, want) {
		t.Errorf("rendered %q, want it to start %q", rendered.Text, want)
	}
	var sn2 snippet
	e.call(staff, "PUT", fmt.Sprintf("/case-snippets/%d", sn.ID), map[string]any{"title": "Takk skal du ha", "lang": "nb", "body": "Takk.", "version": sn.Version}).
		must(t, http.StatusOK, &sn2)
	if sn2.Title != "Takk skal du ha" || sn2.Version != sn.Version+1 {
		t.Errorf("updated snippet %+v", sn2)
	}
	e.call(staff, "PUT", fmt.Sprintf("/case-snippets/%d", sn.ID), map[string]any{"title": "X", "lang": "nb", "body": "X", "version": sn.Version}).must(t, http.StatusConflict, nil)
	var list []snippet
	e.call(staff, "GET", "/case-snippets?q=SKAL&lang=nb", nil).must(t, http.StatusOK, &list)
	if len(list) != 1 || list[0].ID != sn.ID {
		t.Errorf("snippet search %+v", list)
	}
	e.call(staff, "GET", "/case-snippets?lang=sv", nil).must(t, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("Swedish snippets %+v, want none", list)
	}
	e.call(staff, "DELETE", fmt.Sprintf("/case-snippets/%d", sn.ID), nil).must(t, http.StatusNoContent, nil)
	e.call(staff, "GET", fmt.Sprintf("/cases/%d/snippets/%d", in.CaseID, sn.ID), nil).must(t, http.StatusNotFound, nil)

	type view struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	var v view
	e.call(staff, "POST", "/case-views", map[string]any{"name": "Mine åpne", "query": "?owner=me&state=bogus&tag=faktura"}).must(t, http.StatusCreated, &v)
	if v.Name != "Mine åpne" || v.Query != "owner=me&tag=faktura" {
		t.Errorf("saved view %+v", v)
	}
	e.call(staff, "POST", "/case-views", map[string]any{"name": " ", "query": ""}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.name"}) {
		t.Errorf("nameless view at %v", bad.locations())
	}
	var views []view
	e.call(staff, "GET", "/case-views", nil).must(t, http.StatusOK, &views)
	if len(views) != 1 || views[0].ID != v.ID {
		t.Errorf("views %+v", views)
	}
	e.call(staff, "DELETE", fmt.Sprintf("/case-views/%d", v.ID), nil).must(t, http.StatusNoContent, nil)
	e.call(staff, "DELETE", fmt.Sprintf("/case-views/%d", v.ID), nil).must(t, http.StatusNotFound, nil)
}
