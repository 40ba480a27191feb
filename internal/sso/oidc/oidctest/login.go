package oidctest

import (
	"context"
	"html/template"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// loginPath is where the example storage's clients send the user
// (storage.WebClient's login URL).
const loginPath = "/login/username"

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>oidctest sign-in</title></head>
<body>
<h1>oidctest sign-in</h1>
{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login/username">
<input type="hidden" name="id" value="{{.ID}}">
<label for="username">E-mail</label>
<input id="username" name="username" type="text" autocomplete="username">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button id="login" type="submit" name="action" value="login">Sign in</button>
<button id="deny" type="submit" name="action" value="deny">Cancel</button>
</form>
</body>
</html>
`))

type loginUI struct {
	store    *store
	provider *op.Provider
	callback func(context.Context, string) string
}

func (l *loginUI) show(w http.ResponseWriter, r *http.Request) {
	l.render(w, http.StatusOK, r.URL.Query().Get("authRequestID"), "")
}

func (l *loginUI) render(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, struct{ ID, Error string }{id, msg})
}

func (l *loginUI) submit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id := r.PostFormValue("id")
	if r.PostFormValue("action") == "deny" {
		req, err := l.store.AuthRequestByID(r.Context(), id)
		if err != nil {
			http.Error(w, "unknown auth request", http.StatusBadRequest)
			return
		}
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("the user cancelled"), l.provider)
		return
	}
	if err := l.store.CheckUsernamePassword(r.PostFormValue("username"), r.PostFormValue("password"), id); err != nil {
		l.render(w, http.StatusUnauthorized, id, "Wrong e-mail or password.")
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}
