package memberweb

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type formData struct {
	Library        *members.Library // nil when creating
	Values         map[string]string
	Errors         map[string][]*validate.Problem
	Warnings       []*validate.Problem
	Types          []string
	InvoiceParties []string
	Counties       []refdata.County
	Municipalities []refdata.Municipality
	Parents        []members.Library
	CanLocked      bool
}

// values turns an input back into form text, so a refused form shows
// exactly what the user typed.
func values(in members.LibraryInput) map[string]string {
	v := map[string]string{
		"name": in.Name, "type": in.Type, "country": in.Country, "county_number": in.CountyNumber,
		"municipality_number": in.MunicipalityNumber, "org_number": in.OrgNumber, "isil": in.ISIL,
		"website": in.Website, "notes": in.Notes, "invoice_party": in.InvoiceParty,
		"invoice_org_number": in.InvoiceOrgNumber, "invoice_address": in.InvoiceAddress,
		"einvoice_endpoint": in.EInvoiceEndpoint, "version": strconv.FormatInt(in.Version, 10),
	}
	for k, p := range map[string]*int64{"parent_id": in.ParentID, "population": in.Population, "students": in.Students, "fte": in.FTE} {
		if p != nil {
			v[k] = strconv.FormatInt(*p, 10)
		}
	}
	for k, p := range map[string]*float64{"latitude": in.Latitude, "longitude": in.Longitude} {
		if p != nil {
			v[k] = strconv.FormatFloat(*p, 'f', -1, 64)
		}
	}
	return v
}

func (h *Handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, l *members.Library, vals map[string]string, problems, warnings []*validate.Problem) {
	by := web.ActorOf(r)
	parents, err := h.svc.Options(r.Context(), by)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := formData{Library: l, Values: vals, Errors: map[string][]*validate.Problem{}, Warnings: warnings,
		Types: validate.LibraryTypes, InvoiceParties: members.InvoiceParties,
		Counties:       append(refdata.Counties("NO"), refdata.Counties("SE")...),
		Municipalities: append(refdata.Municipalities("NO"), refdata.Municipalities("SE")...),
		Parents:        parents, CanLocked: by.CanChangeLocked()}
	for _, p := range problems {
		d.Errors[p.Field] = append(d.Errors[p.Field], p)
	}
	title := h.app.T(r, "libraries.new", nil)
	if l != nil {
		title = l.Name
	}
	h.app.Render(w, r, h.pages, "form.html", status, h.app.NewPage(r, title, d))
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) {
	h.renderForm(w, r, http.StatusOK, nil, map[string]string{"country": "NO", "invoice_party": members.InvoiceSelf}, nil, nil)
}

func (h *Handlers) editForm(w http.ResponseWriter, r *http.Request) {
	l, err := h.svc.Get(r.Context(), web.ActorOf(r), pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderForm(w, r, http.StatusOK, l, values(members.InputFrom(l)), nil, nil)
}

// formInput reads the posted form. The county select carries "NO-03"
// because county numbers repeat across countries.
func formInput(r *http.Request) (members.LibraryInput, map[string]string, []*validate.Problem) {
	_ = r.ParseForm()
	raw := map[string]string{}
	for k := range r.PostForm {
		raw[k] = r.PostForm.Get(k)
	}
	if c := raw["county"]; len(c) > 3 && c[2] == '-' {
		raw["county_number"] = c[3:]
		if raw["country"] == "" {
			raw["country"] = c[:2]
		}
	}
	in, ps := members.ParseText(func(f string) string { return raw[f] })
	return in, raw, ps
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) {
	in, raw, ps := formInput(r)
	if len(ps) > 0 {
		h.renderForm(w, r, http.StatusUnprocessableEntity, nil, raw, ps, nil)
		return
	}
	l, warns, err := h.svc.Create(r.Context(), web.ActorOf(r), in)
	var ve *members.ValidationError
	if errors.As(err, &ve) {
		h.renderForm(w, r, http.StatusUnprocessableEntity, nil, raw, ve.Problems, warns)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flashWarnings(r, "libraries.created", l.Name, warns)
	http.Redirect(w, r, "/libraries/"+strconv.FormatInt(l.ID, 10), http.StatusSeeOther)
}

func (h *Handlers) update(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	old, err := h.svc.Get(r.Context(), by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, raw, ps := formInput(r)
	if len(ps) > 0 {
		h.renderForm(w, r, http.StatusUnprocessableEntity, old, raw, ps, nil)
		return
	}
	l, warns, err := h.svc.Update(r.Context(), by, old.ID, in)
	var ve *members.ValidationError
	switch {
	case errors.As(err, &ve):
		h.renderForm(w, r, http.StatusUnprocessableEntity, old, raw, ve.Problems, warns)
		return
	case errors.Is(err, members.ErrConflict):
		// Keep what the user typed and say why it was not saved.
		h.renderForm(w, r, http.StatusConflict, old, raw, []*validate.Problem{{Field: "_form", Code: "error.conflict"}}, nil)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.flashWarnings(r, "libraries.saved", l.Name, warns)
	http.Redirect(w, r, "/libraries/"+strconv.FormatInt(l.ID, 10), http.StatusSeeOther)
}

func (h *Handlers) flashWarnings(r *http.Request, msgID, name string, warns []*validate.Problem) {
	msg := h.app.T(r, msgID, map[string]any{"Name": name})
	for _, w := range warns {
		msg += " " + h.app.T(r, w.Code, w.Args)
	}
	h.app.Flash(r, msg)
}
