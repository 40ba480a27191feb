package enrolmentweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// admWindowRow is a window in the list.
type admWindowRow struct {
	enrolment.Window
	Status  string
	Dates   string
	TooLong bool
}

type admWindowsData struct {
	Windows []admWindowRow
}

// windows lists the enrolment windows with their status, latest first.
// Library and county contacts, who may follow a link to /windows, are sent
// to their own list.
func (a *adminPages) windows(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	if !by.IsConsortium() {
		http.Redirect(w, r, "/my/windows", http.StatusSeeOther)
		return
	}
	ws, err := a.svc.Windows(r.Context(), by)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lang, now := web.Lang(r), a.now()
	d := &admWindowsData{}
	for _, win := range ws {
		d.Windows = append(d.Windows, admWindowRow{Window: win, Status: win.Status(now),
			Dates: formatPeriod(lang, win.OpensOn, win.ClosesOn), TooLong: win.Days() > enrolment.MaxWindowDays})
	}
	a.render(w, r, "admin_windows.html", http.StatusOK, "eadmin.windows.title", nil, d)
}

// admOfferGroup is an agreement's offers, as the window form lists them.
type admOfferGroup struct {
	Agreement string
	Period    string
	Offers    []admOfferChoice
}

// admOfferChoice is an offer that may be put in a window; one without a
// price cannot be ordered and is shown but not offered.
type admOfferChoice struct {
	ID        int64
	Product   string
	Price     string
	Orderable bool
}

type admWindowFormData struct {
	Form   *admForm
	Groups []admOfferGroup
	Max    int
}

func (a *adminPages) newWindow(w http.ResponseWriter, r *http.Request) {
	f := newAdmForm(map[string]string{"reminder_days": strconv.Itoa(enrolment.DefaultReminderDays)})
	a.renderNewWindow(w, r, http.StatusOK, f)
}

func (a *adminPages) renderNewWindow(w http.ResponseWriter, r *http.Request, status int, f *admForm) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	as, err := a.svc.Agreements(ctx, by, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &admWindowFormData{Form: f, Max: enrolment.MaxWindowDays}
	for _, ag := range as {
		os, err := a.svc.Offers(ctx, by, ag.ID)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if len(os) == 0 {
			continue
		}
		g := admOfferGroup{Agreement: ag.Name, Period: formatPeriod(lang, ag.StartsOn, ag.EndsOn)}
		prices := a.offerPrices(r, offersOf(os), 0)
		for _, o := range os {
			c := admOfferChoice{ID: o.Offer.ID, Product: o.Product.Name, Orderable: o.Offer.Orderable()}
			if c.Orderable {
				c.Price = prices[o.Offer.ID]
			}
			g.Offers = append(g.Offers, c)
		}
		d.Groups = append(d.Groups, g)
	}
	a.render(w, r, "admin_window_new.html", status, "eadmin.window.new", nil, d)
}

// windowInput reads the window form.
func windowInput(r *http.Request, v map[string]string) (enrolment.WindowInput, []*validate.Problem) {
	in := enrolment.WindowInput{Name: v["name"], OpensOn: calendar.Date(strings.TrimSpace(v["opens_on"])),
		ClosesOn: calendar.Date(strings.TrimSpace(v["closes_on"])), OfferIDs: admIDs(r, "offer_ids")}
	var ps []*validate.Problem
	if raw := strings.TrimSpace(v["reminder_days"]); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			ps = append(ps, &validate.Problem{Field: "reminder_days", Code: "enrolment.window.reminder_range", Value: raw,
				Args: map[string]any{"Max": 90}})
		}
		in.ReminderDays = &n
	}
	return in, ps
}

func (a *adminPages) createWindow(w http.ResponseWriter, r *http.Request) {
	f := newAdmForm(admPosted(r))
	in, ps := windowInput(r, f.Values)
	var win *enrolment.Window
	var err error
	if len(ps) == 0 {
		win, f.Warnings, err = a.svc.CreateWindow(r.Context(), web.ActorOf(r), in)
		ps, _ = admProblems(err)
	}
	if len(ps) > 0 {
		f.refuse(ps...)
		a.renderNewWindow(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	msg := a.app.T(r, "eadmin.window.created", map[string]any{"Name": win.Name})
	for _, p := range f.Warnings {
		msg += " " + a.app.T(r, p.Code, p.Args)
	}
	a.redirect(w, r, "/windows/"+strconv.FormatInt(win.ID, 10)+"/admin", msg)
}
