package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/refdata"
)

// Routes registers the shared pages: login, logout, language, account, users.
func (a *App) Routes(mux *http.ServeMux) error {
	pages, err := a.ParsePages(templateFS, "templates/pages/*.html")
	if err != nil {
		return err
	}
	a.pages = pages
	mux.Handle("GET /static/", Static())
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { a.showLogin(w, r, pages, "", http.StatusOK) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { a.login(w, r, pages) })
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /language", a.setLanguage)
	mux.HandleFunc("GET /account", a.RequireLogin(func(w http.ResponseWriter, r *http.Request) { a.showAccount(w, r, pages, "") }))
	mux.HandleFunc("POST /account/tokens", a.RequireLogin(func(w http.ResponseWriter, r *http.Request) { a.createToken(w, r, pages) }))
	mux.HandleFunc("POST /account/tokens/{id}/delete", a.RequireLogin(a.revokeToken))
	mux.HandleFunc("GET /users", a.RequireRole(func(w http.ResponseWriter, r *http.Request) { a.showUsers(w, r, pages, nil, "", http.StatusOK) }, auth.RoleAdmin))
	mux.HandleFunc("POST /users", a.RequireRole(func(w http.ResponseWriter, r *http.Request) { a.createUser(w, r, pages) }, auth.RoleAdmin))
	return nil
}

type signInButton struct{ Label, Path string }

func (a *App) showLogin(w http.ResponseWriter, r *http.Request, pages *Pages, errMsg string, status int) {
	next := r.FormValue("next")
	buttons := make([]signInButton, len(a.SignInOptions))
	for i, o := range a.SignInOptions {
		buttons[i] = signInButton{Label: o.Label(), Path: o.LoginPath(next)}
	}
	p := a.NewPage(r, a.T(r, "login.title", nil), map[string]any{"Error": errMsg, "Next": next, "Email": r.FormValue("email"), "SignIn": buttons})
	a.Render(w, r, pages, "login.html", status, p)
}

// LoginFailed shows the login page with a message, for a sign-in through
// an identity provider that did not succeed.
func (a *App) LoginFailed(w http.ResponseWriter, r *http.Request, msg string, status int) {
	a.showLogin(w, r, a.pages, msg, status)
}

// StartSession logs the user in on this browser and sends it on to next,
// a local path (anything else goes to the library list).
func (a *App) StartSession(w http.ResponseWriter, r *http.Request, userID int64, next string) {
	// A new token on login defeats session fixation.
	if err := a.Sessions.RenewToken(r.Context()); err != nil {
		a.ServerError(w, r, err)
		return
	}
	a.Sessions.Put(r.Context(), "user_id", userID)
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/libraries"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *App) login(w http.ResponseWriter, r *http.Request, pages *Pages) {
	key := throttleKey(r, r.FormValue("email"))
	if a.throttle.blocked(key) {
		a.showLogin(w, r, pages, a.T(r, "login.throttled", map[string]any{"Minutes": int(window.Minutes())}), http.StatusTooManyRequests)
		return
	}
	u, err := a.Users.Login(r.Context(), r.FormValue("email"), r.FormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		a.throttle.fail(key)
		a.Log.Info("login failed", "email", r.FormValue("email"), "remote", r.RemoteAddr)
		a.showLogin(w, r, pages, a.T(r, "login.bad_credentials", nil), http.StatusUnauthorized)
		return
	}
	if err != nil {
		a.ServerError(w, r, err)
		return
	}
	a.throttle.succeed(key)
	a.StartSession(w, r, u.ID, r.FormValue("next"))
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.Sessions.Destroy(r.Context()); err != nil {
		a.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLanguage stores the choice on the user (so it follows them) and in a
// cookie (so the login page also speaks it).
func (a *App) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := i18n.Pick(r.FormValue("lang"), "")
	http.SetCookie(w, &http.Cookie{Name: "samla_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if u := CurrentUser(r); u != nil {
		if err := a.Users.SetLocale(r.Context(), u.ID, lang); err != nil {
			a.ServerError(w, r, err)
			return
		}
	}
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

type accountData struct {
	Tokens   []auth.APIToken
	NewToken string
}

func (a *App) showAccount(w http.ResponseWriter, r *http.Request, pages *Pages, newToken string) {
	ts, err := a.Users.Tokens(r.Context(), CurrentUser(r).ID)
	if err != nil {
		a.ServerError(w, r, err)
		return
	}
	a.Render(w, r, pages, "account.html", http.StatusOK, a.NewPage(r, a.T(r, "account.title", nil), accountData{Tokens: ts, NewToken: newToken}))
}

func (a *App) createToken(w http.ResponseWriter, r *http.Request, pages *Pages) {
	clear, _, err := a.Users.CreateToken(r.Context(), ActorOf(r), r.FormValue("name"))
	if err != nil {
		a.ServerError(w, r, err)
		return
	}
	a.showAccount(w, r, pages, clear)
}

func (a *App) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := a.Users.RevokeToken(r.Context(), ActorOf(r), id); err != nil {
		a.Error(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	a.Flash(r, a.T(r, "account.token_revoked", nil))
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

type usersData struct {
	Users    []auth.User
	Roles    []auth.Role
	Counties []refdata.County
	Vendors  []NameOption
	Form     map[string]string
}

// NameOption is one choice in a picker of libraries or vendors.
type NameOption struct {
	ID   int64  `bun:"id"`
	Name string `bun:"name"`
}

// LibraryOptions and VendorOptions list ids and names for pickers: pages of
// other domains need only these two columns, not the domains' services.
func (a *App) LibraryOptions(ctx context.Context) ([]NameOption, error) {
	return a.nameOptions(ctx, "libraries")
}

// VendorOptions: see LibraryOptions.
func (a *App) VendorOptions(ctx context.Context) ([]NameOption, error) {
	return a.nameOptions(ctx, "vendors")
}

func (a *App) nameOptions(ctx context.Context, table string) ([]NameOption, error) {
	var opts []NameOption
	if err := a.DB.NewSelect().TableExpr(table).Column("id", "name").OrderExpr("name").Scan(ctx, &opts); err != nil {
		return nil, fmt.Errorf("%s for a picker: %w", table, err)
	}
	return opts, nil
}

func (a *App) showUsers(w http.ResponseWriter, r *http.Request, pages *Pages, form map[string]string, errMsg string, status int) {
	us, err := a.Users.List(r.Context())
	if err != nil {
		a.ServerError(w, r, err)
		return
	}
	if form == nil {
		form = map[string]string{}
	}
	form["Error"] = errMsg
	counties := append(refdata.Counties("NO"), refdata.Counties("SE")...)
	vendors, err := a.VendorOptions(r.Context())
	if err != nil {
		a.ServerError(w, r, err)
		return
	}
	a.Render(w, r, pages, "users.html", status, a.NewPage(r, a.T(r, "users.title", nil), usersData{Users: us, Roles: auth.Roles, Counties: counties, Vendors: vendors, Form: form}))
}

func (a *App) createUser(w http.ResponseWriter, r *http.Request, pages *Pages) {
	n := auth.NewUser{Email: r.FormValue("email"), Name: r.FormValue("name"), Password: r.FormValue("password"), Role: auth.Role(r.FormValue("role"))}
	if c := r.FormValue("county"); c != "" {
		if country, number, ok := strings.Cut(c, "-"); ok {
			n.Country, n.CountyNumber = country, number
		}
	}
	if v := r.FormValue("vendor_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			n.VendorID = &id
		}
	}
	if v := r.FormValue("library_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			n.LibraryID = &id
		}
	}
	form := map[string]string{"email": n.Email, "name": n.Name, "role": string(n.Role), "county": r.FormValue("county"), "vendor_id": r.FormValue("vendor_id")}
	if _, err := a.Users.Create(r.Context(), ActorOf(r), n); err != nil {
		msg := err.Error()
		switch {
		case errors.Is(err, auth.ErrUserExists):
			msg = a.T(r, "users.exists", nil)
		case errors.Is(err, auth.ErrPasswordTooShort):
			msg = a.T(r, "users.password_short", map[string]any{"Min": auth.MinPasswordLen})
		case errors.Is(err, auth.ErrNeedsCounty):
			msg = a.T(r, "users.needs_county", nil)
		case errors.Is(err, auth.ErrNeedsVendor):
			msg = a.T(r, "users.needs_vendor", nil)
		}
		a.showUsers(w, r, pages, form, msg, http.StatusUnprocessableEntity)
		return
	}
	a.Flash(r, a.T(r, "users.created", map[string]any{"Email": n.Email}))
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}
