package enrolmentweb

import (
	"net/http"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/web"
)

// formatMoney shows an amount in minor units as "12 500,00 NOK" (Bokmål
// and Swedish) or "12,500.00 NOK" (English), without floats.
func formatMoney(lang string, minor int64, currency string) string {
	return money.Format(lang, minor, currency)
}

// formatDay shows a date as its readers write it (calendar.Date.Text).
func formatDay(lang string, d calendar.Date) string { return d.Text(lang) }

// formatPeriod shows a first and a last day.
func formatPeriod(lang string, from, to calendar.Date) string {
	return formatDay(lang, from) + " – " + formatDay(lang, to)
}

// localArgs copies message data with its dates in the reader's form.
func localArgs(lang string, args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if d, ok := v.(calendar.Date); ok {
			v = formatDay(lang, d)
		}
		out[k] = v
	}
	return out
}

// offerPrices writes what each offer costs: the amount for the library
// (or the flat price when libraryID is 0), or the price model in words when
// the amount depends on who the library is or who takes part.
func (h *Handlers) offerPrices(r *http.Request, offers []enrolment.Offer, libraryID int64) map[int64]string {
	lang := web.Lang(r)
	out := make(map[int64]string, len(offers))
	var quotes map[int64]billing.Quote
	if h.quotes != nil {
		ids := make([]int64, len(offers))
		for i, o := range offers {
			ids[i] = o.ID
		}
		q, err := h.quotes(r.Context(), ids, libraryID)
		if err == nil {
			quotes = q
		}
	}
	for _, o := range offers {
		q, ok := quotes[o.ID]
		switch {
		case !ok || o.PriceModel == enrolment.PriceModelFlat:
			out[o.ID] = formatMoney(lang, o.PriceMinor, o.Currency)
		case q.Priced:
			out[o.ID] = formatMoney(lang, q.Minor, q.Currency) + " (" + h.app.T(r, "bweb.model."+q.Model, nil) + ")"
		case q.Model == enrolment.PriceModelNone:
			out[o.ID] = h.app.T(r, "eadmin.offer.no_price", nil)
		default:
			out[o.ID] = h.app.T(r, "bweb.model."+q.Model, nil)
		}
	}
	return out
}

// offersOf lists the offers of offer details.
func offersOf(ds []enrolment.OfferDetail) []enrolment.Offer {
	out := make([]enrolment.Offer, len(ds))
	for i, d := range ds {
		out[i] = d.Offer
	}
	return out
}
