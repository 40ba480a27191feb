package enrolment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
)

// obFix is a consortium with a clock: libraries made through the registry,
// users through auth, vendors, products and licences inserted directly.
type obFix struct {
	t      *testing.T
	ctx    context.Context
	db     *db.DB
	svc    *enrolment.Service
	mem    *members.Service
	usr    *auth.Service
	now    time.Time
	offers map[string]int64
}

var (
	obAdmin = auth.Actor{UserID: 0, Name: "Admin", Role: auth.RoleAdmin}
	obStaff = auth.Actor{UserID: 0, Name: "Staff", Role: auth.RoleStaff}
)

func obSetup(t *testing.T, day string) *obFix {
	t.Helper()
	d := dbtest.Open(t)
	f := &obFix{t: t, ctx: context.Background(), db: d, mem: &members.Service{DB: d}, offers: map[string]int64{}}
	f.svc = &enrolment.Service{DB: d, Products: &products.Service{DB: d}, Now: func() time.Time { return f.now }}
	f.usr = &auth.Service{DB: d, VendorScope: f.svc.VendorSubscribers}
	f.at(day)
	return f
}

// at sets the clock to noon in Oslo on day.
func (f *obFix) at(day string) { f.now = calendar.MustParse(day).Time().Add(12 * time.Hour) }

// library creates a public library in a municipality ("Oslo", "Bergen" …)
// with a primary contact when email is given.
func (f *obFix) library(name, municipality, email string) *members.Library {
	f.t.Helper()
	l, _, err := f.mem.Create(f.ctx, auth.System, members.LibraryInput{Name: name, Type: "public", MunicipalityNumber: municipality})
	if err != nil {
		f.t.Fatalf("library %s: %v", name, err)
	}
	if email != "" {
		if _, err := f.mem.AddContact(f.ctx, auth.System, l.ID, members.ContactInput{Name: "Kontakt " + name, Email: email, Role: members.ContactPrimary}); err != nil {
			f.t.Fatalf("contact of %s: %v", name, err)
		}
	}
	return l
}

// user creates a user and returns the actor the domain sees for them.
func (f *obFix) user(role auth.Role, email string, set func(*auth.NewUser)) auth.Actor {
	f.t.Helper()
	n := auth.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: "correct horse battery staple", Role: role}
	if set != nil {
		set(&n)
	}
	u, err := f.usr.Create(f.ctx, auth.System, n)
	if err != nil {
		f.t.Fatalf("user %s: %v", email, err)
	}
	a, err := f.usr.Actor(f.ctx, u)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *obFix) libraryUser(email string, libraryID int64) auth.Actor {
	return f.user(auth.RoleLibrary, email, func(n *auth.NewUser) { n.LibraryID = &libraryID })
}

func (f *obFix) vendor(name string) *products.Vendor {
	f.t.Helper()
	v := &products.Vendor{Name: name, Country: "NO", Version: 1, CreatedAt: f.now.UTC(), UpdatedAt: f.now.UTC()}
	if _, err := f.db.NewInsert().Model(v).Exec(f.ctx); err != nil {
		f.t.Fatalf("vendor %s: %v", name, err)
	}
	return v
}

func (f *obFix) product(v *products.Vendor, name string, terms, personal bool) *products.Product {
	f.t.Helper()
	p := &products.Product{VendorID: v.ID, Slug: strings.ToLower(strings.ReplaceAll(name, " ", "-")), Name: name,
		RequiresTermsAcceptance: terms, ProcessesPersonalData: personal, Published: true, Version: 1,
		CreatedAt: f.now.UTC(), UpdatedAt: f.now.UTC()}
	if _, err := f.db.NewInsert().Model(p).Exec(f.ctx); err != nil {
		f.t.Fatalf("product %s: %v", name, err)
	}
	return p
}

func (f *obFix) licence(p *products.Product, version int) *products.LicenceVersion {
	f.t.Helper()
	lv := &products.LicenceVersion{ProductID: p.ID, Version: version, Text: fmt.Sprintf("Vilkår for %s, versjon %d", p.Name, version),
		TermsJSON: "{}", CreatedBy: "Admin", CreatedAt: f.now.UTC()}
	if _, err := f.db.NewInsert().Model(lv).Exec(f.ctx); err != nil {
		f.t.Fatalf("licence %s v%d: %v", p.Name, version, err)
	}
	return lv
}

// offer finds or makes an agreement and offer of the product for a period.
func (f *obFix) offer(p *products.Product, starts, ends string) int64 {
	f.t.Helper()
	k := fmt.Sprint(p.ID, starts, ends)
	if id, ok := f.offers[k]; ok {
		return id
	}
	ag := &enrolment.Agreement{VendorID: p.VendorID, Name: p.Name + " " + starts, StartsOn: calendar.Date(starts), EndsOn: calendar.Date(ends),
		Version: 1, CreatedAt: f.now.UTC(), UpdatedAt: f.now.UTC()}
	if _, err := f.db.NewInsert().Model(ag).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	o := &enrolment.Offer{AgreementID: ag.ID, ProductID: p.ID, PriceMinor: 100000, Currency: "NOK", PriceModel: "flat", CreatedAt: f.now.UTC()}
	if _, err := f.db.NewInsert().Model(o).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	f.offers[k] = o.ID
	return o.ID
}

// subscribe gives a library a subscription from an offer of the product.
func (f *obFix) subscribe(l *members.Library, p *products.Product, starts, ends string) enrolment.Subscription {
	f.t.Helper()
	oid := f.offer(p, starts, ends)
	sub, err := f.svc.EnsureSubscription(f.ctx, f.db, enrolment.Subscription{LibraryID: l.ID, ProductID: p.ID, OfferID: &oid,
		StartsOn: calendar.Date(starts), EndsOn: calendar.Date(ends)})
	if err != nil {
		f.t.Fatal(err)
	}
	return *sub
}

func (f *obFix) state(sub enrolment.Subscription) string {
	f.t.Helper()
	st, err := f.svc.SubscriptionState(f.ctx, f.db, sub)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func (f *obFix) wantState(sub enrolment.Subscription, want string) {
	f.t.Helper()
	if got := f.state(sub); got != want {
		f.t.Errorf("on %s: state %s, want %s", calendar.Today(f.now), got, want)
	}
}

func (f *obFix) count(table, where string, args ...any) int {
	f.t.Helper()
	n, err := f.db.NewSelect().TableExpr(table).Where(where, args...).Count(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

// obCode is the first validation problem's code, or "".
func obCode(err error) (string, map[string]any) {
	var ve *enrolment.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		return "", nil
	}
	return ve.Problems[0].Code, ve.Problems[0].Args
}

func obCodes(err error) []string {
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

func obItoa(n int64) string { return fmt.Sprint(n) }

// contains reports whether s holds every part.
func obContains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
