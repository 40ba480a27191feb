package billingweb

import (
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/web"
)

type homeData struct {
	Agreements []agreementItem
	Year       int
	Admin      bool
}

type agreementItem struct {
	billing.AgreementRow
	Period string
	Markup string
}

// home links to the billing pages and lists the agreements. A library
// contact has only its library's report here, so it goes there.
func (h *handlers) home(w http.ResponseWriter, r *http.Request) {
	by, lang := web.ActorOf(r), web.Lang(r)
	if !by.IsConsortium() {
		if by.Role == auth.RoleLibrary && len(by.LibraryIDs) > 0 {
			http.Redirect(w, r, "/billing/libraries/"+strconv.FormatInt(by.LibraryIDs[0], 10), http.StatusSeeOther)
			return
		}
		h.app.Error(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	rows, err := h.svc.Agreements(r.Context(), by)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &homeData{Year: h.year(r), Admin: isAdmin(r)}
	for _, a := range rows {
		d.Agreements = append(d.Agreements, agreementItem{AgreementRow: a,
			Period: formatDay(lang, a.StartsOn) + " – " + formatDay(lang, a.EndsOn), Markup: formatPercent(lang, a.MarkupBP)})
	}
	h.render(w, r, "home.html", http.StatusOK, h.app.T(r, "bweb.home.title", nil), d)
}
