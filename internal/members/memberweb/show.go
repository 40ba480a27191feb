package memberweb

import (
	"errors"
	"net/http"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type showData struct {
	Library      *members.Library
	County       string
	Municipality string
	Parent       *members.Library
	Children     []members.Library
	Contacts     []members.LibraryContact
	Ranges       []members.IPRange
	History      []audit.Entry
	ContactRoles []string
	// Form state of the contact and IP forms after a refused post.
	ContactForm  members.ContactInput
	ContactError []*validate.Problem
	IPForm       members.IPInput
	IPError      []*validate.Problem
	CanEdit      bool
	IsAdmin      bool
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) {
	h.renderShow(w, r, http.StatusOK, func(*showData) {})
}

// renderShow draws the library page; adjust fills in form state after a
// refused contact or IP post so the user sees the error beside their input.
func (h *Handlers) renderShow(w http.ResponseWriter, r *http.Request, status int, adjust func(*showData)) {
	ctx, by := r.Context(), web.ActorOf(r)
	l, err := h.svc.Get(ctx, by, pathID(r, "id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &showData{Library: l, ContactRoles: members.ContactRoles, CanEdit: by.ActsFor(l.ID, l.Country, l.CountyNumber), IsAdmin: by.CanChangeLocked()}
	if c, ok := refdata.CountyByNumber(l.Country, l.CountyNumber); ok {
		d.County = c.Name
	}
	if m, ok := refdata.MunicipalityByNumber(l.Country, l.MunicipalityNumber); ok {
		d.Municipality = m.Name
	}
	if l.ParentID != nil {
		if p, err := h.svc.Get(ctx, by, *l.ParentID); err == nil {
			d.Parent = p
		} else if !errors.Is(err, members.ErrNotFound) {
			h.fail(w, r, err)
			return
		}
	}
	if d.Children, err = h.svc.Children(ctx, by, l.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Ranges, err = h.svc.IPRanges(ctx, by, l.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	// A vendor sees a subscriber's IP ranges, not its people or history.
	if d.CanEdit {
		if d.Contacts, err = h.svc.Contacts(ctx, by, l.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		if d.History, err = h.svc.History(ctx, by, l.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	adjust(d)
	h.app.Render(w, r, h.pages, "show.html", status, h.app.NewPage(r, l.Name, d))
}

func (h *Handlers) addContact(w http.ResponseWriter, r *http.Request) {
	in := members.ContactInput{Name: r.FormValue("name"), Email: r.FormValue("email"), Phone: r.FormValue("phone"), Role: r.FormValue("role")}
	_, err := h.svc.AddContact(r.Context(), web.ActorOf(r), pathID(r, "id"), in)
	var ve *members.ValidationError
	if errors.As(err, &ve) {
		h.renderShow(w, r, http.StatusUnprocessableEntity, func(d *showData) { d.ContactForm, d.ContactError = in, ve.Problems })
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "contacts.added", map[string]any{"Name": in.Name}))
	http.Redirect(w, r, "/libraries/"+r.PathValue("id")+"#contacts", http.StatusSeeOther)
}

func (h *Handlers) removeContact(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.RemoveContact(r.Context(), web.ActorOf(r), pathID(r, "id"), pathID(r, "cid")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "contacts.removed", nil))
	http.Redirect(w, r, "/libraries/"+r.PathValue("id")+"#contacts", http.StatusSeeOther)
}

func (h *Handlers) addIPRange(w http.ResponseWriter, r *http.Request) {
	in := members.IPInput{Range: r.FormValue("range"), Note: r.FormValue("note"),
		ConfirmWide: r.FormValue("confirm_wide") == "on", ConfirmShared: r.FormValue("confirm_shared") == "on"}
	_, err := h.svc.AddIPRange(r.Context(), web.ActorOf(r), pathID(r, "id"), in)
	var ve *members.ValidationError
	if errors.As(err, &ve) {
		h.renderShow(w, r, http.StatusUnprocessableEntity, func(d *showData) { d.IPForm, d.IPError = in, ve.Problems })
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "ip.added", map[string]any{"Range": in.Range}))
	http.Redirect(w, r, "/libraries/"+r.PathValue("id")+"#ip-ranges", http.StatusSeeOther)
}

func (h *Handlers) removeIPRange(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.RemoveIPRange(r.Context(), web.ActorOf(r), pathID(r, "id"), pathID(r, "rid")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "ip.removed", nil))
	http.Redirect(w, r, "/libraries/"+r.PathValue("id")+"#ip-ranges", http.StatusSeeOther)
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Delete(r.Context(), web.ActorOf(r), pathID(r, "id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Flash(r, h.app.T(r, "libraries.deleted", nil))
	http.Redirect(w, r, "/libraries", http.StatusSeeOther)
}

func (h *Handlers) shared(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.SharedAddresses(r.Context(), web.ActorOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.app.Render(w, r, h.pages, "shared.html", http.StatusOK, h.app.NewPage(r, h.app.T(r, "shared.title", nil), list))
}
