package samltest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	crewsaml "github.com/crewjam/saml"
)

// SessionCookie is the IdP's session cookie. Cookies ignore ports, so it
// must not clash with the SP's cookies on 127.0.0.1.
const SessionCookie = "samltest_idp_session"

const sessionMaxAge = time.Hour

var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>samltest identity provider</title></head>
<body>
<h1>samltest identity provider</h1>
{{if .Error}}<p id="login-error" role="alert">{{.Error}}</p>{{end}}
<form id="login-form" method="post" action="{{.Action}}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" value="{{.Username}}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<input type="hidden" name="SAMLRequest" value="{{.SAMLRequest}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
<button id="login" type="submit">Sign in</button>
</form>
</body>
</html>
`))

// GetSession implements crewsaml.SessionProvider: a posted login, else the
// session cookie, else the login form.
func (i *IdP) GetSession(w http.ResponseWriter, r *http.Request, req *crewsaml.IdpAuthnRequest) *crewsaml.Session {
	if r.Method == http.MethodPost && r.PostForm.Has("username") {
		name := r.PostForm.Get("username")
		u, ok := i.check(name, r.PostForm.Get("password"))
		if !ok {
			i.showLogin(w, req, name, "Invalid username or password", http.StatusUnauthorized)
			return nil
		}
		s := i.newSession(u)
		http.SetCookie(w, &http.Cookie{
			Name: SessionCookie, Value: s.ID, Path: "/", HttpOnly: true,
			MaxAge: int(sessionMaxAge.Seconds()), SameSite: http.SameSiteLaxMode,
		})
		return s
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		i.mu.Lock()
		s, ok := i.sessions[c.Value]
		i.mu.Unlock()
		if ok && crewsaml.TimeNow().Before(s.ExpireTime) {
			return s
		}
	}
	i.showLogin(w, req, "", "", http.StatusOK)
	return nil
}

func (i *IdP) check(name, password string) (User, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	u, ok := i.users[name]
	if !ok {
		for _, c := range i.users {
			if c.Email != "" && c.Email == name {
				u, ok = c, true
				break
			}
		}
	}
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return User{}, false
	}
	return u, true
}

func (i *IdP) newSession(u User) *crewsaml.Session {
	now := crewsaml.TimeNow()
	s := &crewsaml.Session{
		ID:             randomString(),
		CreateTime:     now,
		ExpireTime:     now.Add(sessionMaxAge),
		Index:          randomString(),
		NameID:         u.Name,
		NameIDFormat:   string(crewsaml.PersistentNameIDFormat),
		UserName:       u.Name,
		UserEmail:      u.Email,
		UserCommonName: u.DisplayName,
	}
	if u.DisplayName != "" {
		s.CustomAttributes = []crewsaml.Attribute{{
			FriendlyName: "displayName",
			Name:         "urn:oid:2.16.840.1.113730.3.1.241",
			NameFormat:   "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
			Values:       []crewsaml.AttributeValue{{Type: "xs:string", Value: u.DisplayName}},
		}}
	}
	i.mu.Lock()
	i.sessions[s.ID] = s
	i.mu.Unlock()
	return s
}

func (i *IdP) showLogin(w http.ResponseWriter, req *crewsaml.IdpAuthnRequest, username, msg string, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	err := loginForm.Execute(w, map[string]string{
		"Action":      i.idp.SSOURL.String(),
		"Error":       msg,
		"Username":    username,
		"SAMLRequest": base64.StdEncoding.EncodeToString(req.RequestBuffer),
		"RelayState":  req.RelayState,
	})
	if err != nil {
		i.t.Errorf("samltest: login form: %v", err)
	}
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
