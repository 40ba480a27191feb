package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
)

// billingSeed is the world an admin has before invoicing a year: the
// consortium's seller details, a manual EUR rate, and an agreement for 2027
// with two offers that four public libraries enrolled in during the window
// "Tilknytning 2027". The offers still carry the flat price the libraries
// saw when they enrolled; the billing prices are set in the browser.
//
//	library                      FTE  population  invoiced to
//	Bergen offentlige bibliotek    5     290 000  itself
//	Deichman Bjørvika             50     700 000  itself
//	Trondheim folkebibliotek      20     210 000  Trondheim kommune (942110464)
//	Tromsø bibliotek               –      78 000  itself (Lovdata only: no FTE, so not billed)
type billingSeed struct {
	agreement   *enrolment.Agreement
	window      *enrolment.Window
	lovdata     *products.Product
	pressreader *products.Product
	offerLov    int64
	offerPress  int64
	bergen      *members.Library
	deichman    *members.Library
	trondheim   *members.Library
	tromso      *members.Library
}

const (
	sellerName    = "Bibliotek24 SA"
	sellerOrg     = "987654325"
	sellerAccount = "1234 56 78903"
	agreementName = "Lovdata og PressReader 2027"
)

// seedBilling sets up billingSeed through the domain services, as an admin
// would have done before the year starts.
func (p *page) seedBilling() *billingSeed {
	p.t.Helper()
	ctx, admin := context.Background(), auth.Actor{Name: adminName, Role: auth.RoleAdmin}
	// The enrolment clock is inside the window, so the admin's answers on
	// the libraries' behalf are taken as answers in an open window.
	now := calendar.MustParse("2026-10-20").Time().Add(12 * time.Hour)
	p.svc.Enrolment.Now = func() time.Time { return now }
	fail := func(what string, err error) {
		p.t.Helper()
		if err != nil {
			p.t.Fatalf("seed %s: %v", what, err)
		}
	}
	s := &billingSeed{}

	_, err := p.svc.Billing.SaveSettings(ctx, admin, billing.Settings{Name: sellerName, OrgNumber: sellerOrg, VATRegistered: true,
		Street: "Henrik Ibsens gate 110", Postcode: "0255", City: "Oslo", Country: "NO", BankAccount: sellerAccount,
		Email: "faktura@bibliotek24.example", PaymentDays: 30, HomeCurrency: "NOK", ContributionVAT: "E"})
	fail("seller settings", err)
	_, err = p.svc.Rates.AddManual(ctx, admin, "EUR", "2027-01-04", "11,50", "Kurs avtalt med PressReader for 2027")
	fail("EUR rate", err)

	// The registry's demo libraries get what billing needs; Tromsø is new.
	update := func(name string, set func(*members.LibraryInput)) *members.Library {
		p.t.Helper()
		libs, _, err := p.svc.Members.List(ctx, auth.System, members.Filter{Query: name})
		if err != nil || len(libs) != 1 {
			p.t.Fatalf("seed: find %s: %d found, %v", name, len(libs), err)
		}
		in := members.InputFrom(&libs[0].Library)
		set(&in)
		l, ps, err := p.svc.Members.Update(ctx, auth.System, libs[0].ID, in)
		if err != nil || len(ps) > 0 {
			p.t.Fatalf("seed: update %s: %v %v", name, err, problemsText(ps))
		}
		return l
	}
	s.bergen = update("Bergen offentlige bibliotek", func(in *members.LibraryInput) {
		in.OrgNumber, in.FTE, in.Population = "974521806", ptr64(5), ptr64(290000)
		in.InvoiceAddress = "Strømgaten 6\n5015 Bergen"
	})
	s.deichman = update("Deichman Bjørvika", func(in *members.LibraryInput) {
		in.OrgNumber, in.FTE, in.Population = "974778742", ptr64(50), ptr64(700000)
		in.InvoiceAddress = "Anne-Cath. Vestlys plass 1\n0150 Oslo"
	})
	s.trondheim = update("Trondheim folkebibliotek", func(in *members.LibraryInput) {
		in.FTE, in.Population = ptr64(20), ptr64(210000)
		in.InvoiceParty, in.InvoiceOrgNumber = members.InvoiceMunicipality, "942110464"
		in.InvoiceAddress = "Postboks 2300 Torgarden\n7004 Trondheim"
	})
	var ps []*validate.Problem
	s.tromso, ps, err = p.svc.Members.Create(ctx, auth.System, members.LibraryInput{Name: "Tromsø bibliotek", Type: "public",
		MunicipalityNumber: "5501", OrgNumber: "940101808", Population: ptr64(78000), InvoiceAddress: "Grønnegata 94\n9008 Tromsø"})
	if err != nil || len(ps) > 0 {
		p.t.Fatalf("seed: Tromsø: %v %v", err, problemsText(ps))
	}

	v, err := p.svc.Products.CreateVendor(ctx, admin, products.VendorInput{Name: "Lisenspartner Norden AS", Country: "NO", SupportEmail: "support@lisenspartner.example"})
	fail("vendor", err)
	publish := func(name string) *products.Product {
		p.t.Helper()
		pr, err := p.svc.Products.CreateProduct(ctx, admin, products.ProductInput{VendorID: v.ID, Name: name,
			AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic},
			Texts: map[string]products.TextInput{"nb": {Description: name + " for folkebibliotek.", AnswerAccess: "Via bibliotekets IP-adresser.",
				AnswerHome: "Nei.", AnswerShare: "Nei.", AnswerSupport: "Skriv til support@lisenspartner.example."}}})
		fail("product "+name, err)
		pr, err = p.svc.Products.SetPublished(ctx, admin, pr.ID, true)
		fail("publish "+name, err)
		return pr
	}
	s.lovdata = publish("Lovdata Pro")
	s.pressreader = publish("PressReader")
	s.agreement, err = p.svc.Enrolment.CreateAgreement(ctx, admin, enrolment.AgreementInput{VendorID: v.ID, Name: agreementName,
		StartsOn: "2027-01-01", EndsOn: "2027-12-31"})
	fail("agreement", err)
	offer := func(pr *products.Product, price int64, currency string) int64 {
		p.t.Helper()
		o, err := p.svc.Enrolment.AddOffer(ctx, admin, s.agreement.ID, enrolment.OfferInput{ProductID: pr.ID, PriceMinor: &price, Currency: currency})
		fail("offer "+pr.Name, err)
		return o.ID
	}
	s.offerLov = offer(s.lovdata, 1250000, "NOK")
	s.offerPress = offer(s.pressreader, 1000000, "EUR")
	s.window, _, err = p.svc.Enrolment.CreateWindow(ctx, admin, enrolment.WindowInput{Name: "Tilknytning 2027",
		OpensOn: "2026-10-16", ClosesOn: "2026-11-12", OfferIDs: []int64{s.offerLov, s.offerPress}})
	fail("window", err)

	yes := enrolment.AnswerInput{Answer: enrolment.AnswerYes, ChangeReason: "Påmelding mottatt på e-post"}
	for _, e := range []struct {
		lib   *members.Library
		offer int64
	}{
		{s.bergen, s.offerLov}, {s.bergen, s.offerPress},
		{s.deichman, s.offerLov}, {s.deichman, s.offerPress},
		{s.trondheim, s.offerLov}, {s.trondheim, s.offerPress},
		{s.tromso, s.offerLov},
	} {
		_, err := p.svc.Enrolment.Answer(ctx, admin, s.window.ID, e.offer, e.lib.ID, yes)
		fail("enrol "+e.lib.Name, err)
	}
	return s
}

func ptr64(v int64) *int64 { return &v }

func problemsText(ps []*validate.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Field + ":" + p.Code + " ")
	}
	return b.String()
}

// typeInto empties a text field and types s into it key by key, as a
// person types an amount like "12 500,00".
func (p *page) typeInto(sel, s string) {
	p.t.Helper()
	p.do("type into "+sel, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), s))
	if got := p.value(sel); got != s {
		p.fatal("typed %q into %s, the field holds %q", s, sel, got)
	}
}

// cells is the visible text of each cell (th or td) of the row sel.
func (p *page) cells(sel string) []string {
	p.t.Helper()
	return p.rowTexts(sel + " > th, " + sel + " > td")
}

// fetched is what the page's own fetch() got back.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// fetch downloads path with the page's session, as clicking a download
// link would, and returns the response as text.
func (p *page) fetch(path string) fetched {
	p.t.Helper()
	js := `(async () => { const r = await fetch(` + jsString(path) + `, {credentials: "same-origin"});
		return {status: r.status, type: r.headers.get("Content-Type") || "", disposition: r.headers.get("Content-Disposition") || "",
			body: await r.text()}; })()`
	f, err := chromedp.Run(p.ctx, chromedp.Evaluate[fetched](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fatal("fetch %s: %v", path, err)
	}
	return f
}

// attr is an attribute of the first element matching sel, now.
func (p *page) attr(sel, name string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](
		`(document.querySelector(`+jsString(sel)+`) || {getAttribute: () => ""}).getAttribute(`+jsString(name)+`) || ""`))
	if err != nil {
		p.fatal("attribute %s of %s: %v", name, sel, err)
	}
	return v
}

// at fails unless the page's path (without a #fragment) is want.
func (p *page) at(want string) {
	p.t.Helper()
	got, _, _ := strings.Cut(p.path(), "#")
	if got != want {
		p.fatal("at %s, want %s", got, want)
	}
}

// rowIDs is the id of every element matching sel, without prefix, in
// document order.
func (p *page) rowIDs(sel, prefix string) []string {
	p.t.Helper()
	ids, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+jsString(sel)+`), e => e.id)`))
	if err != nil {
		p.fatal("ids of %s: %v", sel, err)
	}
	for i, id := range ids {
		if !strings.HasPrefix(id, prefix) {
			p.fatal("%s: row %d has id %q, want %s…", sel, i+1, id, prefix)
		}
		ids[i] = strings.TrimPrefix(id, prefix)
	}
	return ids
}

// keep writes a downloaded file into SAMLA_E2E_SHOTS beside the
// screenshots, when that names a directory, so a developer can read what
// the browser downloaded.
func (p *page) keep(name string, data []byte) {
	p.t.Helper()
	dir := os.Getenv("SAMLA_E2E_SHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatalf("SAMLA_E2E_SHOTS: %v", err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		p.t.Fatalf("SAMLA_E2E_SHOTS: %v", err)
	}
	p.t.Logf("download: %s", file)
}

// rawKey is a message code shown instead of its text.
var rawKey = regexp.MustCompile(`\b(bweb|billing|rates|error|form)\.[a-z_]+(\.[a-z_]+)*\b`)

// shot takes the screenshot name after checking that the page shows no
// untranslated message code.
func (p *page) shot(name string) {
	p.t.Helper()
	body, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		p.fatal("page text: %v", err)
	}
	if k := rawKey.FindString(body); k != "" {
		p.t.Errorf("%s: the page shows the message code %q", name, k)
	}
	p.screenshot(name)
}
