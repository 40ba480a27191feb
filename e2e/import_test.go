package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const importSubmit = `form[action="/import"] button[type=submit]`

// Scenario 3: an import is all-or-nothing. A file with one bad row shows the
// plan with that row rejected (by its file line, column and value), offers no
// way to apply it and writes nothing; a clean file can then be applied.
func TestImportRejectsWholeFileForOneBadRowThenAppliesCleanFile(t *testing.T) {
	t.Parallel()
	p := start(t)
	p.login()
	dir := t.TempDir()

	// Line 1 is the header, so the bad organisation number is on line 3.
	bad := writeFile(t, dir, "bibliotek-med-feil.csv", ""+
		"navn;type;kommune;isil;orgnr\n"+
		"Sandvika bibliotek;folkebibliotek;3201;NO-2032010;988077917\n"+
		"Lillehammer bibliotek;folkebibliotek;3405;;988077918\n"+
		"Hamar bibliotek;folkebibliotek;3403;;\n")
	if status := p.upload(bad); status != 422 {
		p.fatal("file with a bad row: status %d, want 422", status)
	}
	if !p.exists("#plan") {
		p.fatal("no #plan after uploading")
	}
	if got, want := p.text("#summary"), "2 nye, 0 endret, 0 uendret, 1 avvist"; got != want {
		p.fatal("#summary = %q, want %q", got, want)
	}
	if n := p.count("tr.reject"); n != 1 {
		p.fatal("%d rejected rows, want 1", n)
	}
	line, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector('tr.reject').dataset.line`))
	if err != nil || line != "3" {
		p.fatal("rejected row's data-line = %q, want 3, its line in the file (err %v)", line, err)
	}
	reject := p.text(`tr[data-line="3"]`)
	for _, want := range []string{"Lillehammer bibliotek", "Avvist", "kolonne «orgnr», verdi «988077918»", "kontrollsifferet stemmer ikke"} {
		if !strings.Contains(reject, want) {
			p.fatal("rejected row %q lacks %q", reject, want)
		}
	}
	for _, sel := range []string{`tr.create[data-line="2"]`, `tr.create[data-line="4"]`} {
		if !p.exists(sel) {
			p.fatal("no %s: the good rows should show as new", sel)
		}
	}
	if p.exists("#apply") {
		p.fatal("#apply is offered for a file with a rejected row; imports are all-or-nothing")
	}
	if got := p.text(`#plan [role=alert]`); !strings.HasPrefix(got, "Noen rader er avvist. Ingenting blir lagret") {
		p.fatal("plan alert = %q, want the nothing-saved explanation", got)
	}

	p.open("/libraries")
	if got := p.text("#count"); got != "3 bibliotek" {
		p.fatal("after the rejected import #count = %q, want %q (only the seeded libraries)", got, "3 bibliotek")
	}
	list := p.text("#results")
	for _, name := range []string{"Sandvika bibliotek", "Hamar bibliotek", "Lillehammer bibliotek"} {
		if strings.Contains(list, name) {
			p.fatal("%q was created by an import that had a rejected row", name)
		}
	}

	// The corrected file goes through.
	good := writeFile(t, dir, "bibliotek.csv", ""+
		"navn;type;kommune;isil;orgnr\n"+
		"Sandvika bibliotek;folkebibliotek;3201;NO-2032010;988077917\n"+
		"Hamar bibliotek;folkebibliotek;3403;;\n")
	if status := p.upload(good); status != 200 {
		p.fatal("clean file: status %d, want 200", status)
	}
	if got, want := p.text("#summary"), "2 nye, 0 endret, 0 uendret, 0 avvist"; got != want {
		p.fatal("#summary = %q, want %q", got, want)
	}
	if !p.exists("#apply") {
		p.fatal("no #apply button for a clean file")
	}
	if status := p.click("#apply"); status != 200 {
		p.fatal("apply: status %d, want 200", status)
	}
	if got := p.path(); got != "/libraries" {
		p.fatal("after applying: at %s, want /libraries", got)
	}
	if got, want := p.text(".flash"), "Importen er fullført: 2 nye, 0 endret, 0 uendret."; got != want {
		p.fatal("flash = %q, want %q", got, want)
	}
	if got := p.text("#count"); got != "5 bibliotek" {
		p.fatal("after applying #count = %q, want %q", got, "5 bibliotek")
	}
	list = p.text("#results")
	for _, name := range []string{"Sandvika bibliotek", "Hamar bibliotek"} {
		if !strings.Contains(list, name) {
			p.fatal("imported library %q is not in the list", name)
		}
	}
	if strings.Contains(list, "Lillehammer bibliotek") {
		p.fatal("Lillehammer bibliotek was never in a clean file but is in the list")
	}
}

// upload sends file through the import form and returns the preview's status.
func (p *page) upload(file string) int64 {
	p.t.Helper()
	p.open("/import")
	p.do("choose "+filepath.Base(file), chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	return p.click(importSubmit)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
