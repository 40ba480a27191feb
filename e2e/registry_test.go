package e2e

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
)

const librarySubmit = `main form.stacked button[type=submit]`

// Scenario 2: an invalid ISIL is refused with the error next to the field and
// the typed values kept; once corrected, the library is saved and its page
// shows it with a "created" entry in the change history.
func TestCreateLibraryShowsInlineErrorThenSaves(t *testing.T) {
	t.Parallel()
	p := start(t)
	p.login()
	const name = "Testby folkebibliotek"

	p.open("/libraries/new")
	if got := p.text("h1"); got != "Nytt bibliotek" {
		p.fatal("heading = %q, want %q", got, "Nytt bibliotek")
	}
	p.set("#f-name", name)
	p.set("#f-type", "public")
	p.set("#f-isil", "NO-20300X1") // a letter where the NO- form has digits
	if status := p.click(librarySubmit); status != 422 {
		p.fatal("invalid ISIL: status %d, want 422", status)
	}
	if got, want := p.text("#form-errors"), "Skjemaet ble ikke lagret. Rett feltene som er merket."; got != want {
		p.fatal("#form-errors = %q, want %q", got, want)
	}
	// validate.isil.no_form in internal/i18n/locales/validate.nb.toml
	if got, want := p.text(`.error[data-field=isil]`), "Norsk ISIL skrives NO- og sju sifre, f.eks. NO-0030000."; got != want {
		p.fatal("ISIL error = %q, want %q", got, want)
	}
	// The message sits in the ISIL field's own box, next to its input.
	inField, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](
		`document.querySelector('.error[data-field=isil]').closest('.field').contains(document.querySelector('#f-isil'))`))
	if err != nil || !inField {
		p.fatal("ISIL error is not beside the ISIL input (err %v)", err)
	}
	if n := p.count(".error"); n != 1 {
		p.fatal("%d error messages on the form, want only the ISIL one", n)
	}
	if got := p.value("#f-name"); got != name {
		p.fatal("name field = %q after the refused save, want %q kept", got, name)
	}
	if got := p.value("#f-isil"); got != "NO-20300X1" {
		p.fatal("ISIL field = %q after the refused save, want the typed value kept", got)
	}
	if got := p.value("#f-type"); got != "public" {
		p.fatal("type = %q after the refused save, want public kept", got)
	}
	if _, total, err := p.svc.Members.List(context.Background(), auth.System, members.Filter{Query: "Testby"}); err != nil || total != 0 {
		p.fatal("refused form saved something: %d libraries match (err %v)", total, err)
	}

	p.set("#f-isil", "NO-2030999")
	if status := p.click(librarySubmit); status != 200 {
		p.fatal("valid form: status %d, want 200", status)
	}
	if got := p.path(); !regexp.MustCompile(`^/libraries/[0-9]+$`).MatchString(got) {
		p.fatal("after saving: at %s, want the library's page", got)
	}
	if got := p.text("h1"); got != name {
		p.fatal("library page heading = %q, want %q", got, name)
	}
	if got, want := p.text(".flash"), name+" er opprettet."; got != want {
		p.fatal("flash = %q, want %q", got, want)
	}
	facts := p.text("#facts")
	for _, want := range []string{"NO-2030999", "Folkebibliotek"} {
		if !strings.Contains(facts, want) {
			p.fatal("library facts lack %q", want)
		}
	}
	entry := p.text("#history tbody tr")
	for _, want := range []string{"opprettet", adminName, "NO-2030999"} {
		if !strings.Contains(entry, want) {
			p.fatal("history entry %q lacks %q", entry, want)
		}
	}
}

// Scenario 5: typing in the search box narrows the list in place through
// htmx, without reloading the page.
func TestSearchFiltersListWithoutReload(t *testing.T) {
	t.Parallel()
	p := start(t)
	p.login()

	before := p.text("#count")
	if before != "3 bibliotek" {
		p.fatal("#count before searching = %q, want %q", before, "3 bibliotek")
	}
	// A full page load would wipe this.
	p.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.e2eSamePage = true`))

	p.do("type in #q", chromedp.SendKeys(chromedp.CSS("#q"), "bergen"))
	// Wait for the final count, not the first change: under load a pause
	// between keystrokes can outlast the debounce and show "b"'s result first.
	if got := p.waitText("#count", func(s string) bool { return s == "1 bibliotek" }); got != "1 bibliotek" {
		p.fatal("#count after searching = %q, want %q", got, "1 bibliotek")
	}
	rows := p.rowTexts("#results tbody tr")
	if len(rows) != 1 || !strings.Contains(rows[0], "Bergen offentlige bibliotek") {
		p.fatal("rows after searching for bergen = %q, want only Bergen offentlige bibliotek", rows)
	}
	p.expectSamePage()
	if u, err := url.Parse(p.path()); err != nil || u.Path != "/libraries" || u.Query().Get("q") != "bergen" {
		t.Errorf("URL after searching = %s, want /libraries with q=bergen (hx-push-url)", p.path())
	}

	// A search that matches nothing says so.
	p.do("type more in #q", chromedp.SendKeys(chromedp.CSS("#q"), "xyz"))
	if got := p.waitText("#count", func(s string) bool { return s == "0 bibliotek" }); got != "0 bibliotek" {
		p.fatal("#count for bergenxyz = %q, want %q", got, "0 bibliotek")
	}
	if got := p.text("#results tbody"); got != "Ingen bibliotek passer med søket." {
		p.fatal("empty result says %q", got)
	}
	p.expectSamePage()
}

// count is how many elements match sel now.
func (p *page) count(sel string) int {
	p.t.Helper()
	return len(p.rowTexts(sel))
}

// rowTexts is the visible text of every element matching sel now.
func (p *page) rowTexts(sel string) []string {
	p.t.Helper()
	js := `Array.from(document.querySelectorAll(` + jsString(sel) + `), e => e.innerText.trim())`
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		p.fatal("read %s: %v", sel, err)
	}
	return out
}

func (p *page) expectSamePage() {
	p.t.Helper()
	same, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`window.e2eSamePage === true`))
	if err != nil || !same {
		p.fatal("the page was reloaded; htmx should have swapped #results in place (err %v)", err)
	}
}
