package enrolmentweb

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// admDPARow is a data processing agreement in a list.
type admDPARow struct {
	enrolment.DPAView
	Signed, Expires string
}

// admBlockedRow is a subscription waiting for a data processing agreement.
type admBlockedRow struct {
	enrolment.SubscriptionView
	Period string
}

// admDPAsData is the data processing agreements page.
type admDPAsData struct {
	Within     int
	Expiring   []admDPARow
	Blocked    []admBlockedRow
	Vendor     *products.Vendor // the vendor whose agreements are listed, if one was chosen
	VendorDPAs []admDPARow
	Vendors    []products.Vendor
	Libraries  []members.Library
	Form       *admForm
}

func (a *adminPages) dpas(w http.ResponseWriter, r *http.Request) {
	a.renderDPAs(w, r, http.StatusOK, newAdmForm(nil))
}

func (a *adminPages) renderDPAs(w http.ResponseWriter, r *http.Request, status int, f *admForm) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	d := &admDPAsData{Within: enrolment.DPAExpiryDays, Form: f}
	row := func(v enrolment.DPAView) admDPARow {
		return admDPARow{DPAView: v, Signed: formatDay(lang, v.SignedOn), Expires: formatDay(lang, v.ExpiresOn)}
	}
	expiring, err := a.svc.ExpiringDPAs(ctx, by, d.Within)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, v := range expiring {
		d.Expiring = append(d.Expiring, row(v))
	}
	blocked, err := a.svc.BlockedForDPA(ctx, by)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, s := range blocked {
		d.Blocked = append(d.Blocked, admBlockedRow{SubscriptionView: s, Period: formatPeriod(lang, s.StartsOn, s.EndsOn)})
	}
	if d.Vendors, err = a.svc.Products.Vendors(ctx, by); err != nil {
		a.fail(w, r, err)
		return
	}
	if vid := admID(r.URL.Query().Get("vendor")); vid != 0 {
		for i := range d.Vendors {
			if d.Vendors[i].ID == vid {
				d.Vendor = &d.Vendors[i]
			}
		}
		if d.Vendor != nil {
			vs, err := a.svc.VendorDPAs(ctx, by, vid)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			for _, v := range vs {
				d.VendorDPAs = append(d.VendorDPAs, row(v))
			}
		}
	}
	if d.Libraries, err = a.members.Options(ctx, by); err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "admin_dpas.html", status, "eadmin.dpas.title", nil, d)
}

// addDPA registers a signed agreement, with its document when one is
// uploaded (multipart, at most enrolment.MaxDPADocument bytes).
func (a *adminPages) addDPA(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, enrolment.MaxDPADocument+1<<20) // the document and the fields
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		f := newAdmForm(nil)
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			a.fail(w, r, err)
			return
		}
		f.refuse(&validate.Problem{Field: "document", Code: "obligations.dpa.document_too_large"})
		a.renderDPAs(w, r, http.StatusRequestEntityTooLarge, f)
		return
	}
	f := newAdmForm(admPosted(r))
	v := f.Values
	in := enrolment.DPAInput{LibraryID: admID(v["library_id"]), VendorID: admID(v["vendor_id"]), Version: v["version"],
		SignedOn: calendar.Date(strings.TrimSpace(v["signed_on"])), SignedBy: v["signed_by"],
		ExpiresOn: calendar.Date(strings.TrimSpace(v["expires_on"]))}
	if file, hdr, err := r.FormFile("document"); err == nil {
		defer file.Close()
		// One byte more than allowed, so the service can say it is too large.
		if in.Document, err = io.ReadAll(io.LimitReader(file, enrolment.MaxDPADocument+1)); err != nil {
			a.fail(w, r, err)
			return
		}
		in.DocumentName = filepath.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		a.fail(w, r, err)
		return
	}
	if in.LibraryID == 0 {
		// The service would say not found; a form says what is missing.
		f.refuse(&validate.Problem{Field: "library_id", Code: "eadmin.dpa.library_required"})
		a.renderDPAs(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	d, err := a.svc.AddDPA(r.Context(), web.ActorOf(r), in)
	if ps, ok := admProblems(err); ok {
		f.refuse(ps...)
		a.renderDPAs(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lib, vendor := "", ""
	if l, err := a.members.Get(r.Context(), web.ActorOf(r), d.LibraryID); err == nil {
		lib = l.Name
	}
	if v, err := a.svc.Products.VendorByID(r.Context(), d.VendorID); err == nil {
		vendor = v.Name
	}
	a.redirect(w, r, "/dpas?vendor="+strconv.FormatInt(d.VendorID, 10)+"#vendor-dpas",
		a.app.T(r, "eadmin.dpa.added", map[string]any{"Library": lib, "Vendor": vendor}))
}

// dpaDocument sends an agreement's document to whoever may see the
// agreement: the consortium, the library's own and county contacts, and
// the vendor.
func (a *adminPages) dpaDocument(w http.ResponseWriter, r *http.Request) {
	name, data, err := a.svc.DPADocument(r.Context(), web.ActorOf(r), pathID(r, "id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ctype := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
