package caseweb

import (
	"net/http"
	"strings"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/web"
)

// choices are the options of the selects on the list and case pages.
type choices struct {
	States     []string
	Priorities []string
	Libraries  []members.Library
	Products   []products.ProductItem
	Vendors    []products.Vendor
	Owners     []auth.User
	Counties   []refdata.County
}

func (h *handlers) choices(r *http.Request) (*choices, error) {
	by := web.ActorOf(r)
	c := &choices{States: cases.States, Priorities: cases.Priorities,
		Counties: append(refdata.Counties("NO"), refdata.Counties("SE")...)}
	var err error
	if c.Libraries, err = h.d.Members.Options(r.Context(), by); err != nil {
		return nil, err
	}
	if c.Products, err = h.d.Products.Products(r.Context(), by, products.ProductFilter{}); err != nil {
		return nil, err
	}
	if c.Vendors, err = h.d.Products.Vendors(r.Context(), by); err != nil {
		return nil, err
	}
	users, err := h.d.Users.List(r.Context())
	if err != nil {
		return nil, err
	}
	// Owners are who may work cases: the service refuses anyone else.
	for _, u := range users {
		if (u.Role == auth.RoleAdmin || u.Role == auth.RoleStaff) && !u.Disabled {
			c.Owners = append(c.Owners, u)
		}
	}
	return c, nil
}

type listView struct {
	Choices  *choices
	Filter   cases.Filter
	Query    string // the filter as a query string, for saving as a view
	Rows     []listRow
	Views    []viewLink
	Capped   bool
	ViewName string
	Errors   map[string][]string
}

type listRow struct {
	cases.Item
	LastActivity string // "3 d 4 t ago"; the exact time is in the page's title attribute
	Age          string
}

type viewLink struct {
	cases.View
	URL     string
	Current bool
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	h.renderList(w, r, http.StatusOK, cases.FilterFrom(r.URL.Query()), "", nil)
}

func (h *handlers) renderList(w http.ResponseWriter, r *http.Request, status int, f cases.Filter, viewName string, errs map[string][]string) {
	by := web.ActorOf(r)
	items, err := h.svc.List(r.Context(), by, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views, err := h.svc.Views(r.Context(), by)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ch, err := h.choices(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f.State == "" {
		f.State = "active"
	}
	q := f.Values().Encode()
	d := listView{Choices: ch, Filter: f, Query: q, Capped: len(items) >= cases.ListLimit, ViewName: viewName, Errors: errs}
	now := h.now()
	for _, it := range items {
		d.Rows = append(d.Rows, listRow{Item: it, LastActivity: h.app.T(r, "cweb.ago", map[string]any{"Span": h.duration(r, now.Sub(it.LastMessageAt))}), Age: h.duration(r, it.Age(now))})
	}
	for _, v := range views {
		d.Views = append(d.Views, viewLink{View: v, URL: viewURL(&v), Current: v.Filter().Values().Encode() == q})
	}
	h.render(w, r, "list.html", status, h.app.T(r, "cweb.list.title", nil), d)
}

// saveView saves the filter the form carries (the list's current one).
func (h *handlers) saveView(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := cases.FilterFrom(r.PostForm)
	name := r.PostForm.Get("name")
	v, err := h.svc.SaveView(r.Context(), web.ActorOf(r), name, f)
	if ps := validationProblems(err); ps != nil {
		h.renderList(w, r, http.StatusUnprocessableEntity, f, name, h.messages(r, "view", ps))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, viewURL(v), h.app.T(r, "cweb.view.saved", map[string]any{"Name": v.Name}))
}

func (h *handlers) deleteView(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteView(r.Context(), web.ActorOf(r), pathID(r, "id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/cases", h.app.T(r, "cweb.view.deleted", nil))
}

// viewURL is the list page showing a view.
func viewURL(v *cases.View) string {
	if q := strings.TrimSpace(v.Query); q != "" {
		return "/cases?" + q
	}
	return "/cases"
}
