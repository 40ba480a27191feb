package enrolmentweb

import (
	"net/http"

	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web"
)

// admAcceptancesData is the list of libraries that have not accepted a
// product's current licence version.
type admAcceptancesData struct {
	Product *products.Product
	Vendor  string
	Licence *products.LicenceVersion // nil when the product has no licence text yet
	Pending []admPendingRow
}

type admPendingRow struct {
	enrolment.PendingAcceptance
	StartsOn string
}

// acceptances lists who has yet to accept the current licence version of a
// product that requires active acceptance: after a new version, everyone
// who had accepted an earlier one is asked again.
func (a *adminPages) acceptances(w http.ResponseWriter, r *http.Request) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	p, err := a.svc.Products.Product(ctx, by, pathID(r, "id"))
	if err != nil {
		a.admFail(w, r, err)
		return
	}
	d := &admAcceptancesData{Product: p}
	if v, err := a.svc.Products.VendorByID(ctx, p.VendorID); err == nil {
		d.Vendor = v.Name
	}
	if d.Licence, _, err = a.svc.Products.CurrentLicence(ctx, p.ID); err != nil {
		a.admFail(w, r, err)
		return
	}
	pend, err := a.svc.PendingAcceptances(ctx, by, p.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, pa := range pend {
		d.Pending = append(d.Pending, admPendingRow{PendingAcceptance: pa, StartsOn: formatDay(lang, pa.StartsOn)})
	}
	a.render(w, r, "admin_acceptances.html", http.StatusOK, "eadmin.acceptances.title", map[string]any{"Product": p.Name}, d)
}
