// Package web is the shared part of Samla's HTML interface: the layout,
// sessions and login, language choice, middleware and error pages. Each
// domain's pages live with the domain and render through App.
package web

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/i18n"
)

//go:embed static
var staticFS embed.FS

// App holds what every page handler needs.
type App struct {
	DB       *db.DB
	Users    *auth.Service
	Sessions *scs.SessionManager
	Catalog  *i18n.Catalog
	Log      *slog.Logger
	layout   *Layout
	throttle *loginThrottle
	pages    *Pages // the shared pages, parsed by Routes

	// SignInOptions are the identity providers offered on the login page.
	SignInOptions []SignInOption
	// crossOriginPosts are routes that take a POST from another origin on
	// purpose (a SAML identity provider's answer).
	crossOriginPosts []string
}

// SignInOption is an identity provider's button on the login page.
type SignInOption interface {
	Label() string
	LoginPath(next string) string
}

// AllowCrossOriginPost exempts one route pattern, e.g. "POST /sso/saml/acs",
// from the cross-origin protection of forms. Call it before Handler.
func (a *App) AllowCrossOriginPost(pattern string) {
	a.crossOriginPosts = append(a.crossOriginPosts, pattern)
}

// New wires the shared web parts.
func New(d *db.DB, users *auth.Service, cat *i18n.Catalog, log *slog.Logger) (*App, error) {
	sm := scs.New()
	sm.Store = auth.SessionStore{DB: d}
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 4 * time.Hour
	sm.Cookie.Name = "samla_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	layout, err := parseLayout()
	if err != nil {
		return nil, err
	}
	return &App{DB: d, Users: users, Sessions: sm, Catalog: cat, Log: log, layout: layout, throttle: newLoginThrottle()}, nil
}

type ctxKey int

const (
	keyUser ctxKey = iota
	keyActor
	keyLang
)

// CurrentUser is the logged-in user, or nil.
func CurrentUser(r *http.Request) *auth.User {
	u, _ := r.Context().Value(keyUser).(*auth.User)
	return u
}

// ActorOf is the domain's view of the logged-in user.
func ActorOf(r *http.Request) auth.Actor {
	a, _ := r.Context().Value(keyActor).(auth.Actor)
	return a
}

// Lang is the language chosen for this request.
func Lang(r *http.Request) string {
	if l, ok := r.Context().Value(keyLang).(string); ok {
		return l
	}
	return i18n.Default
}

// T translates for this request.
func (a *App) T(r *http.Request, id string, data map[string]any) string {
	return a.Catalog.T(Lang(r), id, data)
}

// Handler wraps the mux with the middleware every page gets.
func (a *App) Handler(mux http.Handler) http.Handler {
	h := a.identify(mux)
	h = a.Sessions.LoadAndSave(h)
	cop := http.NewCrossOriginProtection()
	for _, p := range a.crossOriginPosts {
		cop.AddInsecureBypassPattern(p)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, a.Catalog.T(i18n.Pick("", r.Header.Get("Accept-Language")), "error.cross_origin", nil), http.StatusForbidden)
	}))
	h = cop.Handler(h)
	h = securityHeaders(h)
	return a.recoverer(a.logRequests(h))
}

// identify loads the session's user and the request's language.
func (a *App) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var choice string
		if id := a.Sessions.GetInt64(ctx, "user_id"); id != 0 {
			u, err := a.Users.ByID(ctx, id)
			if err == nil && !u.Disabled {
				actor, err := a.Users.Actor(ctx, u)
				if err != nil {
					a.ServerError(w, r, err)
					return
				}
				ctx = context.WithValue(ctx, keyUser, u)
				ctx = context.WithValue(ctx, keyActor, actor)
				choice = u.Locale
			}
		}
		if c, err := r.Cookie("samla_lang"); err == nil && choice == "" {
			choice = c.Value
		}
		ctx = context.WithValue(ctx, keyLang, i18n.Pick(choice, r.Header.Get("Accept-Language")))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RequireLogin sends anonymous visitors to the login page.
func (a *App) RequireLogin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if CurrentUser(r) == nil {
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", "/login")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next(w, r)
	}
}

// RequireRole lets only the given roles through (after login).
func (a *App) RequireRole(next http.HandlerFunc, roles ...auth.Role) http.HandlerFunc {
	return a.RequireLogin(func(w http.ResponseWriter, r *http.Request) {
		role := ActorOf(r).Role
		for _, k := range roles {
			if role == k {
				next(w, r)
				return
			}
		}
		a.Error(w, r, http.StatusForbidden, "error.forbidden")
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int)        { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (a *App) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		next.ServeHTTP(rec, r)
		a.Log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "took", time.Since(start))
	})
}

func (a *App) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.Error("panic", "path", r.URL.Path, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ServerError logs err and shows a translated error page.
func (a *App) ServerError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	a.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	a.Error(w, r, http.StatusInternalServerError, "error.internal")
}

// Static serves the embedded assets.
func Static() http.Handler {
	return http.FileServerFS(staticFS)
}
