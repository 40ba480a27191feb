package enrolment_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
)

// coreEnv is a database with the enrolment service on a clock the test moves.
type coreEnv struct {
	t       *testing.T
	ctx     context.Context
	db      *db.DB
	svc     *enrolment.Service
	members *members.Service
	users   *auth.Service
	now     time.Time
	admin   auth.Actor
	staff   auth.Actor
}

func newCoreEnv(t *testing.T) *coreEnv {
	t.Helper()
	d := dbtest.Open(t)
	e := &coreEnv{t: t, ctx: context.Background(), db: d, members: &members.Service{DB: d}}
	e.svc = &enrolment.Service{DB: d, Products: &products.Service{DB: d}, Now: func() time.Time { return e.now }}
	e.users = &auth.Service{DB: d, Scope: e.members.LibrariesForContactEmail, VendorScope: e.svc.VendorSubscribers}
	e.now = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	e.admin = e.user("admin@samla.test", "Ada Admin", auth.NewUser{Role: auth.RoleAdmin})
	e.staff = e.user("staff@samla.test", "Stig Staff", auth.NewUser{Role: auth.RoleStaff})
	return e
}

// at sets the clock to an RFC 3339 instant.
func (e *coreEnv) at(s string) {
	e.t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		e.t.Fatal(err)
	}
	e.now = tm
}

// user creates a login and returns the actor it resolves to.
func (e *coreEnv) user(email, name string, n auth.NewUser) auth.Actor {
	e.t.Helper()
	n.Email, n.Name, n.Password = email, name, "correct horse battery staple"
	u, err := e.users.Create(e.ctx, auth.System, n)
	if err != nil {
		e.t.Fatalf("user %s: %v", email, err)
	}
	a, err := e.users.Actor(e.ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// library creates a library with a primary contact who can log in, and
// returns it with that contact's actor.
func (e *coreEnv) library(name, typ, municipality string) (*members.Library, auth.Actor) {
	e.t.Helper()
	l, _, err := e.members.Create(e.ctx, auth.System, members.LibraryInput{Name: name, Type: typ, MunicipalityNumber: municipality})
	if err != nil {
		e.t.Fatalf("library %s: %v", name, err)
	}
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@bibliotek.test"
	if _, err := e.members.AddContact(e.ctx, auth.System, l.ID, members.ContactInput{Name: "Kontakt " + name, Email: email, Role: members.ContactPrimary}); err != nil {
		e.t.Fatal(err)
	}
	return l, e.user(email, "Kontakt "+name, auth.NewUser{Role: auth.RoleLibrary})
}

var coreSlugs int

// product inserts a vendor's product directly (the products service is
// written elsewhere); targets is "", "public", "school" or "public,school".
func (e *coreEnv) product(vendorID int64, name, targets string, requiresTerms bool) *products.Product {
	e.t.Helper()
	coreSlugs++
	p := &products.Product{VendorID: vendorID, Slug: fmt.Sprintf("p-%d", coreSlugs), Name: name, TargetGroupsText: targets,
		RequiresTermsAcceptance: requiresTerms, Published: true, Version: 1, CreatedAt: e.now, UpdatedAt: e.now}
	if _, err := e.db.NewInsert().Model(p).Exec(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *coreEnv) vendor(name string) *products.Vendor {
	e.t.Helper()
	v := &products.Vendor{Name: name, Version: 1, CreatedAt: e.now, UpdatedAt: e.now}
	if _, err := e.db.NewInsert().Model(v).Exec(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *coreEnv) agreement(vendorID int64, name, starts, ends string) *enrolment.Agreement {
	e.t.Helper()
	a, err := e.svc.CreateAgreement(e.ctx, e.admin, enrolment.AgreementInput{VendorID: vendorID, Name: name,
		StartsOn: calendar.Date(starts), EndsOn: calendar.Date(ends)})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *coreEnv) offer(agreementID, productID int64, price int64, renews bool, previous *int64) *enrolment.Offer {
	e.t.Helper()
	o, err := e.svc.AddOffer(e.ctx, e.admin, agreementID, enrolment.OfferInput{ProductID: productID, PriceMinor: &price,
		RenewsByDefault: renews, PreviousOfferID: previous})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *coreEnv) window(name, opens, closes string, offerIDs ...int64) *enrolment.Window {
	e.t.Helper()
	w, _, err := e.svc.CreateWindow(e.ctx, e.admin, enrolment.WindowInput{Name: name, OpensOn: calendar.Date(opens),
		ClosesOn: calendar.Date(closes), OfferIDs: offerIDs})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

type coreMail struct {
	DedupeKey string `bun:"dedupe_key"`
	Kind      string `bun:"kind"`
	ToAddr    string `bun:"to_addr"`
	Subject   string `bun:"subject"`
	Body      string `bun:"body"`
}

// mails lists the outbox, by dedupe key.
func (e *coreEnv) mails() []coreMail {
	e.t.Helper()
	var ms []coreMail
	if err := e.db.NewSelect().TableExpr("mail_outbox").Column("dedupe_key", "kind", "to_addr", "subject", "body").
		OrderExpr("dedupe_key").Scan(e.ctx, &ms); err != nil {
		e.t.Fatal(err)
	}
	return ms
}

func (e *coreEnv) mailKeys(kind string) []string {
	var out []string
	for _, m := range e.mails() {
		if kind == "" || m.Kind == kind {
			out = append(out, m.DedupeKey+" "+m.ToAddr)
		}
	}
	sort.Strings(out)
	return out
}

func (e *coreEnv) auditOf(entity string, id int64) []audit.Entry {
	e.t.Helper()
	es, err := audit.List(e.ctx, e.db, audit.Query{Entity: entity, EntityID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

func (e *coreEnv) subscriptions(libraryID int64) []enrolment.SubscriptionRow {
	e.t.Helper()
	subs, err := e.svc.Subscriptions(e.ctx, e.admin, libraryID)
	if err != nil {
		e.t.Fatal(err)
	}
	return subs
}

func coreCodes(err error) []string {
	var ve *enrolment.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field+":"+p.Code)
	}
	return out
}

func coreHas(err error, want string) bool {
	for _, c := range coreCodes(err) {
		if c == want {
			return true
		}
	}
	return false
}

func coreYes() enrolment.AnswerInput { return enrolment.AnswerInput{Answer: enrolment.AnswerYes} }

func coreNo(reason string) enrolment.AnswerInput {
	return enrolment.AnswerInput{Answer: enrolment.AnswerNo, Reason: reason}
}
