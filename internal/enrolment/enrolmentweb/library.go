package enrolmentweb

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/web"
)

// registerLibrary adds the pages a library contact uses — and a county
// contact for the libraries of its county:
//
//	GET  /my/windows                    open and upcoming windows, per library
//	GET  /windows/{id}?library=ID       the library's offers, answers and answer forms
//	POST /windows/{id}/answers          one answer (htmx: the offer's block; else redirect)
//	GET  /libraries/{id}/obligations    fragment: subscriptions, states, blockers, to-do
//	GET  /terms/{productID}?library=ID  licence text, terms and acceptance
//	POST /terms/{productID}/accept      acceptance by the library's own contact
//
// The consortium's list of windows (/windows) and a window's admin view
// (/windows/{id}/admin) are registerAdmin's.
func registerLibrary(mux *http.ServeMux, h *Handlers) {
	lp := &libraryPages{Handlers: h, members: &members.Service{DB: h.svc.DB},
		frag: template.Must(template.New("fragments").Funcs(web.Funcs).
			ParseFS(templates, "templates/library_obligations.html", "templates/library_window.html"))}
	login := h.app.RequireLogin
	mux.HandleFunc("GET /my/windows", login(lp.myWindows))
	mux.HandleFunc("GET /windows/{id}", login(lp.window))
	mux.HandleFunc("POST /windows/{id}/answers", login(lp.answer))
	mux.HandleFunc("GET /libraries/{id}/obligations", login(lp.obligations))
	mux.HandleFunc("GET /terms/{productID}", login(lp.terms))
	mux.HandleFunc("POST /terms/{productID}/accept", login(lp.accept))
}

// libraryPages are the library contact's handlers. frag holds the blocks
// served without the layout: the obligations fragment and an offer's block
// for htmx.
type libraryPages struct {
	*Handlers
	members *members.Service
	frag    *template.Template
}

func (lp *libraryPages) now() time.Time {
	if lp.svc.Now != nil {
		return lp.svc.Now()
	}
	return time.Now()
}

// library loads a library the actor may see, in the enrolment service's
// errors so that fail maps them.
func (lp *libraryPages) library(r *http.Request, id int64) (*members.Library, error) {
	l, err := lp.members.Get(r.Context(), web.ActorOf(r), id)
	switch {
	case errors.Is(err, members.ErrNotFound):
		return nil, enrolment.ErrNotFound
	case err != nil:
		return nil, err
	}
	return l, nil
}

// actingLibraries are the libraries a library or county contact answers
// for, by name; nobody else has any here.
func (lp *libraryPages) actingLibraries(r *http.Request) ([]members.Library, error) {
	by := web.ActorOf(r)
	if by.Role != auth.RoleLibrary && by.Role != auth.RoleCountyContact {
		return nil, nil
	}
	return lp.members.Options(r.Context(), by)
}

// chosenLibrary is the ?library= of the request. Without one, a user who
// acts for exactly one library is sent to the same page for it (links in
// mails and to-do lists carry no library); done reports that.
func (lp *libraryPages) chosenLibrary(w http.ResponseWriter, r *http.Request) (id int64, done bool) {
	if v := r.URL.Query().Get("library"); v != "" {
		id, _ = strconv.ParseInt(v, 10, 64)
		return id, false
	}
	libs, err := lp.actingLibraries(r)
	if err != nil {
		lp.fail(w, r, err)
		return 0, true
	}
	if len(libs) == 1 {
		http.Redirect(w, r, fmt.Sprintf("%s?library=%d", r.URL.Path, libs[0].ID), http.StatusSeeOther)
		return 0, true
	}
	return 0, false
}

// fragmentPage is a Page for a block served without the layout. NewPage
// takes the pending flash; a fragment puts it back for the next whole page.
func (lp *libraryPages) fragmentPage(r *http.Request, data any) *web.Page {
	p := lp.app.NewPage(r, "", data)
	if p.Flash != "" {
		lp.app.Flash(r, p.Flash)
		p.Flash = ""
	}
	return p
}

// renderFragment writes the named block of frag.
func (lp *libraryPages) renderFragment(w http.ResponseWriter, r *http.Request, name string, status int, data any) {
	var buf bytes.Buffer
	if err := lp.frag.ExecuteTemplate(&buf, name, data); err != nil {
		lp.app.ServerError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// formID reads a posted id.
func libFormID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return id
}

// remoteHost is the address part of r.RemoteAddr, which acceptances record.
func libRemoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
