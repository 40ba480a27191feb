package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/server/servertest"
)

// testTimeout bounds each test: browser start, every page and every wait.
const testTimeout = 60 * time.Second

const (
	adminEmail    = "admin@samla.test"
	adminName     = "Ada Admin"
	adminPassword = "korrekt-hest-batteri"
)

// seedLibraries are in the registry before each test starts.
var seedLibraries = []members.LibraryInput{
	{Name: "Deichman Bjørvika", Type: "public", MunicipalityNumber: "0301"},
	{Name: "Bergen offentlige bibliotek", Type: "public", MunicipalityNumber: "4601"},
	{Name: "Trondheim folkebibliotek", Type: "public", MunicipalityNumber: "5001"},
}

// chromiumPath finds the browser, or skips the test — unless SAMLA_E2E=1,
// which turns a missing browser into a failure so CI cannot pass vacuously.
func chromiumPath(t *testing.T) string {
	t.Helper()
	var tried []string
	if p := os.Getenv("SAMLA_CHROMIUM"); p != "" {
		tried = append(tried, p)
	} else {
		tried = append(tried, "/usr/bin/chromium")
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
			if p, err := exec.LookPath(name); err == nil {
				tried = append(tried, p)
			}
		}
	}
	for _, p := range tried {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	msg := fmt.Sprintf("chromium not found: tried %s (install chromium or set SAMLA_CHROMIUM)", strings.Join(tried, ", "))
	if os.Getenv("SAMLA_E2E") == "1" {
		t.Fatal(msg + "; SAMLA_E2E=1 requires the browser tests to run")
	}
	t.Skip(msg)
	return ""
}

// page is one test's browser tab on its own Samla server.
type page struct {
	t    *testing.T
	ctx  context.Context // chromedp tab, bounded by testTimeout
	base string          // server URL, no trailing slash
	svc  *server.Services
}

// start gives the test a running app with an admin and seedLibraries, and a
// fresh browser tab on it. Everything is torn down when the test ends.
func start(t *testing.T) *page {
	t.Helper()
	execPath := chromiumPath(t) // first: skip before doing any work
	base, svc := startServer(t)
	return &page{t: t, ctx: startBrowser(t, execPath), base: base, svc: svc}
}

// startServer serves server.Handler over a fresh database on 127.0.0.1.
func startServer(t *testing.T) (string, *server.Services) {
	t.Helper()
	ctx := context.Background()
	srv, svc := servertest.Start(t, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	if _, err := svc.Users.Create(ctx, auth.System, auth.NewUser{Email: adminEmail, Name: adminName, Password: adminPassword, Role: auth.RoleAdmin}); err != nil {
		t.Fatalf("create admin: %v", err)
	}
	for _, in := range seedLibraries {
		if _, _, err := svc.Members.Create(ctx, auth.System, in); err != nil {
			t.Fatalf("create library %q: %v", in.Name, err)
		}
	}
	return srv.URL, svc
}

// startBrowser launches headless Chromium with a throwaway profile and
// returns a tab context that expires after testTimeout.
//
// The browser is pinned to Norwegian: headless Chromium otherwise sends
// "Accept-Language: en-US,en", which Samla (rightly) answers in English,
// while the scenarios are written for a Norwegian librarian's browser.
func startBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	profile := t.TempDir() // before the cleanups below, so it is removed after the browser exits
	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), testTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx,
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("accept-lang", "nb-NO,nb"),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelTimeout()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", execPath, err)
	}
	return ctx
}

// fatal stops the test with what the page looked like, which is usually the
// quickest way to see why an expectation failed.
func (p *page) fatal(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if loc, err := chromedp.Run(p.ctx, chromedp.Location()); err == nil {
		msg += "\n  at " + loc
	}
	if body, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil {
		msg += "\n  page text:\n" + indent(body)
	}
	p.t.Fatal(msg)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func indent(s string) string {
	if r := []rune(s); len(r) > 3000 {
		s = string(r[:3000]) + " …"
	}
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

// do runs actions that return nothing.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.fatal("%s: %v", what, err)
	}
}

// open navigates to path and waits for the page to load.
func (p *page) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path))
}

// click clicks sel and waits for the navigation it causes (a form post and
// its redirect); it returns the final document's HTTP status.
func (p *page) click(sel string) int64 {
	p.t.Helper()
	resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.fatal("click %s: %v", sel, err)
	}
	return resp.Status
}

// text is the visible text of the first element matching sel, waiting for it.
func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.fatal("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// value is the current value of a form field.
func (p *page) value(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.fatal("value of %s: %v", sel, err)
	}
	return s
}

// set replaces a field's value (text inputs and selects), as a user would
// after selecting all and typing.
func (p *page) set(sel, value string) {
	p.t.Helper()
	p.do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// exists reports, without waiting, whether an element matches sel now.
func (p *page) exists(sel string) bool {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool]("document.querySelector("+jsString(sel)+") !== null"))
	if err != nil {
		p.fatal("look for %s: %v", sel, err)
	}
	return ok
}

// path is the current URL's path and query, without the server part.
func (p *page) path() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.fatal("location: %v", err)
	}
	return strings.TrimPrefix(loc, p.base)
}

// waitText polls sel's text until ok accepts it, and returns that text.
func (p *page) waitText(sel string, ok func(string) bool) string {
	p.t.Helper()
	var last string
	for {
		s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil {
			if last = strings.TrimSpace(s); ok(last) {
				return last
			}
		}
		select {
		case <-p.ctx.Done():
			p.fatal("waiting for %s: last text %q: %v", sel, last, p.ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// login signs in through the login form and expects to land on /libraries.
func (p *page) login() {
	p.t.Helper()
	p.open("/login")
	p.set("#email", adminEmail)
	p.set("#password", adminPassword)
	p.click(`form[action="/login"] button[type=submit]`)
	if got := p.path(); got != "/libraries" {
		p.fatal("after login: at %s, want /libraries", got)
	}
}
