package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
)

type dpaOut struct {
	ID          int64  `json:"id"`
	LibraryID   int64  `json:"library_id"`
	VendorID    int64  `json:"vendor_id"`
	ExpiresOn   string `json:"expires_on"`
	HasDocument bool   `json:"has_document"`
	Status      string `json:"status"`
}

func (f *enrolFix) dpas(token, path string) []dpaOut {
	f.t.Helper()
	var out []dpaOut
	f.call(token, "GET", path, nil).must(f.t, http.StatusOK, &out)
	return out
}

func TestDPAFlowAPI(t *testing.T) {
	f := newEnrolFix(t)
	p := f.product("Bibliotek-app", false, true) // processes personal data
	_, offers := f.offers(p)
	w := f.window(offers...)
	f.answer(f.libToken, w, offers[0], map[string]any{"answer": "yes"}).must(t, http.StatusOK, nil)

	// Without an agreement the subscription waits for one.
	st := f.states(f.libToken)[p.ID]
	if st.State != enrolment.StatePendingAgreement || len(st.Blockers) != 1 || st.Blockers[0].Kind != "agreement" || st.Blockers[0].Message == "" {
		t.Fatalf("before the agreement: %+v", st)
	}
	var blocked []subOut
	f.call(f.admin, "GET", "/dpas/blocked", nil).must(t, http.StatusOK, &blocked)
	if len(blocked) != 1 || blocked[0].ProductID != p.ID {
		t.Errorf("blocked %+v", blocked)
	}
	var todo []struct{ Kind string }
	f.call(f.libToken, "GET", fmt.Sprintf("/libraries/%d/todo", f.lib.ID), nil).must(t, http.StatusOK, &todo)
	if !slices.Contains(todo, struct{ Kind string }{"agreement"}) {
		t.Errorf("to-do %+v", todo)
	}

	// The library registers the signed agreement, with its document.
	pdf := []byte("%PDF-1.4 signert databehandleravtale")
	in := map[string]any{"library_id": f.lib.ID, "vendor_id": f.vendor.ID, "version": "2.1", "signed_on": "2026-10-21",
		"signed_by": "Rådmann", "expires_on": "2026-12-01", "document_name": "dba.pdf", "document": pdf}
	var bad problem
	f.call(f.libToken, "POST", "/dpas", in).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.signed_on"}) || !bad.mentions("obligations.dpa.signed_future") {
		t.Errorf("signed tomorrow: %+v", bad)
	}
	f.call(f.role(auth.RoleVendor), "POST", "/dpas", with(in, "signed_on", "2026-10-01")).must(t, http.StatusForbidden, nil)
	var d dpaOut
	f.call(f.libToken, "POST", "/dpas", with(in, "signed_on", "2026-10-01")).must(t, http.StatusCreated, &d)

	if got := f.states(f.libToken)[p.ID].State; got != enrolment.StateUpcoming {
		t.Errorf("after the agreement: state %q", got)
	}
	f.call(f.admin, "GET", "/dpas/blocked", nil).must(t, http.StatusOK, &blocked)
	if len(blocked) != 0 {
		t.Errorf("still blocked %+v", blocked)
	}

	// Lists: the library's, all, by vendor, expiring within 60 days (the
	// default) but not within 10.
	if ds := f.dpas(f.libToken, fmt.Sprintf("/libraries/%d/dpas", f.lib.ID)); len(ds) != 1 || !ds[0].HasDocument || ds[0].Status != "valid" {
		t.Errorf("library's agreements %+v", ds)
	}
	if ds := f.dpas(f.admin, "/dpas"); len(ds) != 1 || ds[0].ID != d.ID {
		t.Errorf("all agreements %+v", ds)
	}
	if ds := f.dpas(f.libToken, "/dpas"); len(ds) != 1 {
		t.Errorf("library contact's agreements %+v", ds)
	}
	if ds := f.dpas(f.admin, fmt.Sprintf("/dpas?vendor_id=%d&library_id=%d", f.vendor.ID, f.lib.ID)); len(ds) != 1 {
		t.Errorf("by vendor and library %+v", ds)
	}
	own := f.token(auth.NewUser{Role: auth.RoleVendor, VendorID: &f.vendor.ID})
	if ds := f.dpas(own, "/dpas"); len(ds) != 1 {
		t.Errorf("vendor's agreements %+v", ds)
	}
	if ds := f.dpas(f.role(auth.RoleVendor), "/dpas"); len(ds) != 0 {
		t.Errorf("another vendor sees %+v", ds)
	}
	if ds := f.dpas(f.admin, "/dpas/expiring"); len(ds) != 1 || ds[0].ExpiresOn != "2026-12-01" {
		t.Errorf("expiring within 60 days %+v", ds)
	}
	if ds := f.dpas(f.admin, "/dpas/expiring?within=10"); len(ds) != 0 {
		t.Errorf("expiring within 10 days %+v", ds)
	}

	r := f.call(f.libToken, "GET", fmt.Sprintf("/dpas/%d/document", d.ID), nil)
	r.must(t, http.StatusOK, nil)
	if !bytes.Equal(r.Body, pdf) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("document %q %q", r.Header.Get("Content-Type"), r.Body)
	}

	// Only an admin removes an agreement; then the subscription waits again.
	f.call(f.libToken, "DELETE", fmt.Sprintf("/dpas/%d", d.ID), nil).must(t, http.StatusForbidden, nil)
	f.call(f.admin, "DELETE", fmt.Sprintf("/dpas/%d", d.ID), nil).must(t, http.StatusNoContent, nil)
	if got := f.states(f.libToken)[p.ID].State; got != enrolment.StatePendingAgreement {
		t.Errorf("after removal: state %q", got)
	}

	// An agreement that has expired no longer counts.
	f.call(f.admin, "POST", "/dpas", with(in, "signed_on", "2025-01-01", "expires_on", "2026-01-01")).must(t, http.StatusCreated, nil)
	if got := f.states(f.libToken)[p.ID].State; got != enrolment.StatePendingAgreement {
		t.Errorf("with an expired agreement: state %q", got)
	}
}

func TestTrialsAPI(t *testing.T) {
	f := newEnrolFix(t)
	p := f.product("PressReader", false, false)
	in := map[string]any{"product_id": p.ID, "starts_on": "2026-10-01", "ends_on": "31.10.2026", "library_ids": []int64{f.lib.ID}}
	f.call(f.libToken, "POST", "/trials", in).must(t, http.StatusForbidden, nil)
	var bad problem
	f.call(f.admin, "POST", "/trials", with(in, "library_ids", []int64{})).must(t, http.StatusUnprocessableEntity, &bad)
	if !slices.Equal(bad.locations(), []string{"body.library_ids"}) {
		t.Errorf("trial without libraries: %+v", bad)
	}
	var tr struct {
		ID     int64  `json:"id"`
		EndsOn string `json:"ends_on"`
	}
	f.call(f.admin, "POST", "/trials", in).must(t, http.StatusCreated, &tr)
	if tr.EndsOn != "2026-10-31" {
		t.Errorf("trial %+v", tr)
	}

	var ts []struct {
		ID        int64  `json:"id"`
		State     string `json:"state"`
		Libraries []struct {
			ID int64 `json:"id"`
		} `json:"libraries"`
	}
	f.call(f.libToken, "GET", "/trials", nil).must(t, http.StatusOK, &ts)
	if len(ts) != 1 || ts[0].State != "running" || len(ts[0].Libraries) != 1 || ts[0].Libraries[0].ID != f.lib.ID {
		t.Errorf("trials seen by the library %+v", ts)
	}
	if got := f.states(f.libToken)[p.ID].State; got != enrolment.StateTrial {
		t.Errorf("state in the trial %q", got)
	}
	f.call(f.role(auth.RoleVendor), "GET", "/trials", nil).must(t, http.StatusOK, &ts)
	if len(ts) != 0 {
		t.Errorf("another vendor sees trials %+v", ts)
	}

	// After its last day the trial has lapsed and the subscription ended.
	f.at("2026-11-01")
	f.call(f.admin, "GET", "/trials", nil).must(t, http.StatusOK, &ts)
	if len(ts) != 1 || ts[0].State != "lapsed" {
		t.Errorf("trials after the end %+v", ts)
	}
	if got := f.states(f.libToken)[p.ID].State; got != enrolment.StateEnded {
		t.Errorf("state after the trial %q", got)
	}
}
