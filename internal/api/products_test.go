package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

type vendorOut struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version int64  `json:"version"`
}

type productOut struct {
	ID            int64    `json:"id"`
	Slug          string   `json:"slug"`
	Name          string   `json:"name"`
	VendorID      int64    `json:"vendor_id"`
	AccessMethods []string `json:"access_methods"`
	TargetGroups  []string `json:"target_groups"`
	Published     bool     `json:"published"`
	Version       int64    `json:"version"`
	VendorName    string   `json:"vendor_name"`
}

var nbTexts = map[string]any{"description": "Aviser fra hele verden.", "answer_access": "IP.", "answer_home": "Ja.",
	"answer_share": "Nei.", "answer_support": "support@pressreader.com"}

func (e *env) vendor(token, name string) vendorOut {
	e.t.Helper()
	var v vendorOut
	e.call(token, "POST", "/vendors", map[string]any{"name": name, "country": "NO"}).must(e.t, http.StatusCreated, &v)
	return v
}

func (e *env) product(token string, vendorID int64, name string, extra ...any) productOut {
	e.t.Helper()
	var p productOut
	e.call(token, "POST", "/products", with(map[string]any{"vendor_id": vendorID, "name": name}, extra...)).must(e.t, http.StatusCreated, &p)
	return p
}

func TestProductsAPI(t *testing.T) {
	e := newEnv(t)
	staff := e.role(auth.RoleStaff)

	// Vendors.
	var bad problem
	e.call(staff, "POST", "/vendors", map[string]any{"name": "Lovdata", "country": "NO", "org_number": "988077918", "support_email": "x"}).
		must(t, http.StatusUnprocessableEntity, &bad)
	if locs := bad.locations(); !slices.Contains(locs, "body.org_number") || !slices.Contains(locs, "body.support_email") {
		t.Errorf("vendor problems at %v", locs)
	}
	v := e.vendor(staff, "Lovdata")
	e.call(staff, "PUT", fmt.Sprintf("/vendors/%d", v.ID), map[string]any{"name": "Lovdata AS", "country": "NO"}).must(t, http.StatusUnprocessableEntity, nil)
	var v2 vendorOut
	e.call(staff, "PUT", fmt.Sprintf("/vendors/%d", v.ID), map[string]any{"name": "Lovdata AS", "country": "NO", "version": v.Version}).must(t, http.StatusOK, &v2)
	if v2.Name != "Lovdata AS" || v2.Version != 2 {
		t.Errorf("updated vendor %+v", v2)
	}
	e.call(staff, "PUT", fmt.Sprintf("/vendors/%d", v.ID), map[string]any{"name": "Lovdata", "country": "NO", "version": v.Version}).must(t, http.StatusConflict, nil)

	// A product, published only once its Bokmål answers are written.
	p := e.product(staff, v.ID, "Lovdata Pro på nett", "access_methods", []string{"openathens", "ip"}, "target_groups", []string{"school"})
	if p.Slug != "lovdata-pro-pa-nett" || !slices.Equal(p.AccessMethods, []string{"ip", "openathens"}) || p.Published {
		t.Errorf("created %+v", p)
	}
	e.call(staff, "PUT", fmt.Sprintf("/products/%d/texts/nb", p.ID), map[string]any{"description": "Lover.", "answer_access": "IP."}).must(t, http.StatusOK, nil)
	e.call(staff, "POST", fmt.Sprintf("/products/%d/publish", p.ID), nil).must(t, http.StatusUnprocessableEntity, &bad)
	if locs := bad.locations(); !slices.Equal(locs, []string{"body.texts.nb.answer_home", "body.texts.nb.answer_share", "body.texts.nb.answer_support"}) {
		t.Errorf("publish refused at %v, want the three missing answers", locs)
	}
	if !bad.mentions("products.publish.missing.answer_home") {
		t.Errorf("problem codes missing: %+v", bad)
	}
	e.call(staff, "PUT", fmt.Sprintf("/products/%d/texts/nb", p.ID), nbTexts).must(t, http.StatusOK, nil)
	e.call(staff, "PUT", fmt.Sprintf("/products/%d/texts/en", p.ID), map[string]any{"description": "Laws."}).must(t, http.StatusOK, nil)
	e.call(staff, "PUT", fmt.Sprintf("/products/%d/texts/de", p.ID), map[string]any{"description": "Gesetze."}).must(t, http.StatusUnprocessableEntity, nil)
	var pub productOut
	e.call(staff, "POST", fmt.Sprintf("/products/%d/publish", p.ID), nil).must(t, http.StatusOK, &pub)
	if !pub.Published {
		t.Errorf("not published: %+v", pub)
	}
	var detail struct {
		Product productOut                `json:"product"`
		Texts   map[string]map[string]any `json:"texts"`
	}
	e.call(staff, "GET", fmt.Sprintf("/products/%d", p.ID), nil).must(t, http.StatusOK, &detail)
	if detail.Texts["nb"]["answer_home"] != "Ja." || detail.Texts["en"]["description"] != "Laws." || len(detail.Texts) != 2 {
		t.Errorf("detail texts %v", detail.Texts)
	}
	// PUT replaces the fields; leaving published out keeps it.
	var upd productOut
	e.call(staff, "PUT", fmt.Sprintf("/products/%d", p.ID), map[string]any{"vendor_id": v.ID, "name": "Lovdata Pro", "access_methods": []string{"ip"}, "version": detail.Product.Version}).
		must(t, http.StatusOK, &upd)
	if upd.Name != "Lovdata Pro" || !upd.Published || upd.Slug != p.Slug {
		t.Errorf("update %+v", upd)
	}
	e.call(staff, "PUT", fmt.Sprintf("/products/%d", p.ID), map[string]any{"vendor_id": v.ID, "name": "X", "version": detail.Product.Version}).must(t, http.StatusConflict, nil)

	// Training.
	var tm struct {
		ID int64 `json:"id"`
	}
	e.call(staff, "POST", fmt.Sprintf("/products/%d/training", p.ID), map[string]any{"kind": "recording", "title": "Kom i gang", "url": "https://vimeo.com/1", "subtitled": true}).
		must(t, http.StatusCreated, &tm)
	e.call(staff, "POST", fmt.Sprintf("/products/%d/training", p.ID), map[string]any{"kind": "upcoming", "title": "Webinar"}).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.starts_at"}) {
		t.Errorf("webinar without start: %v", bad.locations())
	}
	e.call(staff, "POST", fmt.Sprintf("/products/%d/training", p.ID), map[string]any{"kind": "upcoming", "title": "Webinar", "starts_at": "2099-05-04T12:00:00Z"}).must(t, http.StatusCreated, nil)
	var ms []map[string]any
	e.call(staff, "GET", fmt.Sprintf("/products/%d/training", p.ID), nil).must(t, http.StatusOK, &ms)
	if len(ms) != 2 {
		t.Errorf("training %v", ms)
	}

	// Licences: every bad term named; a base64 PDF.
	e.call(staff, "POST", fmt.Sprintf("/products/%d/licences", p.ID), map[string]any{"text": "Avtale", "terms": map[string]any{
		"walk_in": map[string]any{"value": "maybe"}, "interlibrary_loan": map[string]any{"value": "yes"}, "concurrent_users": map[string]any{"value": "0"}}}).
		must(t, http.StatusUnprocessableEntity, &bad)
	if locs := bad.locations(); !slices.Equal(locs, []string{"body.terms.walk_in", "body.terms.interlibrary_loan", "body.terms.concurrent_users"}) {
		t.Errorf("bad terms at %v", locs)
	}
	pdf := []byte("%PDF-1.7\nlisens")
	var lic struct {
		Version     int                          `json:"version"`
		HasDocument bool                         `json:"has_document"`
		Terms       map[string]map[string]string `json:"terms"`
	}
	e.call(staff, "POST", fmt.Sprintf("/products/%d/licences", p.ID), map[string]any{"text": "Avtale", "document_name": "lisens.pdf",
		"document": base64.StdEncoding.EncodeToString(pdf), "terms": map[string]any{"walk_in": map[string]any{"value": "yes", "clause": "Walk-in users may use it."},
			"concurrent_users": map[string]any{"value": "unlimited"}}}).must(t, http.StatusCreated, &lic)
	if lic.Version != 1 || !lic.HasDocument || lic.Terms["walk_in"]["value"] != "yes" || lic.Terms["archiving"]["value"] != "unclear" {
		t.Errorf("licence %+v", lic)
	}
	e.call(staff, "POST", fmt.Sprintf("/products/%d/licences", p.ID), map[string]any{"text": "Avtale 2"}).must(t, http.StatusCreated, &lic)
	var lics []map[string]any
	e.call(staff, "GET", fmt.Sprintf("/products/%d/licences", p.ID), nil).must(t, http.StatusOK, &lics)
	if len(lics) != 2 || lics[0]["version"] != float64(2) {
		t.Errorf("licences %v", lics)
	}
	if r := e.call(staff, "GET", fmt.Sprintf("/products/%d/licences/1/document", p.ID), nil); r.Status != http.StatusOK || string(r.Body) != string(pdf) {
		t.Errorf("document: %d %q", r.Status, r.Body)
	}

	// The public catalogue needs no token.
	var cat []struct {
		Slug           string `json:"slug"`
		VendorName     string `json:"vendor_name"`
		LicenceVersion int    `json:"licence_version"`
		Text           struct {
			Description string          `json:"description"`
			AnswerHome  string          `json:"answer_home"`
			Fallback    map[string]bool `json:"fallback"`
		} `json:"text"`
		Training []map[string]any `json:"training"`
	}
	e.call("", "GET", "/catalogue?lang=en", nil).must(t, http.StatusOK, &cat)
	if len(cat) != 1 || cat[0].VendorName != "Lovdata AS" || cat[0].Text.Description != "Laws." || cat[0].Text.AnswerHome != "Ja." ||
		!cat[0].Text.Fallback["answer_home"] || cat[0].Text.Fallback["description"] || cat[0].LicenceVersion != 2 || len(cat[0].Training) != 2 {
		t.Errorf("catalogue %+v", cat)
	}
	e.call(staff, "DELETE", fmt.Sprintf("/products/%d/training/%d", p.ID, tm.ID), nil).must(t, http.StatusNoContent, nil)
	e.call(staff, "POST", fmt.Sprintf("/products/%d/unpublish", p.ID), nil).must(t, http.StatusOK, nil)
	e.call("", "GET", "/catalogue", nil).must(t, http.StatusOK, &cat)
	if len(cat) != 0 {
		t.Errorf("unpublished product in the catalogue: %+v", cat)
	}
}

func TestProductsAPIRoles(t *testing.T) {
	e := newEnv(t)
	staff, lib := e.role(auth.RoleStaff), e.role(auth.RoleLibrary)
	own, other := e.vendor(staff, "PressReader"), e.vendor(staff, "Retriever")
	vend := e.token(auth.NewUser{Role: auth.RoleVendor, VendorID: &own.ID})
	draft := e.product(staff, own.ID, "PressReader utkast")
	pub := e.product(staff, other.ID, "Atekst", "published", true, "texts", map[string]any{"nb": nbTexts})
	if !pub.Published {
		t.Fatalf("created as published: %+v", pub)
	}

	named := map[string]any{"name": "X", "country": "NO"}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/vendors", named},
		{"PUT", fmt.Sprintf("/vendors/%d", own.ID), with(named, "version", own.Version)},
		{"POST", "/products", map[string]any{"name": "X", "vendor_id": own.ID}},
		{"PUT", fmt.Sprintf("/products/%d", draft.ID), map[string]any{"name": "X", "vendor_id": own.ID, "version": draft.Version}},
		{"PUT", fmt.Sprintf("/products/%d/texts/nb", pub.ID), map[string]any{"description": "X"}},
		{"POST", fmt.Sprintf("/products/%d/publish", draft.ID), nil},
		{"POST", fmt.Sprintf("/products/%d/unpublish", pub.ID), nil},
		{"POST", fmt.Sprintf("/products/%d/training", pub.ID), map[string]any{"kind": "guide", "title": "T", "url": "https://x.no"}},
		{"DELETE", fmt.Sprintf("/products/%d/training/1", pub.ID), nil},
		{"POST", fmt.Sprintf("/products/%d/licences", pub.ID), map[string]any{"text": "T"}},
	} {
		for who, token := range map[string]string{"library": lib, "vendor": vend} {
			if r := e.call(token, c.method, c.path, c.body); r.Status != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403; %s", c.method, c.path, who, r.Status, r.Body)
			}
		}
	}

	ids := func(token string) []int64 {
		var ps []productOut
		e.call(token, "GET", "/products", nil).must(t, http.StatusOK, &ps)
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(lib); !slices.Equal(got, []int64{pub.ID}) {
		t.Errorf("library contact sees %v, want only the published", got)
	}
	if got := ids(vend); !slices.Equal(got, []int64{draft.ID}) {
		t.Errorf("vendor contact sees %v, want its own draft only", got)
	}
	e.call(lib, "GET", fmt.Sprintf("/products/%d", draft.ID), nil).must(t, http.StatusNotFound, nil)
	e.call(vend, "GET", fmt.Sprintf("/products/%d", pub.ID), nil).must(t, http.StatusNotFound, nil)
	e.call(vend, "GET", fmt.Sprintf("/products/%d", draft.ID), nil).must(t, http.StatusOK, nil)

	var vs []vendorOut
	e.call(vend, "GET", "/vendors", nil).must(t, http.StatusOK, &vs)
	if len(vs) != 1 || vs[0].ID != own.ID {
		t.Errorf("vendor contact's vendors %+v", vs)
	}
	e.call(vend, "GET", fmt.Sprintf("/vendors/%d", other.ID), nil).must(t, http.StatusNotFound, nil)
	e.call("", "GET", "/products", nil).must(t, http.StatusUnauthorized, nil)
	e.call("", "GET", "/vendors", nil).must(t, http.StatusUnauthorized, nil)
	e.call("", "GET", "/catalogue", nil).must(t, http.StatusOK, nil)

	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	e.call("", "GET", "/openapi.json", nil).must(t, http.StatusOK, &doc)
	for _, p := range []string{"/vendors", "/vendors/{id}", "/products", "/products/{id}", "/products/{id}/texts/{lang}", "/products/{id}/publish",
		"/products/{id}/unpublish", "/products/{id}/training", "/products/{id}/training/{tid}", "/products/{id}/licences", "/catalogue"} {
		if doc.Paths[p] == nil {
			t.Errorf("%s missing from the OpenAPI document", p)
		}
	}
}
