package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/samla-org/samla/internal/api"
	"github.com/samla-org/samla/internal/auth"
)

// The fast path of the lookup writes the same bytes and headers as the
// huma operation it stands in front of, and hands every failure to it.
func TestAccessLookupFastMatchesAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	lib := e.create(admin, osloInput())
	e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", lib.ID), map[string]any{"range": "158.36.10.0/24"}).must(t, http.StatusCreated, nil)
	library := e.role(auth.RoleLibrary)

	deps := api.Deps{Users: e.svc.Users, Access: e.svc.Access, Catalog: e.svc.Catalog}
	humaMux := http.NewServeMux()
	api.RegisterAccessOnly(humaMux, deps)
	fallbacks := 0
	fast := api.AccessLookupFast(deps, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fallbacks++
		humaMux.ServeHTTP(w, r)
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/access/ip/{address}", fast)

	for _, c := range []struct {
		name, token, addr string
		header            [2]string
		status            int
	}{
		{"hit", admin, "158.36.10.77", [2]string{}, http.StatusOK},
		{"miss", admin, "2001:db8::1", [2]string{}, http.StatusOK},
		{"forwarded host", admin, "158.36.10.77", [2]string{"X-Forwarded-Host", "samla.example.org"}, http.StatusOK},
		{"bad address", admin, "not-an-address", [2]string{}, http.StatusUnprocessableEntity},
		{"no token", "", "158.36.10.77", [2]string{}, http.StatusUnauthorized},
		{"wrong token", "samla_0000", "158.36.10.77", [2]string{}, http.StatusUnauthorized},
		{"library contact", library, "158.36.10.77", [2]string{}, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			do := func(h http.Handler) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/api/v1/access/ip/"+c.addr, nil)
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				if c.header[0] != "" {
					req.Header.Set(c.header[0], c.header[1])
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w
			}
			before := fallbacks
			got, want := do(mux), do(humaMux)
			if served := fallbacks == before; served != (c.status == http.StatusOK) {
				t.Errorf("fast path served it: %v, want %v (only answers that succeed)", served, c.status == http.StatusOK)
			}
			gb, _ := io.ReadAll(got.Body)
			wb, _ := io.ReadAll(want.Body)
			if got.Code != c.status || want.Code != c.status {
				t.Fatalf("status fast %d, huma %d, want %d", got.Code, want.Code, c.status)
			}
			if string(gb) != string(wb) {
				t.Errorf("body\nfast %s\nhuma %s", gb, wb)
			}
			for _, h := range []string{"Content-Type", "Link"} {
				if got.Header().Get(h) != want.Header().Get(h) {
					t.Errorf("%s: fast %q, huma %q", h, got.Header().Get(h), want.Header().Get(h))
				}
			}
		})
	}
}
