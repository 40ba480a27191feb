package webtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestBrowserKeepsCookiesSendsHeadersAndStopsAtRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "c", Value: r.FormValue("v")})
		http.Redirect(w, r, "/next", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("c")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("cookie=" + c.String() + " hx=" + r.Header.Get("HX-Request")))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	b := NewBrowser(t, srv.URL)
	if loc := b.Post("/set", url.Values{"v": {"1"}}).Redirected(t, "set", "/next"); loc != "/next" {
		t.Errorf("location %q", loc)
	}
	b.Get("/echo", "HX-Request", "true").Want(t, "echo", http.StatusOK, "cookie=c=1", "hx=true")
	b.Get("/echo").Lacks(t, "echo without header", "hx=true")
}

func TestSectionIsTheElementWithID(t *testing.T) {
	p := Page{Body: `<main><table id="a"><tr><td>x</td></tr></table><div id="b"><p>y</p></div></main>`}
	if got := p.Section("a"); got != `<table id="a"><tr><td>x</td></tr>` {
		t.Errorf("section a = %q", got)
	}
	if got := p.Section("b"); got != `<div id="b"><p>y</p>` {
		t.Errorf("section b = %q", got)
	}
	if got := p.Section("c"); got != "" {
		t.Errorf("missing section = %q", got)
	}
}

func TestExcerptStartsAtMainAndIsShort(t *testing.T) {
	got := Excerpt("<head>noise</head><main>" + strings.Repeat("x", 7000))
	if !strings.HasPrefix(got, "<main>") || len(got) > 6010 || !strings.HasSuffix(got, " …") {
		t.Errorf("excerpt %q…", got[:20])
	}
}
