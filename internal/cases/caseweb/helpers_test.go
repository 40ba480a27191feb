package caseweb_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/web/webtest"
)

// setup is the actor that seeds the world through the services.
var setup = auth.Actor{Name: "Setup", Role: auth.RoleAdmin}

// site is the whole application over real HTTP on a fresh database, with
// the case desk's address set and one library.
type site struct {
	t      *testing.T
	ctx    context.Context
	base   string
	svc    *server.Services
	cases  *cases.Service
	bergen *members.Library
}

func newSite(t *testing.T) *site {
	t.Helper()
	d := dbtest.Open(t)
	svc, err := server.NewServices(d)
	if err != nil {
		t.Fatal(err)
	}
	svc.Cases.Address = "Konsortiet <post@konsortium.test>"
	h, err := server.Handler(svc, t.TempDir(), webtest.Log(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &site{t: t, ctx: context.Background(), base: srv.URL, svc: svc, cases: svc.Cases}
	l, ps, err := svc.Members.Create(s.ctx, auth.System, members.LibraryInput{Name: "Bergen offentlige bibliotek", Type: "public",
		MunicipalityNumber: "4601", OrgNumber: "974521806"})
	if err != nil || len(ps) > 0 {
		t.Fatalf("library: %v %v", err, ps)
	}
	s.bergen = l
	return s
}

// mail ingests a raw mail (LF line ends become CRLF) and returns its case.
func (s *site) mail(raw string) *cases.Ingested {
	s.t.Helper()
	in, err := s.cases.Ingest(s.ctx, cases.Incoming{Raw: []byte(strings.ReplaceAll(raw, "\n", "\r\n")), Source: "import"})
	if err != nil {
		s.t.Fatalf("ingest: %v", err)
	}
	return in
}

// update changes a case through the service.
func (s *site) update(id int64, set func(*cases.CaseInput)) {
	s.t.Helper()
	c, err := s.cases.Case(s.ctx, setup, id)
	if err != nil {
		s.t.Fatal(err)
	}
	in := cases.InputFrom(c)
	set(&in)
	if _, err := s.cases.Update(s.ctx, setup, id, in); err != nil {
		s.t.Fatalf("update case %d: %v", id, err)
	}
}

func (s *site) user(email string, role auth.Role, set func(*auth.NewUser)) *auth.User {
	s.t.Helper()
	return webtest.User(s.t, s.svc.Users, email, role, set)
}

func (s *site) staff() *webtest.Browser {
	return s.login(s.user("staff@konsortium.test", auth.RoleStaff, nil))
}

func (s *site) login(u *auth.User) *webtest.Browser {
	s.t.Helper()
	return webtest.Login(s.t, s.base, u.Email)
}

func id64(v int64) string { return strconv.FormatInt(v, 10) }
