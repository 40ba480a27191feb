package enrolmentweb

import (
	"net/http"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web"
)

// admTrialRow is a trial in the list.
type admTrialRow struct {
	enrolment.TrialView
	Period string
}

// admTrialsData is the trials page: the trials and the form to start one.
type admTrialsData struct {
	Trials    []admTrialRow
	Products  []products.ProductItem
	Libraries []members.Library
	Form      *admForm
}

func (a *adminPages) trials(w http.ResponseWriter, r *http.Request) {
	a.renderTrials(w, r, http.StatusOK, newAdmForm(nil))
}

func (a *adminPages) renderTrials(w http.ResponseWriter, r *http.Request, status int, f *admForm) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	ts, err := a.svc.Trials(ctx, by)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &admTrialsData{Form: f}
	for _, t := range ts {
		d.Trials = append(d.Trials, admTrialRow{TrialView: t, Period: formatPeriod(lang, t.StartsOn, t.EndsOn)})
	}
	if d.Products, err = a.svc.Products.Products(ctx, by, products.ProductFilter{}); err != nil {
		a.fail(w, r, err)
		return
	}
	if d.Libraries, err = a.members.Options(ctx, by); err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "admin_trials.html", status, "eadmin.trials.title", nil, d)
}

// createTrial starts a trial of a product for the chosen libraries.
func (a *adminPages) createTrial(w http.ResponseWriter, r *http.Request) {
	f := newAdmForm(admPosted(r))
	v := f.Values
	in := enrolment.TrialInput{ProductID: admID(v["product_id"]), StartsOn: calendar.Date(strings.TrimSpace(v["starts_on"])),
		EndsOn: calendar.Date(strings.TrimSpace(v["ends_on"])), LibraryIDs: admIDs(r, "library_ids"), Notes: v["notes"]}
	t, err := a.svc.CreateTrial(r.Context(), web.ActorOf(r), in)
	if ps, ok := admProblems(err); ok {
		f.refuse(ps...)
		a.renderTrials(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	name := ""
	if p, err := a.svc.Products.ProductByID(r.Context(), t.ProductID); err == nil {
		name = p.Name
	}
	lang := web.Lang(r)
	a.redirect(w, r, "/trials", a.app.T(r, "eadmin.trial.created", map[string]any{"Product": name,
		"Period": formatPeriod(lang, t.StartsOn, t.EndsOn), "Count": len(in.LibraryIDs)}))
}
