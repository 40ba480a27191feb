package ratesweb

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/web"
)

func (h *Handlers) addManual(w http.ResponseWriter, r *http.Request) {
	v := manualValues{Currency: r.FormValue("currency"), Date: r.FormValue("date"), Rate: r.FormValue("rate"), Note: r.FormValue("note")}
	x, err := h.svc.AddManual(r.Context(), web.ActorOf(r), v.Currency, calendar.Date(v.Date), v.Rate, v.Note)
	var ve *rates.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if rate, ok := p.Args["Rate"].(money.Rate); ok {
				p.Args["Rate"] = rate.Text(web.Lang(r))
			}
		}
		h.render(w, r, http.StatusUnprocessableEntity, &page{Manual: v, Errors: byField(ve.Problems)})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "rates.manual.added", map[string]any{"Currency": x.Currency, "Date": string(x.Date)}))
	http.Redirect(w, r, "/rates?currency="+url.QueryEscape(x.Currency), http.StatusSeeOther)
}

func (h *Handlers) deleteManual(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := h.svc.DeleteManual(r.Context(), web.ActorOf(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "rates.deleted", nil))
	http.Redirect(w, r, "/rates", http.StatusSeeOther)
}
