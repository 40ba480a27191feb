package enrolmentweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/web/webtest"
)

// A library contact finds the window, answers yes through the form, sees
// the subscription wait for its terms, accepts them, and sees it active.
func TestLibraryContactEnrolsAcceptsTermsAndSeesActive(t *testing.T) {
	s := newLibSite(t)
	b := s.contact("kari@deichman.no", s.library)
	libQ := fmt.Sprintf("?library=%d", s.library.ID)
	windowURL := fmt.Sprintf("/windows/%d", s.window.ID)

	b.Get("/my/windows").Want(t, "my windows", http.StatusOK,
		"Tilknytning 2026", `href="`+windowURL+libQ+`"`, "16.10.2026 – 12.11.2026")
	// Links in mails and to-do lists carry no library: one library is picked.
	if p := b.Get(windowURL); p.Status != http.StatusSeeOther || p.Location != windowURL+libQ {
		t.Fatalf("window without library: %d → %q, want 303 → %s", p.Status, p.Location, windowURL+libQ)
	}
	b.Get(windowURL+libQ).Want(t, "window", http.StatusOK,
		"Lovdata Pro", `href="/catalogue/`+s.lovdata.Slug+`"`, "12 500,00 NOK", "3 000,00 NOK", "Ikke svart",
		`hx-post="`+windowURL+`/answers"`, fmt.Sprintf(`hx-target="#offer-%d"`, s.offerLov))

	// Without JavaScript: a normal post and a redirect with the receipt.
	p := b.Post(windowURL+"/answers", s.answerForm(s.offerLov, s.library, "yes", "", ""))
	if want := fmt.Sprintf("%s%s#offer-%d", windowURL, libQ, s.offerLov); p.Status != http.StatusSeeOther || p.Location != want {
		t.Fatalf("answer yes: %d → %q, want 303 → %s\n%s", p.Status, p.Location, want, webtest.Excerpt(p.Body))
	}
	b.Get(windowURL+libQ).Want(t, "window after answering", http.StatusOK,
		`class="flash" role="status">Svaret er lagret: Deichman Bjørvika blir med på Lovdata Pro.`, "Kari kari")

	if st := s.state(b, s.library, s.lovdata); st != enrolment.StatePendingTerms {
		t.Fatalf("after yes: state %q, want pending_terms", st)
	}
	frag := b.Get(fmt.Sprintf("/libraries/%d/obligations", s.library.ID))
	frag.Want(t, "obligations", http.StatusOK, `<section id="obligations">`, "Venter på godkjente vilkår",
		fmt.Sprintf(`href="/terms/%d?library=%d"`, s.lovdata.ID, s.library.ID), "Godta versjon 1 av lisensvilkårene for Lovdata Pro.",
		"Svar på tilbudene i Tilknytning 2026 innen 12.11.2026: 1 er ubesvart.") // Atekst is still unanswered
	if strings.Contains(frag.Body, "<html") || !strings.HasPrefix(strings.TrimSpace(frag.Body), `<section id="obligations">`) {
		t.Errorf("obligations is not a bare fragment:\n%s", webtest.Excerpt(frag.Body))
	}
	if !strings.Contains(frag.Body, fmt.Sprintf(`href="%s%s"`, windowURL, libQ)) {
		t.Errorf("to-do lacks the link to the window with unanswered offers:\n%s", frag.Body)
	}

	termsURL := fmt.Sprintf("/terms/%d", s.lovdata.ID)
	b.Get(termsURL+libQ).Want(t, "terms", http.StatusOK, "Lisensvilkår for Lovdata Pro",
		"Lisensen gjelder for bibliotekets brukere.", "Besøkende brukere (walk-in)", "Walk-in users may use the service.", "norsk rett",
		`id="accept-form"`, `name="confirm"`, "Jeg godtar disse vilkårene (versjon 1) på vegne av Deichman Bjørvika")

	accept := url.Values{"library_id": {fmt.Sprint(s.library.ID)}, "version": {"1"}}
	b.Post(termsURL+"/accept", accept).Want(t, "accept unticked", http.StatusUnprocessableEntity,
		`data-field="confirm">Kryss av for at du godtar vilkårene.`)
	accept.Set("confirm", "yes")
	if p := b.Post(termsURL+"/accept", accept); p.Status != http.StatusSeeOther || p.Location != fmt.Sprintf("/libraries/%d", s.library.ID) {
		t.Fatalf("accept: %d → %q, want 303 → the library page\n%s", p.Status, p.Location, webtest.Excerpt(p.Body))
	}
	b.Get(fmt.Sprintf("/libraries/%d", s.library.ID)).Want(t, "library page", http.StatusOK,
		"Du har godtatt versjon 1 av lisensvilkårene for Lovdata Pro på vegne av Deichman Bjørvika.")
	if st := s.state(b, s.library, s.lovdata); st != enrolment.StateActive {
		t.Fatalf("after accepting: state %q, want active", st)
	}
	st, err := s.svc.Enrolment.TermsStatus(s.ctx, libAdmin, s.library.ID, s.lovdata.ID)
	if err != nil || st.Accepted == nil {
		t.Fatalf("acceptance not recorded: %+v, %v", st, err)
	}
	if a := st.Accepted; a.AcceptedBy != "Kari kari" || a.RemoteAddr != "127.0.0.1" {
		t.Errorf("acceptance by %q from %q, want Kari kari from 127.0.0.1", a.AcceptedBy, a.RemoteAddr)
	}
	b.Get(termsURL+libQ).Want(t, "terms after accepting", http.StatusOK, "Versjon 1 ble godtatt av Kari kari")
	if p := b.Get(termsURL + libQ); strings.Contains(p.Body, `id="accept-form"`) {
		t.Error("terms page still offers the form after acceptance")
	}
}

// A consortium admin sees the terms page without the form and why; a
// forced post is refused with the reason and records nothing.
func TestAdminMayNotAcceptTermsForLibrary(t *testing.T) {
	s := newLibSite(t)
	contact := s.contact("kari@deichman.no", s.library)
	contact.Post(fmt.Sprintf("/windows/%d/answers", s.window.ID), s.answerForm(s.offerLov, s.library, "yes", "", ""))
	admin := s.admin()
	termsURL := fmt.Sprintf("/terms/%d", s.lovdata.ID)
	const why = "Bare en kontaktperson for biblioteket selv kan godta lisensvilkårene."

	p := admin.Get(fmt.Sprintf("%s?library=%d", termsURL, s.library.ID))
	p.Want(t, "terms as admin", http.StatusOK, `id="accept-refusal"`, why)
	if strings.Contains(p.Body, `id="accept-form"`) {
		t.Error("an admin is offered the acceptance form")
	}
	admin.Post(termsURL+"/accept", url.Values{"library_id": {fmt.Sprint(s.library.ID)}, "version": {"1"}, "confirm": {"yes"}}).
		Want(t, "forced accept by admin", http.StatusForbidden, why)
	if st := s.state(admin, s.library, s.lovdata); st != enrolment.StatePendingTerms {
		t.Fatalf("after the admin's post: state %q, want still pending_terms", st)
	}
	// A contact of another library may not either.
	other := s.newLibrary("Bergen offentlige bibliotek", "4601")
	stranger := s.contact("ola@bergen.no", other)
	p = stranger.Post(termsURL+"/accept", url.Values{"library_id": {fmt.Sprint(s.library.ID)}, "version": {"1"}, "confirm": {"yes"}})
	if p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
		t.Errorf("another library's contact: status %d, want 404 or 403", p.Status)
	}
}

// A "no" needs a reason and "other" a text: the errors show beside the
// fields, in the whole page without JavaScript and in the offer's block
// through htmx.
func TestAnswerNoNeedsReasonInline(t *testing.T) {
	s := newLibSite(t)
	b := s.contact("kari@deichman.no", s.library)
	answers := fmt.Sprintf("/windows/%d/answers", s.window.ID)
	offerBlock := fmt.Sprintf(`<section class="offer" id="offer-%d">`, s.offerAt)

	p := b.Post(answers, s.answerForm(s.offerAt, s.library, "no", "", ""))
	p.Want(t, "no without reason", http.StatusUnprocessableEntity, `data-field="reason">Velg en grunn for å svare nei.`, "<html")

	htmx := []string{"HX-Request", "true", "HX-Target", fmt.Sprintf("offer-%d", s.offerAt)}
	p = b.Post(answers, s.answerForm(s.offerAt, s.library, "no", "other", ""), htmx...)
	p.Want(t, "other without text (htmx)", http.StatusOK, `data-field="reason_text">Skriv hva grunnen er.`, `<option value="other" selected>`)
	if !strings.HasPrefix(strings.TrimSpace(p.Body), offerBlock) || strings.Contains(p.Body, "<html") {
		t.Errorf("htmx answer is not the offer's block alone:\n%s", p.Body)
	}

	p = b.Post(answers, s.answerForm(s.offerAt, s.library, "no", "other", "Vi bruker en annen tjeneste"), htmx...)
	p.Want(t, "no with other text (htmx)", http.StatusOK, offerBlock,
		"Svaret er lagret: Deichman Bjørvika blir ikke med på Atekst.", "Nei – Annet: Vi bruker en annen tjeneste")
	if strings.Contains(p.Body, `class="error"`) {
		t.Errorf("saved answer still shows an error:\n%s", p.Body)
	}
	if st := s.state(b, s.library, s.atekst); st != "" {
		t.Errorf("after no: a subscription in state %q, want none", st)
	}
}

// After the window closes a contact sees why and cannot answer; a stale
// form posted anyway is refused with the same message.
func TestClosedWindowRefusesAnswers(t *testing.T) {
	s := newLibSite(t)
	b := s.contact("kari@deichman.no", s.library)
	s.at("2026-11-13")
	const closed = "Tilknytningsperioden er ikke åpen."
	url := fmt.Sprintf("/windows/%d?library=%d", s.window.ID, s.library.ID)
	p := b.Get(url)
	p.Want(t, "closed window", http.StatusOK, `id="window-notice"`, closed)
	if strings.Contains(p.Body, "answer-form") {
		t.Error("a closed window still shows answer forms")
	}
	b.Post(fmt.Sprintf("/windows/%d/answers", s.window.ID), s.answerForm(s.offerLov, s.library, "yes", "", "")).
		Want(t, "answer after close", http.StatusConflict, closed)
	if got := b.Get("/my/windows"); strings.Contains(got.Body, "Tilknytning 2026") {
		t.Error("my windows still lists the closed window")
	}
}

// A county contact answers for the libraries of its county and picks one.
func TestCountyContactPicksLibrary(t *testing.T) {
	s := newLibSite(t)
	other := s.newLibrary("Bergen offentlige bibliotek", "4601")
	s.user("fylke@vestland.no", auth.RoleCountyContact, func(n *auth.NewUser) { n.Country, n.CountyNumber = "NO", other.CountyNumber })
	b := s.login("fylke@vestland.no")
	b.Get("/my/windows").Want(t, "county windows", http.StatusOK, "Bergen offentlige bibliotek")
	b.Get(fmt.Sprintf("/windows/%d?library=%d", s.window.ID, s.library.ID)).Want(t, "another county's library", http.StatusNotFound)
	b.Post(fmt.Sprintf("/windows/%d/answers", s.window.ID), s.answerForm(s.offerAt, other, "yes", "", "")).
		Want(t, "county answers", http.StatusSeeOther)
	b.Get(fmt.Sprintf("/windows/%d?library=%d", s.window.ID, other.ID)).Want(t, "county window", http.StatusOK,
		"Svaret er lagret: Bergen offentlige bibliotek blir med på Atekst.", "Fylkeskontakt")
	// Only the library's own contact accepts terms: the county contact sees why not.
	b.Get(fmt.Sprintf("/terms/%d?library=%d", s.lovdata.ID, other.ID)).Want(t, "county terms", http.StatusOK, `id="accept-refusal"`)
}

// Prices are shown in minor units' words of the reader's language.
func TestPricesInReadersLanguage(t *testing.T) {
	s := newLibSite(t)
	b := s.contact("kari@deichman.no", s.library)
	b.Get(fmt.Sprintf("/windows/%d?library=%d", s.window.ID, s.library.ID), "Accept-Language", "en").
		Want(t, "window in English", http.StatusOK, "12,500.00 NOK", "3,000.00 NOK", "Yes, we join", "16 Oct 2026 – 12 Nov 2026")
}
