package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
)

func TestEnrolmentVendorScopeAPI(t *testing.T) {
	f := newEnrolFix(t)
	p := f.product("Lovdata Pro", false, false)
	agID, offers := f.offers(p)
	w := f.window(offers...)
	f.answer(f.libToken, w, offers[0], map[string]any{"answer": "yes"}).must(t, http.StatusOK, nil)

	own := f.token(auth.NewUser{Role: auth.RoleVendor, VendorID: &f.vendor.ID})
	other := f.role(auth.RoleVendor) // a vendor of its own, with nothing
	var as []idOut
	f.call(own, "GET", "/agreements", nil).must(t, http.StatusOK, &as)
	if len(as) != 1 || as[0].ID != agID {
		t.Errorf("own vendor's agreements %+v", as)
	}
	f.call(other, "GET", "/agreements", nil).must(t, http.StatusOK, &as)
	if len(as) != 0 {
		t.Errorf("other vendor sees %+v", as)
	}
	f.call(other, "GET", fmt.Sprintf("/agreements/%d", agID), nil).must(t, http.StatusNotFound, nil)
	f.call(other, "GET", fmt.Sprintf("/agreements/%d/offers", agID), nil).must(t, http.StatusNotFound, nil)
	f.call(own, "POST", "/agreements", map[string]any{"vendor_id": f.vendor.ID, "name": "X", "starts_on": "2028-01-01", "ends_on": "2028-12-31"}).
		must(t, http.StatusForbidden, nil)

	// A vendor contact cannot answer or read windows.
	for _, tok := range []string{own, other} {
		if r := f.answer(tok, w, offers[0], map[string]any{"answer": "no", "reason": "price"}); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("vendor answering: %d %s", r.Status, r.Body)
		}
		f.call(tok, "GET", "/windows", nil).must(t, http.StatusForbidden, nil)
	}
	if got := f.states(f.admin)[p.ID].State; got != enrolment.StateUpcoming {
		t.Errorf("state after vendor's attempts %q", got)
	}

	// The vendor sees its product's subscribers, the other vendor nothing.
	var rows []struct {
		LibraryID int64 `json:"library_id"`
	}
	f.call(own, "GET", fmt.Sprintf("/products/%d/subscriptions", p.ID), nil).must(t, http.StatusOK, &rows)
	if len(rows) != 1 || rows[0].LibraryID != f.lib.ID {
		t.Errorf("own vendor's subscribers %+v", rows)
	}
	f.call(other, "GET", fmt.Sprintf("/products/%d/subscriptions", p.ID), nil).must(t, http.StatusNotFound, nil)
	if subs := f.states(own); len(subs) != 1 {
		t.Errorf("own vendor's view of the library %+v", subs)
	}
	f.call(other, "GET", fmt.Sprintf("/libraries/%d/subscriptions", f.lib.ID), nil).must(t, http.StatusNotFound, nil)
}
