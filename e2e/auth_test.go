package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	loginSubmit    = `form[action="/login"] button[type=submit]`
	logoutButton   = `form[action="/logout"] button`
	languageSubmit = `form.lang button[type=submit]`
)

// Scenario 1: a wrong password is refused with a Norwegian message on the
// login page; the right one lands on the library list with the registry in it.
func TestLoginShowsLibrariesAndRefusesWrongPassword(t *testing.T) {
	t.Parallel()
	p := start(t)

	p.open("/libraries")
	if got := p.path(); !strings.HasPrefix(got, "/login") {
		p.fatal("anonymous visit to /libraries: at %s, want the login page", got)
	}
	if got := p.text("h1"); got != "Logg inn i Samla" {
		p.fatal("login heading = %q, want %q (Norwegian by default)", got, "Logg inn i Samla")
	}

	p.set("#email", adminEmail)
	p.set("#password", "helt-feil-passord")
	if status := p.click(loginSubmit); status != 401 {
		p.fatal("wrong password: status %d, want 401", status)
	}
	if got := p.text(`.login [role=alert]`); got != "Feil e-postadresse eller passord." {
		p.fatal("wrong password: alert %q, want %q", got, "Feil e-postadresse eller passord.")
	}
	if !strings.HasPrefix(p.path(), "/login") || p.exists("#results") || p.exists(logoutButton) {
		p.fatal("wrong password must leave the user on the login page, logged out")
	}
	if got := p.value("#email"); got != adminEmail {
		p.fatal("wrong password: e-mail field %q, want it kept as %q", got, adminEmail)
	}

	p.set("#password", adminPassword)
	if status := p.click(loginSubmit); status != 200 {
		p.fatal("right password: status %d, want 200", status)
	}
	if got := p.path(); got != "/libraries" {
		p.fatal("after login: at %s, want /libraries", got)
	}
	results := p.text("#results")
	for _, l := range seedLibraries {
		if !strings.Contains(results, l.Name) {
			p.fatal("library list lacks %q", l.Name)
		}
	}
	if got := p.text("#count"); got != "3 bibliotek" {
		p.fatal("#count = %q, want %q", got, "3 bibliotek")
	}
	if got := p.text(".who"); !strings.Contains(got, adminName) || !strings.Contains(got, "Konsortieadministrator") {
		p.fatal("header user = %q, want name and role", got)
	}
	if got := p.text(logoutButton); got != "Logg ut" {
		p.fatal("logout button = %q, want %q", got, "Logg ut")
	}
	p.screenshot("libraries")
}

// Scenario 4: the language form switches the whole interface, and the choice
// follows the user to other pages.
func TestLanguageChoiceSwitchesAndSticks(t *testing.T) {
	t.Parallel()
	p := start(t)
	p.login()

	// Norwegian to start with.
	p.open("/libraries/new")
	if got, want := p.text(`label[for=f-name]`), "Navn"; got != want {
		p.fatal("nb name label = %q, want %q", got, want)
	}

	// Swedish: "Bibliotek" and "Nytt bibliotek" read the same in both
	// languages, so assert on texts that differ.
	p.set("#lang-select", "sv")
	p.click(languageSubmit)
	if got := p.path(); got != "/libraries/new" {
		p.fatal("after changing language: at %s, want back on /libraries/new", got)
	}
	p.expectLanguage("sv", "Logga ut", "Namn", "Mitt konto")

	p.open("/libraries")
	p.expectLanguage("sv", "Logga ut", "", "Mitt konto")
	if got := p.text("#count"); got != "3 bibliotek" {
		p.fatal("sv #count = %q", got)
	}
	if got := p.text(`#results thead th`); got != "Namn" {
		p.fatal("sv list heading = %q, want %q", got, "Namn")
	}

	// English, chosen from the list page.
	p.set("#lang-select", "en")
	p.click(languageSubmit)
	if got := p.path(); got != "/libraries" {
		p.fatal("after changing language: at %s, want back on /libraries", got)
	}
	p.expectLanguage("en", "Log out", "", "My account")
	if got := p.text("#count"); got != "3 libraries" {
		p.fatal("en #count = %q, want %q", got, "3 libraries")
	}

	// It sticks on other pages.
	p.open("/libraries/new")
	p.expectLanguage("en", "Log out", "Name", "My account")
	if got := p.text("h1"); got != "New library" {
		p.fatal("en heading = %q, want %q", got, "New library")
	}
	p.open("/import")
	if got := p.text("h1"); got != "Import libraries" {
		p.fatal("en import heading = %q, want %q", got, "Import libraries")
	}

	// It is stored on the user, not only in the browser.
	u, err := p.svc.Users.Login(context.Background(), adminEmail, adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	if u.Locale != "en" {
		t.Errorf("stored locale = %q, want en", u.Locale)
	}
}

// expectLanguage checks the page's language attribute, the selected
// language, the logout button, the account link and (when nameLabel is not
// empty) the library form's name label.
func (p *page) expectLanguage(lang, logout, nameLabel, account string) {
	p.t.Helper()
	htmlLang, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		p.fatal("html lang: %v", err)
	}
	if htmlLang != lang {
		p.fatal("<html lang> = %q, want %q", htmlLang, lang)
	}
	if got := p.value("#lang-select"); got != lang {
		p.fatal("#lang-select = %q, want %q", got, lang)
	}
	if got := p.text(logoutButton); got != logout {
		p.fatal("logout button = %q, want %q", got, logout)
	}
	if got := p.text(`header nav a[href="/account"]`); got != account {
		p.fatal("account link = %q, want %q", got, account)
	}
	if nameLabel != "" {
		if got := p.text(`label[for=f-name]`); got != nameLabel {
			p.fatal("name label = %q, want %q", got, nameLabel)
		}
	}
}
