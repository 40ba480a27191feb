package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/tabular"
)

// enrolFix is the application with the enrolment clock pinned, a consortium
// admin, a vendor, and a public library in Oslo with a contact's token.
type enrolFix struct {
	*env
	ctx      context.Context
	clock    atomic.Int64
	admin    string
	vendor   *products.Vendor
	lib      library
	libToken string
}

func newEnrolFix(t *testing.T) *enrolFix {
	t.Helper()
	f := &enrolFix{env: newEnv(t), ctx: context.Background()}
	f.svc.Enrolment.Now = func() time.Time { return time.Unix(0, f.clock.Load()) }
	f.at("2026-10-20")
	f.admin = f.role(auth.RoleAdmin)
	v, err := f.svc.Products.CreateVendor(f.ctx, auth.System, products.VendorInput{Name: "Lovdata AS", Country: "NO"})
	if err != nil {
		t.Fatal(err)
	}
	f.vendor = v
	f.lib = f.create(f.admin, osloInput())
	f.libToken = f.token(auth.NewUser{Role: auth.RoleLibrary, LibraryID: &f.lib.ID, Name: "Lise Bibliotekar"})
	return f
}

// at sets the enrolment clock to noon in Oslo on day.
func (f *enrolFix) at(day string) {
	f.clock.Store(calendar.MustParse(day).Time().Add(12 * time.Hour).UnixNano())
}

// product makes a published product of the fixture's vendor, for public
// libraries, through the products service as an admin would.
func (f *enrolFix) product(name string, terms, personal bool) *products.Product {
	f.t.Helper()
	p, err := f.svc.Products.CreateProduct(f.ctx, auth.System, products.ProductInput{VendorID: f.vendor.ID, Name: name,
		AccessMethods: []string{"ip"}, TargetGroups: []string{"public"}, RequiresTermsAcceptance: terms, ProcessesPersonalData: personal})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.Products.SetText(f.ctx, auth.System, p.ID, "nb", products.TextInput{Description: "Om " + name,
		AnswerAccess: "IP.", AnswerHome: "Ja.", AnswerShare: "Nei.", AnswerSupport: "support@example.org"}); err != nil {
		f.t.Fatal(err)
	}
	if terms {
		if _, err := f.svc.Products.AddLicenceVersion(f.ctx, auth.System, p.ID, products.LicenceInput{Text: "Vilkår for " + name}); err != nil {
			f.t.Fatal(err)
		}
	}
	if p, err = f.svc.Products.SetPublished(f.ctx, auth.System, p.ID, true); err != nil {
		f.t.Fatal(err)
	}
	return p
}

type idOut struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
}

// offers makes an agreement for 2027 through the API with an offer per
// product and returns the agreement's and the offers' ids.
func (f *enrolFix) offers(ps ...*products.Product) (int64, []int64) {
	f.t.Helper()
	var a idOut
	f.call(f.admin, "POST", "/agreements", map[string]any{"vendor_id": f.vendor.ID, "name": "Avtale 2027",
		"starts_on": "01.01.2027", "ends_on": "2027-12-31"}).must(f.t, http.StatusCreated, &a)
	var ids []int64
	for _, p := range ps {
		var o idOut
		f.call(f.admin, "POST", fmt.Sprintf("/agreements/%d/offers", a.ID), map[string]any{"product_id": p.ID,
			"price_minor": 150000, "renews_by_default": false}).must(f.t, http.StatusCreated, &o)
		ids = append(ids, o.ID)
	}
	return a.ID, ids
}

// window opens a window from 16 Oct to 12 Nov 2026 with the offers.
func (f *enrolFix) window(offerIDs ...int64) int64 {
	f.t.Helper()
	var out struct {
		Window struct {
			Window idOut `json:"window"`
		} `json:"window"`
	}
	f.call(f.admin, "POST", "/windows", map[string]any{"name": "Høsten 2026", "opens_on": "2026-10-16", "closes_on": "2026-11-12",
		"offer_ids": offerIDs}).must(f.t, http.StatusCreated, &out)
	return out.Window.Window.ID
}

func (f *enrolFix) answer(token string, windowID, offerID int64, body map[string]any) resp {
	f.t.Helper()
	return f.call(token, "PUT", fmt.Sprintf("/windows/%d/libraries/%d/offers/%d/answer", windowID, f.lib.ID, offerID), body)
}

type subOut struct {
	ID          int64  `json:"id"`
	ProductID   int64  `json:"product_id"`
	ProductName string `json:"product_name"`
	State       string `json:"state"`
	Blockers    []struct {
		Kind           string `json:"kind"`
		MessageID      string `json:"message_id"`
		Message        string `json:"message"`
		LicenceVersion int    `json:"licence_version"`
	} `json:"blockers"`
}

// states maps product id to the state of the library's subscription.
func (f *enrolFix) states(token string) map[int64]subOut {
	f.t.Helper()
	var subs []subOut
	f.call(token, "GET", fmt.Sprintf("/libraries/%d/subscriptions", f.lib.ID), nil).must(f.t, http.StatusOK, &subs)
	out := map[int64]subOut{}
	for _, s := range subs {
		out[s.ProductID] = s
	}
	return out
}

func TestEnrolmentLifecycleAPI(t *testing.T) {
	f := newEnrolFix(t)
	lovdata, press := f.product("Lovdata Pro", true, false), f.product("PressReader", false, false)
	agID, offers := f.offers(lovdata, press)

	// Agreements: dates normalised, changes need the version read.
	var ag struct {
		StartsOn string `json:"starts_on"`
		Version  int64  `json:"version"`
	}
	f.call(f.admin, "GET", fmt.Sprintf("/agreements/%d", agID), nil).must(t, http.StatusOK, &ag)
	if ag.StartsOn != "2027-01-01" {
		t.Errorf("starts_on %q", ag.StartsOn)
	}
	upd := map[string]any{"vendor_id": f.vendor.ID, "name": "Avtale Lovdata 2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
	f.call(f.admin, "PUT", fmt.Sprintf("/agreements/%d", agID), upd).must(t, http.StatusUnprocessableEntity, nil)
	f.call(f.admin, "PUT", fmt.Sprintf("/agreements/%d", agID), with(upd, "version", ag.Version)).must(t, http.StatusOK, nil)
	f.call(f.admin, "PUT", fmt.Sprintf("/agreements/%d", agID), with(upd, "version", ag.Version)).must(t, http.StatusConflict, nil)
	var bad problem
	f.call(f.admin, "POST", fmt.Sprintf("/agreements/%d/offers", agID), map[string]any{"product_id": press.ID, "renews_by_default": false}).
		must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.product_id"}) || !bad.mentions("enrolment.offer.exists") {
		t.Errorf("second offer of a product: %+v", bad)
	}
	var listed []map[string]any
	f.call(f.admin, "GET", fmt.Sprintf("/agreements/%d/offers", agID), nil).must(t, http.StatusOK, &listed)
	if len(listed) != 2 {
		t.Errorf("offers %v", listed)
	}

	// A window of more than four weeks is saved with a warning.
	var saved struct {
		Window struct {
			Window   idOut   `json:"window"`
			Status   string  `json:"status"`
			Days     int     `json:"days"`
			OfferIDs []int64 `json:"offer_ids"`
		} `json:"window"`
		Warnings []struct {
			Field, Code, Message string
		} `json:"warnings"`
	}
	f.call(f.admin, "POST", "/windows", map[string]any{"name": "Lang", "opens_on": "2026-10-16", "closes_on": "2026-11-20", "offer_ids": offers}).
		must(t, http.StatusCreated, &saved)
	if len(saved.Warnings) != 1 || saved.Warnings[0].Code != "enrolment.window.too_long" || saved.Warnings[0].Field != "closes_on" ||
		saved.Window.Status != "open" || saved.Window.Days != 36 || len(saved.Window.OfferIDs) != 2 {
		t.Errorf("long window: %+v", saved)
	}
	w := f.window(offers...)

	// The library answers yes; the subscription waits for its terms.
	var form []struct {
		Offer     idOut           `json:"offer"`
		Enrolment *map[string]any `json:"enrolment"`
	}
	f.call(f.libToken, "GET", fmt.Sprintf("/windows/%d/libraries/%d/answers", w, f.lib.ID), nil).must(t, http.StatusOK, &form)
	if len(form) != 2 || form[0].Enrolment != nil {
		t.Fatalf("answer form %+v", form)
	}
	var en struct {
		Answer, Source string
	}
	f.answer(f.libToken, w, offers[0], map[string]any{"answer": "yes"}).must(t, http.StatusOK, &en)
	if en.Answer != "yes" || en.Source != "library" {
		t.Errorf("enrolment %+v", en)
	}
	st := f.states(f.libToken)[lovdata.ID]
	if st.State != enrolment.StatePendingTerms || len(st.Blockers) != 1 || st.Blockers[0].Kind != "terms" ||
		st.Blockers[0].LicenceVersion != 1 || st.Blockers[0].Message == "" {
		t.Fatalf("after yes: %+v", st)
	}
	var todo []struct {
		Kind, Message string
	}
	f.call(f.libToken, "GET", fmt.Sprintf("/libraries/%d/todo", f.lib.ID), nil).must(t, http.StatusOK, &todo)
	if len(todo) == 0 || !slices.ContainsFunc(todo, func(i struct{ Kind, Message string }) bool { return i.Kind == "terms" && i.Message != "" }) {
		t.Errorf("to-do %+v", todo)
	}

	// Nobody accepts for the library: not an admin, staff or county
	// contact with a token. The refusal says why, and nothing is recorded.
	termsPath := fmt.Sprintf("/libraries/%d/terms/%d", f.lib.ID, lovdata.ID)
	county := f.token(auth.NewUser{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "03"})
	for name, tok := range map[string]string{"admin": f.admin, "staff": f.role(auth.RoleStaff), "county": county} {
		var refused problem
		f.call(tok, "POST", termsPath+"/accept", map[string]any{"licence_version": 1}).must(t, http.StatusForbidden, &refused)
		if !strings.Contains(refused.Detail, "biblioteket selv") || !refused.mentions("obligations.accept.only_library") {
			t.Errorf("%s accepting: %+v", name, refused)
		}
	}
	var ts struct {
		Required       bool            `json:"required"`
		LicenceVersion int             `json:"licence_version"`
		Accepted       *map[string]any `json:"accepted"`
		MayAccept      bool            `json:"may_accept"`
	}
	f.call(f.admin, "GET", termsPath, nil).must(t, http.StatusOK, &ts)
	if !ts.Required || ts.LicenceVersion != 1 || ts.Accepted != nil || ts.MayAccept {
		t.Errorf("terms status after refusals: %+v", ts)
	}
	if got := f.states(f.admin)[lovdata.ID].State; got != enrolment.StatePendingTerms {
		t.Errorf("state after refusals %q", got)
	}
	var pending []struct {
		LibraryID int64 `json:"library_id"`
	}
	f.call(f.admin, "GET", fmt.Sprintf("/products/%d/pending-acceptances", lovdata.ID), nil).must(t, http.StatusOK, &pending)
	if len(pending) != 1 || pending[0].LibraryID != f.lib.ID {
		t.Errorf("pending acceptances %+v", pending)
	}

	// The library's own contact accepts the current version, from its address.
	f.call(f.libToken, "GET", termsPath, nil).must(t, http.StatusOK, &ts)
	if !ts.MayAccept {
		t.Errorf("library contact may not accept: %+v", ts)
	}
	f.call(f.libToken, "POST", termsPath+"/accept", map[string]any{"licence_version": 2}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.licence_version"}) {
		t.Errorf("stale version: %+v", bad)
	}
	var acc struct {
		AcceptedBy string `json:"accepted_by"`
		RemoteAddr string `json:"remote_addr"`
	}
	f.call(f.libToken, "POST", termsPath+"/accept", map[string]any{"licence_version": 1}).must(t, http.StatusOK, &acc)
	if acc.AcceptedBy != "Lise Bibliotekar" || acc.RemoteAddr != "127.0.0.1" {
		t.Errorf("acceptance %+v", acc)
	}
	if got := f.states(f.libToken)[lovdata.ID].State; got != enrolment.StateUpcoming {
		t.Errorf("after acceptance: state %q, want upcoming (period not begun)", got)
	}

	// A no needs a reason.
	f.answer(f.libToken, w, offers[1], map[string]any{"answer": "no"}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.reason"}) || !bad.mentions("enrolment.reason.required") {
		t.Errorf("no without reason: %+v", bad)
	}
	f.answer(f.libToken, w, offers[1], map[string]any{"answer": "no", "reason": "price"}).must(t, http.StatusOK, nil)

	var progress []struct {
		LibraryID int64 `json:"library_id"`
		Offers    []struct {
			ProductID int64  `json:"product_id"`
			Step      string `json:"step"`
		} `json:"offers"`
	}
	f.call(f.admin, "GET", fmt.Sprintf("/windows/%d/progress", w), nil).must(t, http.StatusOK, &progress)
	if len(progress) != 1 || len(progress[0].Offers) != 2 || progress[0].Offers[0].Step != "active" || progress[0].Offers[1].Step != "answered" {
		t.Errorf("progress %+v", progress)
	}
	checkReport(t, f, w, 1, 1)
	f.call(f.libToken, "GET", fmt.Sprintf("/windows/%d/report", w), nil).must(t, http.StatusForbidden, nil)

	// The XLSX export has a row per library and offer.
	r := f.call(f.admin, "GET", fmt.Sprintf("/windows/%d/report.xlsx", w), nil)
	r.must(t, http.StatusOK, nil)
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	tab, err := tabular.Read("report.xlsx", r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format != "xlsx" || !slices.Equal(tab.Header, enrolment.ReportHeader) || len(tab.Rows) != 2 {
		t.Errorf("xlsx %s %v %d rows", tab.Format, tab.Header, len(tab.Rows))
	}

	// After the window closes the library cannot change its answer; an
	// admin can, with a reason.
	f.at("2026-11-13")
	var closed problem
	f.answer(f.libToken, w, offers[1], map[string]any{"answer": "yes"}).must(t, http.StatusConflict, &closed)
	if !strings.Contains(closed.Detail, "Tilknytningsperioden er ikke åpen") {
		t.Errorf("closed window: %+v", closed)
	}
	f.answer(f.admin, w, offers[1], map[string]any{"answer": "yes"}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.change_reason"}) {
		t.Errorf("admin without reason: %+v", bad)
	}
	f.answer(f.admin, w, offers[1], map[string]any{"answer": "yes", "change_reason": "Ringte 13.11."}).must(t, http.StatusOK, &en)
	if en.Source != "admin" {
		t.Errorf("admin change %+v", en)
	}
	checkReport(t, f, w, 2, 0)

	// In the period both subscriptions are active.
	f.at("2027-02-01")
	for _, p := range []*products.Product{lovdata, press} {
		if got := f.states(f.libToken)[p.ID].State; got != enrolment.StateActive {
			t.Errorf("%s in the period: %q", p.Name, got)
		}
	}
}

// checkReport checks the yes and no counts summed over the window's offers.
func checkReport(t *testing.T, f *enrolFix, windowID int64, yes, no int) {
	t.Helper()
	var rep struct {
		Offers []struct {
			Invited, Yes, No int
			Reasons          []struct {
				Reason string
				Count  int
			}
		}
		Rows []map[string]any
	}
	f.call(f.admin, "GET", fmt.Sprintf("/windows/%d/report", windowID), nil).must(t, http.StatusOK, &rep)
	y, n, price := 0, 0, 0
	for _, o := range rep.Offers {
		y, n = y+o.Yes, n+o.No
		for _, r := range o.Reasons {
			if r.Reason == "price" {
				price += r.Count
			}
		}
	}
	if len(rep.Offers) != 2 || len(rep.Rows) != 2 || y != yes || n != no || price != no {
		t.Errorf("report: %d yes, %d no (%d for price), want %d and %d: %+v", y, n, price, yes, no, rep)
	}
}
