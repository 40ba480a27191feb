package cases_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
)

func ids(items []cases.Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// Filters, tags and full text find the right cases on both engines.
func TestListFiltersAndSearch(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: post@konsortium.test", "Subject: Fjerntilgang", "Message-ID: <l1@bibliotek.test>"},
		"Proxyen gir feilmelding når lånerne logger på hjemmefra."))
	w.advance(time.Hour)
	b := w.ingest(t, mailText([]string{"From: ukjent@example.org", "To: post@konsortium.test", "Subject: Faktura 2027", "Message-ID: <l2@example.org>"},
		"Spørsmål om fakturaen."))
	if _, err := w.Svc.SetTags(ctx, w.Staff, b.CaseID, []string{"Faktura, økonomi", "faktura"}); err != nil {
		t.Fatal(err)
	}
	list := func(q string) []int64 {
		t.Helper()
		v, _ := url.ParseQuery(q)
		items, err := w.Svc.List(ctx, w.Staff, cases.FilterFrom(v))
		if err != nil {
			t.Fatalf("list %q: %v", q, err)
		}
		return ids(items)
	}
	check := func(q string, want ...int64) {
		t.Helper()
		got := list(q)
		if len(got) != len(want) {
			t.Errorf("%q: got %v, want %v", q, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: got %v, want %v", q, got, want)
			}
		}
	}
	check("", b.CaseID, a.CaseID)
	check("tag=økonomi", b.CaseID)
	check("library="+itoa(w.LibraryID), a.CaseID)
	check("county=NO-46", a.CaseID)
	check("vendor=" + itoa(w.VendorID))
	check("q=hjemmefra", a.CaseID)
	check("q=hjemme", a.CaseID) // prefix
	check("q=FAKTURA", b.CaseID)
	check(`q=" OR 1=1 --`) // no query syntax leaks through
	check("q=proxyen+lånerne", a.CaseID)
	check("owner=none", b.CaseID, a.CaseID)
	check("older=1")

	setState(t, w, a.CaseID, cases.StateSolved)
	check("", b.CaseID)
	check("state=solved", a.CaseID)
	check("state=all", b.CaseID, a.CaseID)

	// A saved view is the list's query string under a name.
	v, err := w.Svc.SaveView(ctx, w.Staff, "Økonomi", cases.FilterFrom(url.Values{"tag": {"økonomi"}}))
	if err != nil {
		t.Fatal(err)
	}
	items, err := w.Svc.List(ctx, w.Staff, v.Filter())
	if err != nil || len(items) != 1 || items[0].ID != b.CaseID || len(items[0].Tags) != 2 {
		t.Errorf("view %q gave %+v, %v", v.Query, items, err)
	}

	// Library contacts and vendors do not work the desk.
	if _, err := w.Svc.List(ctx, auth.Actor{UserID: 99, Role: auth.RoleLibrary, LibraryIDs: []int64{w.LibraryID}}, cases.Filter{}); err != cases.ErrForbidden {
		t.Errorf("library contact listing cases: %v, want ErrForbidden", err)
	}
}

// Snippets fill their placeholders from the case.
func TestSnippetPlaceholders(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.ingest(t, mailText([]string{"From: Kari Nordmann <kari@bibliotek.test>", "To: support@leverandor.test", "Cc: post@konsortium.test",
		"Subject: Lovbasen nede", "Message-ID: <s1@bibliotek.test>"}, "Hei"))
	if _, err := w.Svc.SaveSnippet(ctx, w.Staff, 0, cases.SnippetInput{Title: "Hilsen", Lang: "nb", Body: "Hei {navn}"}); err == nil {
		t.Error("an unknown placeholder was accepted")
	}
	sn, err := w.Svc.SaveSnippet(ctx, w.Staff, 0, cases.SnippetInput{Title: "Vi undersøker", Lang: "nb",
		Body: "Hei {contact}!\nVi har meldt feilen på {product} til {vendor} for {library} ({case}).\nHilsen {staff}"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.Svc.SnippetFor(ctx, w.Staff, c.CaseID, sn.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "Hei Kari Nordmann!\nVi har meldt feilen på Lovbasen til Leverandøren AS for Eksempel bibliotek (#" + itoa(c.CaseID) + ").\nHilsen Sakbehandler"
	if got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
	found, err := w.Svc.Snippets(ctx, w.Staff, "UNDERSØKER", "nb")
	if err != nil || len(found) != 1 {
		t.Errorf("search found %d, %v", len(found), err)
	}
	if found, _ := w.Svc.Snippets(ctx, w.Staff, "undersøker", "sv"); len(found) != 0 {
		t.Errorf("Swedish search found a Norwegian snippet")
	}
}

// The temperature counts new and open cases per product and vendor, and
// the median times to first answer and to solve.
func TestTemperature(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	open := func(n int) int64 {
		return w.ingest(t, mailText([]string{"From: kari@bibliotek.test", "To: support@leverandor.test", "Cc: post@konsortium.test",
			"Subject: Feil " + itoa(int64(n)), "Message-ID: <temp" + itoa(int64(n)) + "@bibliotek.test>"}, "Hei")).CaseID
	}
	a := open(1)
	w.advance(2 * time.Hour)
	if _, err := w.Svc.Reply(ctx, w.Staff, a, cases.ReplyInput{Body: "Svar", State: cases.StateSolved}); err != nil {
		t.Fatal(err)
	}
	w.advance(7 * 24 * time.Hour)
	open(2)
	open(3)
	tp, err := w.Svc.Temperature(ctx, w.Staff, "week", 4)
	if err != nil {
		t.Fatal(err)
	}
	var row *cases.TempRow
	for i := range tp.Rows {
		if tp.Rows[i].Kind == "product" && tp.Rows[i].ID == w.ProductID {
			row = &tp.Rows[i]
		}
	}
	if row == nil {
		t.Fatalf("no row for the product: %+v", tp.Rows)
	}
	if row.New[3] != 2 || row.New[2] != 1 || row.Open != 2 {
		t.Errorf("new %v open %d, want [.. 1 2] and 2 open", row.New, row.Open)
	}
	if row.FirstAnswer != 2*time.Hour || row.FirstAnswerCount != 1 || row.Solve != 2*time.Hour || row.SolveCount != 1 {
		t.Errorf("first answer %v (%d), solve %v (%d)", row.FirstAnswer, row.FirstAnswerCount, row.Solve, row.SolveCount)
	}
}
