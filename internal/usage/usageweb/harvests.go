package usageweb

import (
	"net/http"
	"net/url"

	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

type harvestsView struct {
	Month   string
	Entries []usage.HarvestEntry
	Errors  []string
}

func (h *handlers) harvests(w http.ResponseWriter, r *http.Request) {
	month := monthParam(r, "month", h.lastMonth()).Format("2006-01")
	h.renderHarvests(w, r, http.StatusOK, month, nil)
}

func (h *handlers) renderHarvests(w http.ResponseWriter, r *http.Request, status int, month string, errs []string) {
	log, err := h.svc.HarvestLog(r.Context(), web.ActorOf(r), month)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "harvests.html", status, h.app.T(r, "uweb.harvests.title", nil), &harvestsView{Month: month, Entries: log, Errors: errs})
}

// harvest plans the month and asks the servers now, in the request: the
// run returns when nothing more is due now (retries wait for the duty).
func (h *handlers) harvest(w http.ResponseWriter, r *http.Request) {
	month := r.FormValue("month")
	by := web.ActorOf(r)
	planned, err := h.svc.PlanHarvest(r.Context(), by, month, 0, r.FormValue("again") != "")
	if msgs := h.userError(r, err); msgs != nil {
		h.renderHarvests(w, r, http.StatusUnprocessableEntity, h.lastMonth().Format("2006-01"), msgs)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	done, err := h.svc.RunHarvests(r.Context(), h.svc.SUSHI)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/usage/harvests?"+url.Values{"month": {month}}.Encode(),
		h.app.T(r, "uweb.harvests.done", map[string]any{"Planned": planned, "Done": done}))
}
