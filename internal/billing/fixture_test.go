package billing

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/products"
)

var admin = auth.Actor{Name: "Admin", Role: auth.RoleAdmin}

// fix is a consortium world inserted straight into the tables: the
// registry's and enrolment's own rules are tested in their packages.
type fix struct {
	t     testing.TB
	ctx   context.Context
	db    *db.DB
	svc   *Service
	rates map[string]money.Rate
	now   time.Time
	n     int
}

func newFix(t testing.TB) *fix {
	t.Helper()
	d := dbtest.Open(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &fix{t: t, ctx: context.Background(), db: d, rates: map[string]money.Rate{},
		now: calendar.MustParse("2026-11-23").Time().Add(12 * time.Hour)}
	f.svc = &Service{DB: d, Catalog: cat, Now: func() time.Time { return f.now },
		Rates: func(_ context.Context, c string, on calendar.Date) (money.Rate, calendar.Date, error) {
			r, ok := f.rates[c]
			if !ok {
				return 0, "", fmt.Errorf("no rate for %s", c)
			}
			return r, on.AddDays(-1), nil
		}}
	_, err = f.svc.SaveSettings(f.ctx, admin, Settings{Name: "Bibliotekkonsortiet SA", OrgNumber: "987654325", VATRegistered: true,
		Street: "Postboks 1", Postcode: "0101", City: "Oslo", Country: "NO", BankAccount: "12345678903",
		Email: "faktura@konsortiet.example", PaymentDays: 30, HomeCurrency: "NOK", ContributionVAT: "E"})
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	return f
}

// orgNumber makes a valid Norwegian organisation number from a seed.
func orgNumber(seed int) string {
	for base := 91000000 + seed*7; ; base++ {
		s := fmt.Sprintf("%08d", base%100000000)
		w := []int{3, 2, 7, 6, 5, 4, 3, 2}
		sum := 0
		for i := range 8 {
			sum += int(s[i]-'0') * w[i]
		}
		c := (11 - sum%11) % 11
		if c != 10 {
			return fmt.Sprintf("%s%d", s, c)
		}
	}
}

func p64(v int64) *int64 { return &v }

type libOpt func(*members.Library)

func fte(v int64) libOpt        { return func(l *members.Library) { l.FTE = &v } }
func population(v int64) libOpt { return func(l *members.Library) { l.Population = &v } }
func typ(t string) libOpt       { return func(l *members.Library) { l.Type = t } }
func billedVia(party, org string) libOpt {
	return func(l *members.Library) { l.InvoiceParty, l.InvoiceOrgNumber = party, org }
}

// library inserts a Norwegian library in a county with its own org number.
func (f *fix) library(name, county string, opts ...libOpt) *members.Library {
	f.t.Helper()
	f.n++
	l := &members.Library{Name: name, Type: "public", Country: "NO", CountyNumber: county, MunicipalityNumber: county + "01",
		OrgNumber: orgNumber(f.n), InvoiceParty: members.InvoiceSelf, InvoiceAddress: "Storgata 1\n0150 Oslo",
		Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	for _, o := range opts {
		o(l)
	}
	if _, err := f.db.NewInsert().Model(l).Exec(f.ctx); err != nil {
		f.t.Fatalf("library %s: %v", name, err)
	}
	return l
}

// agreement inserts a vendor's agreement for one year.
func (f *fix) agreement(name string, year int) int64 {
	f.t.Helper()
	f.n++
	v := &products.Vendor{Name: fmt.Sprintf("Leverandør %d", f.n), Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	if _, err := f.db.NewInsert().Model(v).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	a := &enrolment.Agreement{VendorID: v.ID, Name: name, StartsOn: calendar.Date(fmt.Sprintf("%d-01-01", year)),
		EndsOn: calendar.Date(fmt.Sprintf("%d-12-31", year)), ProcurementRef: "", Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	if _, err := f.db.NewInsert().Model(a).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}

// offer inserts a product and its offer in an agreement, priced by in.
func (f *fix) offer(agreementID int64, product string, in PriceInput) int64 {
	f.t.Helper()
	var vendorID int64
	if err := f.db.NewSelect().Table("agreements").Column("vendor_id").Where("id = ?", agreementID).Scan(f.ctx, &vendorID); err != nil {
		f.t.Fatal(err)
	}
	f.n++
	p := &products.Product{VendorID: vendorID, Slug: fmt.Sprintf("p-%d", f.n), Name: product, Version: 1, CreatedAt: f.now, UpdatedAt: f.now}
	if _, err := f.db.NewInsert().Model(p).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	o := &enrolment.Offer{AgreementID: agreementID, ProductID: p.ID, Currency: "NOK", PriceModel: ModelNone, CreatedAt: f.now}
	if _, err := f.db.NewInsert().Model(o).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	if err := f.svc.SetPrice(f.ctx, admin, o.ID, in); err != nil {
		f.t.Fatalf("price of %s: %v", product, err)
	}
	return o.ID
}

func (f *fix) productOf(offerID int64) int64 {
	var id int64
	if err := f.db.NewSelect().Table("offers").Column("product_id").Where("id = ?", offerID).Scan(f.ctx, &id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// subscribe enrols libraries in an offer for its agreement's period.
func (f *fix) subscribe(offerID int64, libs ...*members.Library) {
	f.t.Helper()
	var ag struct {
		From calendar.Date `bun:"starts_on"`
		To   calendar.Date `bun:"ends_on"`
	}
	if err := f.db.NewSelect().TableExpr("offers AS o").Join("JOIN agreements AS a ON a.id = o.agreement_id").
		ColumnExpr("a.starts_on, a.ends_on").Where("o.id = ?", offerID).Scan(f.ctx, &ag); err != nil {
		f.t.Fatal(err)
	}
	subs := make([]*enrolment.Subscription, len(libs))
	product := f.productOf(offerID)
	for i, l := range libs {
		subs[i] = &enrolment.Subscription{LibraryID: l.ID, ProductID: product, OfferID: &offerID,
			StartsOn: ag.From, EndsOn: ag.To, CreatedAt: f.now}
	}
	if _, err := f.db.NewInsert().Model(&subs).Exec(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fix) run(in RunInput) (*Run, []*Invoice) {
	f.t.Helper()
	if in.Name == "" {
		in.Name = "Fakturering " + in.Kind
	}
	r, err := f.svc.CreateRun(f.ctx, admin, in)
	if err != nil {
		f.t.Fatalf("create run: %v", err)
	}
	_, invs, err := f.svc.RunDetail(f.ctx, admin, r.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, inv := range invs {
		full, err := f.svc.Invoice(f.ctx, admin, inv.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		invs[i] = full
	}
	return r, invs
}

func yearRun(year int) RunInput {
	return RunInput{Kind: RunSubscriptions, PeriodFrom: calendar.Date(fmt.Sprintf("%d-01-01", year)), PeriodTo: calendar.Date(fmt.Sprintf("%d-12-31", year))}
}
