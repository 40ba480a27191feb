package enrolmentweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/tabular"
)

// A window made through the form shows, once a library has answered, each
// library's progress and the counts and reasons per offer; the export has
// a row per library and offer; after the window closes an admin changes
// an answer, with a reason.
func TestWindowAdminProgressReportAndExport(t *testing.T) {
	s := newAdmSite(t)
	_, lov, at := s.agreement(2027)
	b := s.admin()

	b.Get("/windows/new").Want(t, "new window", http.StatusOK, `type="date" id="f-opens_on"`, `value="7"`,
		"<h3>Lovdata 2027 <span class=\"muted\">01.01.2027 – 31.12.2027</span></h3>",
		fmt.Sprintf(`name="offer_ids" value="%d"`, lov), "Lovdata Pro · 12 500,00 NOK")
	form := url.Values{"name": {"Tilknytning 2027"}, "opens_on": {"2026-10-16"}, "closes_on": {"2026-10-01"},
		"reminder_days": {"5"}, "offer_ids": {fmt.Sprint(lov), fmt.Sprint(at)}}
	b.Post("/windows", form).Want(t, "closing before opening", http.StatusUnprocessableEntity,
		`data-field="closes_on">Sluttdatoen kan ikke være før åpningsdatoen`, fmt.Sprintf(`value="%d" checked`, lov))
	form.Set("closes_on", "2026-11-12") // 28 days: four weeks exactly
	loc := b.Post("/windows", form).Redirected(t, "create window", "/windows/")
	if !strings.HasSuffix(loc, "/admin") {
		t.Fatalf("after creating: %s, want the admin view", loc)
	}
	wins, err := s.svc.Enrolment.Windows(s.ctx, admSystem)
	if err != nil || len(wins) != 1 {
		t.Fatalf("windows: %v %v", wins, err)
	}
	win := wins[0]
	if ids, _ := s.svc.Enrolment.WindowOffers(s.ctx, admSystem, win.ID); len(ids) != 2 || win.ReminderDays != 5 {
		t.Fatalf("window as stored: %+v with %d offers", win, len(ids))
	}

	// Bergen answers: yes to Lovdata (its terms are still to accept), no to Atekst.
	bergen := s.actor(s.contactOf("ola@bergen.no", s.bergen))
	if _, err := s.svc.Enrolment.Answer(s.ctx, bergen, win.ID, lov, s.bergen.ID, enrolment.AnswerInput{Answer: "yes"}); err != nil {
		t.Fatal(err)
	}
	no := enrolment.AnswerInput{Answer: "no", Reason: enrolment.ReasonOther, ReasonText: "Vi har Atekst gjennom kommunen"}
	if _, err := s.svc.Enrolment.Answer(s.ctx, bergen, win.ID, at, s.bergen.ID, no); err != nil {
		t.Fatal(err)
	}

	page := b.Get(loc).Want(t, "window admin view", http.StatusOK, "Påmeldingsperioden Tilknytning 2027 er opprettet.",
		`data-status="open">Åpen</span>`, "16.10.2026 – 12.11.2026", "07.11.2026 (5 dager før stenging)",
		"1 av 2 bibliotek har svart på alle tilbudene sine", "Invitert → Svart → Vilkår godtatt → Aktiv",
		fmt.Sprintf(`href="/windows/%d/report.xlsx"`, win.ID), "Eksporter til Excel", `id="change-form"`)
	page.Lacks(t, "window admin view", `id="window-warning"`)
	row := page.Section(fmt.Sprintf("progress-%d", s.bergen.ID))
	for _, want := range []string{`data-done="true"`, `data-step="answered">Svart</span>`, `data-state="pending_terms">Venter på godkjente vilkår`, "Nei"} {
		if !strings.Contains(row, want) {
			t.Errorf("Bergen's progress lacks %q:\n%s", want, row)
		}
	}
	row = page.Section(fmt.Sprintf("progress-%d", s.oslo.ID))
	if strings.Count(row, `data-step="invited">Invitert</span>`) != 2 {
		t.Errorf("Oslo's progress is not invited twice:\n%s", row)
	}
	report := page.Section(fmt.Sprintf("report-%d", lov))
	for _, want := range []string{`class="invited">2<`, `class="yes">1<`, `class="no">0<`, `class="not-answered">1<`} {
		if !strings.Contains(report, want) {
			t.Errorf("Lovdata's report lacks %q:\n%s", want, report)
		}
	}
	report = page.Section(fmt.Sprintf("report-%d", at))
	for _, want := range []string{`class="yes">0<`, `class="no">1<`, `class="not-answered">1<`, `data-reason="other">Annet: 1`, "<li>Vi har Atekst gjennom kommunen</li>"} {
		if !strings.Contains(report, want) {
			t.Errorf("Atekst's report lacks %q:\n%s", want, report)
		}
	}

	x := b.Get(fmt.Sprintf("/windows/%d/report.xlsx", win.ID))
	if x.Status != http.StatusOK || x.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	if cd := x.Header.Get("Content-Disposition"); cd != `attachment; filename=tilknytning-2027.xlsx` {
		t.Errorf("export named %q", cd)
	}
	tab, err := tabular.Read("report.xlsx", []byte(x.Body))
	if err != nil {
		t.Fatalf("export does not open: %v", err)
	}
	if !slices.Equal(tab.Header, enrolment.ReportHeader) || len(tab.Rows) != 4 {
		t.Fatalf("export: header %v, %d rows, want a row per library and offer (4)", tab.Header, len(tab.Rows))
	}
	seen := map[string]string{}
	for _, r := range tab.Rows {
		seen[tab.Get(r, "library")+" / "+tab.Get(r, "product")] = tab.Get(r, "answer") + " " + tab.Get(r, "reason_text")
	}
	for k, want := range map[string]string{"Bergen offentlige bibliotek / Lovdata Pro": "yes ", "Bergen offentlige bibliotek / Atekst": "no Vi har Atekst gjennom kommunen",
		"Deichman Bjørvika / Lovdata Pro": " ", "Deichman Bjørvika / Atekst": " "} {
		if got, ok := seen[k]; !ok || got != want {
			t.Errorf("export row %s: %q (present %v), want %q", k, got, ok, want)
		}
	}

	// After the window closes only an admin changes answers, with a reason.
	s.at("2026-11-20")
	change := url.Values{"library_id": {fmt.Sprint(s.oslo.ID)}, "offer_id": {fmt.Sprint(at)}, "answer": {"no"}, "reason": {"price"}}
	b.Post(loc+"/answer", change).Want(t, "change without a reason", http.StatusUnprocessableEntity,
		`data-field="change_reason">Skriv hvorfor konsortiet svarer for biblioteket`, `data-status="closed">Stengt</span>`)
	change.Set("change_reason", "Svarte på telefon 13.11.")
	b.Post(loc+"/answer", change).Redirected(t, "change after close", loc)
	b.Get(loc).Want(t, "after the change", http.StatusOK, "Svaret for Deichman Bjørvika på Atekst er nå: Nei.",
		"1 av 2 bibliotek", "(Konsortiet)", `data-reason="price">Pris: 1`)
	rep, _ := s.svc.Enrolment.WindowReport(s.ctx, admSystem, win.ID)
	for _, r := range rep.Rows {
		if r.LibraryID == s.oslo.ID && r.OfferID == at && (r.Answer != "no" || r.Source != enrolment.SourceAdmin) {
			t.Errorf("Oslo's Atekst answer after the change: %+v", r)
		}
	}
	// The library itself can no longer answer.
	oslo := s.actor(s.contactOf("kari@deichman.no", s.oslo))
	if _, err := s.svc.Enrolment.Answer(s.ctx, oslo, win.ID, lov, s.oslo.ID, enrolment.AnswerInput{Answer: "yes"}); err != enrolment.ErrWindowClosed {
		t.Errorf("library answering after close: %v", err)
	}
}

// A window of more than four weeks is saved with a warning that shows on
// its page and in the list; one of exactly four weeks has none.
func TestWindowLongerThanFourWeeksWarns(t *testing.T) {
	s := newAdmSite(t)
	_, lov, _ := s.agreement(2027)
	b := s.admin()
	form := url.Values{"name": {"Lang periode"}, "opens_on": {"2026-12-01"}, "closes_on": {"2026-12-29"}, "offer_ids": {fmt.Sprint(lov)}}
	loc := b.Post("/windows", form).Redirected(t, "29-day window", "/windows/")
	const warning = "Tilknytningsperioden varer 29 dager, mer enn fire uker (28 dager)."
	b.Get(loc).Want(t, "29-day window", http.StatusOK, `<p class="flash" role="status">Påmeldingsperioden Lang periode er opprettet. `+warning,
		`id="window-warning">`+warning, `data-status="upcoming">Kommer</span>`).Lacks(t, "upcoming window", `id="change-form"`)
	b.Get(loc).Want(t, "29-day window again", http.StatusOK, `id="window-warning">`+warning)

	form.Set("name", "Fire uker")
	form.Set("closes_on", "2026-12-28")
	short := b.Post("/windows", form).Redirected(t, "28-day window", "/windows/")
	b.Get(short).Want(t, "28-day window", http.StatusOK, "Fire uker").Lacks(t, "28-day window", `id="window-warning"`, "fire uker (28 dager)")

	list := b.Get("/windows").Want(t, "windows", http.StatusOK, "01.12.2026 – 29.12.2026", "01.12.2026 – 28.12.2026")
	for _, w := range []struct {
		loc  string
		warn bool
	}{{loc, true}, {short, false}} {
		id := "window-" + strings.TrimSuffix(strings.TrimPrefix(w.loc, "/windows/"), "/admin")
		if got := strings.Contains(list.Section(id), "Over fire uker"); got != w.warn {
			t.Errorf("list row %s warns %v, want %v:\n%s", id, got, w.warn, list.Section(id))
		}
	}
}
