package billingweb

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// runKinds are the kinds of run, in the order the page offers them.
var runKinds = []string{billing.RunSubscriptions, billing.RunDeficit, billing.RunCosts}

// runFields are the fields of the new-run forms.
var runFields = []string{"kind", "name", "period_from", "period_to", "issue_date", "currency", "rate_date", "agreement_id",
	"year", "amount", "among", "key", "fixed"}

// shareChoices are what the forms that share an amount among counties
// offer: the runs page's deficit and cost forms and the agreement's
// deficit form both use them (through the partial "bweb-share-fields").
type shareChoices struct {
	Settings   *billing.Settings
	Forms      map[string]*form
	Counties   []fixedRow
	Amongs     []string
	Keys       []string
	Currencies []string
}

type runsData struct {
	shareChoices
	Runs       []runItem
	Admin      bool
	Kinds      []string
	Agreements []billing.AgreementRow
}

// runItem is a run in the list.
type runItem struct {
	billing.RunSummary
	Period string
	Issued string
	Total  string
}

func (h *handlers) shareChoices(r *http.Request) (shareChoices, error) {
	st, err := h.svc.GetSettings(r.Context())
	if err != nil {
		return shareChoices{}, err
	}
	c := shareChoices{Settings: st, Forms: map[string]*form{}, Amongs: []string{billing.ScopeParticipating, billing.ScopeAll},
		Keys: []string{billing.KeyPopulation, billing.KeyEqual, billing.KeyFixed}, Currencies: money.Currencies}
	for _, ct := range refdata.Counties(st.Country) {
		k := "county:" + ct.Country + "-" + ct.Number
		c.Counties = append(c.Counties, fixedRow{Key: k, Name: ct.Name, Field: "fixed_" + k, Group: "county"})
	}
	return c, nil
}

func (h *handlers) runs(w http.ResponseWriter, r *http.Request) {
	h.renderRuns(w, r, http.StatusOK, "", nil)
}

// renderRuns shows the runs and the new-run forms, the form of kind as posted.
func (h *handlers) renderRuns(w http.ResponseWriter, r *http.Request, status int, kind string, posted *form) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	list, err := h.svc.Runs(ctx, by)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sc, err := h.shareChoices(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &runsData{shareChoices: sc, Admin: isAdmin(r), Kinds: runKinds}
	if d.Agreements, err = h.svc.Agreements(ctx, by); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, rs := range list {
		d.Runs = append(d.Runs, runItem{RunSummary: rs, Period: formatDay(lang, rs.PeriodFrom) + " – " + formatDay(lang, rs.PeriodTo),
			Issued: formatDay(lang, rs.IssueDate), Total: money.Format(lang, rs.TotalMinor, rs.Currency)})
	}
	st := sc.Settings
	year := h.year(r)
	today := h.today()
	for _, k := range runKinds {
		v := map[string]string{"kind": k, "issue_date": string(today), "currency": st.HomeCurrency, "year": strconv.Itoa(year),
			"key": billing.KeyPopulation, "among": billing.ScopeAll}
		switch k {
		case billing.RunSubscriptions:
			v["period_from"], v["period_to"] = fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
		case billing.RunDeficit:
			v["among"] = billing.ScopeParticipating
		}
		d.Forms[k] = h.newForm(r, v, runFields...)
	}
	if posted != nil {
		d.Forms[kind] = posted
	}
	h.render(w, r, "runs.html", status, h.app.T(r, "bweb.runs.title", nil), d)
}

// runInput reads a new-run form; problems of what cannot be read are
// filed on the form.
func runInput(f *form) (billing.RunInput, bool) {
	v := f.Values
	in := billing.RunInput{Kind: v["kind"], Name: v["name"], PeriodFrom: date(v["period_from"]), PeriodTo: date(v["period_to"]),
		IssueDate: date(v["issue_date"]), Currency: v["currency"], RateDate: date(v["rate_date"]), Among: v["among"], Key: v["key"]}
	ok := true
	if id, err := strconv.ParseInt(strings.TrimSpace(v["agreement_id"]), 10, 64); err == nil && id > 0 {
		in.AgreementID = &id
	}
	if in.Kind != billing.RunSubscriptions {
		y, good := parseWhole(f, "year")
		if y != nil {
			in.Year = int(*y)
		}
		var good2 bool
		in.AmountMinor, good2 = parseAmount(f, "amount")
		ok = good && good2
		if in.Key == billing.KeyFixed {
			var good3 bool
			in.Fixed, good3 = parseFixed(f, "county:")
			ok = ok && good3
		}
	}
	return in, ok
}

// date is a typed date as the service reads it.
func date(s string) calendar.Date { return calendar.Date(strings.TrimSpace(s)) }

func (h *handlers) createRun(w http.ResponseWriter, r *http.Request) {
	f := h.newForm(r, posted(r), runFields...)
	kind := f.V("kind")
	if kind != billing.RunSubscriptions && kind != billing.RunDeficit && kind != billing.RunCosts {
		h.app.Error(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	run, err := h.startRun(r, f)
	if errors.Is(err, errRefused) {
		h.renderRuns(w, r, http.StatusUnprocessableEntity, kind, f)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.runCreated(w, r, run)
}

// errRefused means the problems are filed on the form.
var errRefused = errors.New("refused")

// startRun creates the run a form asks for. When the input is refused,
// or no exchange rate is on file, it files why on the form and returns
// errRefused.
func (h *handlers) startRun(r *http.Request, f *form) (*billing.Run, error) {
	in, ok := runInput(f)
	if !ok {
		return nil, errRefused
	}
	run, err := h.svc.CreateRun(r.Context(), web.ActorOf(r), in)
	if f.refused(err) {
		return nil, errRefused
	}
	if errors.Is(err, billing.ErrNoRate) {
		f.refuse(&validate.Problem{Code: "bweb.error.no_rate", Value: err.Error()})
		return nil, errRefused
	}
	return run, err
}

// runCreated sends the browser to a new run.
func (h *handlers) runCreated(w http.ResponseWriter, r *http.Request, run *billing.Run) {
	h.redirect(w, r, "/billing/runs/"+strconv.FormatInt(run.ID, 10), h.app.T(r, "bweb.run.created", map[string]any{"Name": run.Name}))
}
