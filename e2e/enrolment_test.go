package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// Scenario (issue 4): a library contact enrols in an open window and
// accepts licence terms. The admin has published two products, one of
// which requires the library itself to accept its terms, and opened a
// window with an offer of each. The contact answers yes to both in place
// (htmx; a "no" without a reason first shows its error beside the field)
// and sees the receipts; the library page's obligations show the
// Lovdata subscription waiting for its terms; the contact reads them, ticks
// the box and accepts, and the subscription shows as active.
func TestEnrolInWindowAndAcceptTermsAsLibraryContact(t *testing.T) {
	t.Parallel()
	p := start(t)
	s := p.seedEnrolment()
	p.loginAs(contactEmail, contactPassword)

	p.open("/my/windows")
	win := fmt.Sprintf("#window-%d", s.window.ID)
	if got := p.text(win + " h2"); !strings.Contains(got, "Tilknytning 2027") || !strings.Contains(got, "Åpen") {
		p.fatal("window heading = %q, want Tilknytning 2027, open", got)
	}
	p.click(win + " a.button")
	if want := fmt.Sprintf("/windows/%d?library=%d", s.window.ID, s.library.ID); p.path() != want {
		p.fatal("after choosing the window: at %s, want %s", p.path(), want)
	}
	lov, press := fmt.Sprintf("#offer-%d", s.offerLovdata), fmt.Sprintf("#offer-%d", s.offerPress)
	if got := p.text(lov + " .price"); got != "12 500,00 NOK" {
		p.fatal("Lovdata price = %q, want 12 500,00 NOK", got)
	}
	if got := p.text(press + " .current-answer"); got != "Ikke svart" {
		p.fatal("PressReader answer before = %q, want Ikke svart", got)
	}

	p.markPage()
	// "No" needs a reason: the error appears beside the field, in place.
	p.press(press + " button.answer-no")
	p.waitText(press+` .error[data-field=reason]`, textHas("Velg en grunn for å svare nei."))
	if got := p.text(press + " .current-answer"); got != "Ikke svart" {
		p.fatal("PressReader answer after a refused no = %q, want Ikke svart", got)
	}
	for _, o := range []struct{ sel, product string }{{lov, "Lovdata Pro"}, {press, "PressReader"}} {
		p.press(o.sel + " button.answer-yes")
		want := "Svaret er lagret: Deichman Bjørvika blir med på " + o.product + "."
		p.waitText(o.sel+" .flash", textHas(want))
		if got := p.text(o.sel + " .current-answer"); !strings.HasPrefix(got, "Ja") || !strings.Contains(got, contactName) {
			p.fatal("%s answer after yes = %q, want Ja by %s", o.product, got, contactName)
		}
	}
	p.expectSamePage()
	p.screenshot("enrolment-answered")

	// The library page loads its obligations with htmx.
	p.open(fmt.Sprintf("/libraries/%d", s.library.ID))
	lovRow := fmt.Sprintf(`#obligations tr:has(a[href="/catalogue/%s"])`, s.lovdata.Slug)
	pressRow := fmt.Sprintf(`#obligations tr:has(a[href="/catalogue/%s"])`, s.pressreader.Slug)
	p.waitText(lovRow, textHas("Venter på godkjente vilkår"))
	if got := p.text(pressRow); !strings.Contains(got, "Aktiv") {
		p.fatal("PressReader row = %q, want Aktiv (no terms to accept)", got)
	}
	if got := p.text("#todo"); !strings.Contains(got, "Godta versjon 1 av lisensvilkårene for Lovdata Pro.") {
		p.fatal("to-do = %q, want the Lovdata terms", got)
	}
	p.screenshot("enrolment-pending-terms")

	p.click(`#todo a[href^="/terms/"]`)
	if want := fmt.Sprintf("/terms/%d?library=%d", s.lovdata.ID, s.library.ID); p.path() != want {
		p.fatal("terms link: at %s, want %s", p.path(), want)
	}
	if got := p.text("#licence-text"); !strings.Contains(got, "Biblioteket er ansvarlig for brudd på vilkårene.") {
		p.fatal("licence text = %q", got)
	}
	if got := p.text("#term-walk_in"); !strings.Contains(got, "Besøkende kan bruke tjenesten i biblioteket.") {
		p.fatal("walk-in term = %q", got)
	}
	if got := p.text(`label:has(#accept-confirm)`); got != "Jeg godtar disse vilkårene (versjon 1) på vegne av Deichman Bjørvika" {
		p.fatal("confirmation label = %q", got)
	}
	p.press("#accept-confirm")
	if status := p.click(`#accept-form button[type=submit]`); status != 200 {
		p.fatal("accept: status %d, want 200 after the redirect", status)
	}
	if want := fmt.Sprintf("/libraries/%d", s.library.ID); p.path() != want {
		p.fatal("after accepting: at %s, want %s", p.path(), want)
	}
	if got, want := p.text(".flash"), "Du har godtatt versjon 1 av lisensvilkårene for Lovdata Pro på vegne av Deichman Bjørvika."; got != want {
		p.fatal("flash = %q, want %q", got, want)
	}
	p.waitText(lovRow, textHas("Aktiv"))
	if got := p.text(lovRow); strings.Contains(got, "Venter") {
		p.fatal("Lovdata row after accepting = %q, want only Aktiv", got)
	}
	p.screenshot("enrolment-active")
}
