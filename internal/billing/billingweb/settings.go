package billingweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// settingsFields are the fields of the seller form.
var settingsFields = []string{"name", "org_number", "vat_registered", "street", "postcode", "city", "country",
	"bank_account", "email", "payment_days", "home_currency", "contribution_vat"}

type settingsData struct {
	Form        *form
	Admin       bool
	TextFields  []string
	Currencies  []string
	Countries   []string
	VATCodes    []string
	LastChanged string
}

func (h *handlers) settings(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.GetSettings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := map[string]string{"name": st.Name, "org_number": st.OrgNumber, "street": st.Street, "postcode": st.Postcode,
		"city": st.City, "country": st.Country, "bank_account": st.BankAccount, "email": st.Email,
		"payment_days": strconv.Itoa(st.PaymentDays), "home_currency": st.HomeCurrency, "contribution_vat": st.ContributionVAT,
		"version": strconv.FormatInt(st.Version, 10)}
	if st.VATRegistered {
		v["vat_registered"] = "yes"
	}
	h.renderSettings(w, r, http.StatusOK, h.newForm(r, v, settingsFields...), st)
}

func (h *handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, f *form, st *billing.Settings) {
	d := &settingsData{Form: f, Admin: isAdmin(r), TextFields: []string{"name", "org_number", "street", "postcode", "city", "bank_account", "email"}, Currencies: money.Currencies, Countries: []string{"NO", "SE"},
		VATCodes: []string{"E", "Z", "S", "O"}}
	if st != nil && st.Version > 0 {
		d.LastChanged = formatTime(web.Lang(r), st.UpdatedAt)
	}
	h.render(w, r, "settings.html", status, h.app.T(r, "bweb.settings.title", nil), d)
}

func (h *handlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	f := h.newForm(r, posted(r), settingsFields...)
	v := f.Values
	in := billing.Settings{Name: v["name"], OrgNumber: strings.TrimSpace(v["org_number"]), VATRegistered: f.Checked("vat_registered"),
		Street: strings.TrimSpace(v["street"]), Postcode: strings.TrimSpace(v["postcode"]), City: strings.TrimSpace(v["city"]),
		Country: v["country"], BankAccount: strings.TrimSpace(v["bank_account"]), Email: strings.TrimSpace(v["email"]),
		HomeCurrency: v["home_currency"], ContributionVAT: v["contribution_vat"]}
	in.Version, _ = strconv.ParseInt(v["version"], 10, 64)
	days, ok := parseWhole(f, "payment_days")
	if days != nil {
		in.PaymentDays = int(*days)
	}
	if in.Email != "" {
		if e, p := validate.Email(in.Email); p != nil {
			f.refuse(p)
			ok = false
		} else {
			in.Email = e
		}
	}
	if !ok {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	_, err := h.svc.SaveSettings(r.Context(), web.ActorOf(r), in)
	if f.refused(err) {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if errors.Is(err, billing.ErrConflict) {
		f.add("", h.app.T(r, "error.conflict", nil))
		h.renderSettings(w, r, http.StatusConflict, f, nil)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/billing/settings", h.app.T(r, "bweb.settings.saved", nil))
}
