package memberweb

import (
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

type listData struct {
	Items    []members.ListItem
	Total    int
	Filter   members.Filter
	Types    []string
	Missing  []string
	Counties []refdata.County
	County   string // "NO-03" form of the chosen county
}

// filterFrom reads the list filters from the query string; the county comes
// as "NO-03" because county numbers repeat across countries.
func filterFrom(r *http.Request) (members.Filter, string) {
	q := r.URL.Query()
	f := members.Filter{Query: q.Get("q"), Type: q.Get("type"), Missing: q.Get("missing")}
	county := q.Get("county")
	if len(county) > 3 && county[2] == '-' {
		f.Country, f.CountyNumber = county[:2], county[3:]
	}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	return f, county
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	f, county := filterFrom(r)
	f.Limit = 200
	valid := false
	for _, m := range append([]string{""}, members.MissingFilters...) {
		valid = valid || f.Missing == m
	}
	if !valid {
		f.Missing = ""
	}
	items, total, err := h.svc.List(r.Context(), web.ActorOf(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := listData{Items: items, Total: total, Filter: f, Types: validate.LibraryTypes, Missing: members.MissingFilters,
		Counties: append(refdata.Counties("NO"), refdata.Counties("SE")...), County: county}
	h.app.Render(w, r, h.pages, "list.html", http.StatusOK, h.app.NewPage(r, h.app.T(r, "libraries.title", nil), data))
}
