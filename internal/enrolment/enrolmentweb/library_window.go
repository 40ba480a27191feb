package enrolmentweb

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// libMyWindow is a window as the list of a contact's windows shows it.
type libMyWindow struct {
	enrolment.Window
	Status string
	Dates  string
}

type libMyWindowsData struct {
	Windows   []libMyWindow
	Libraries []members.Library
}

// myWindows lists the open and upcoming windows, with a way into each for
// every library the user acts for. The consortium has its own list.
func (lp *libraryPages) myWindows(w http.ResponseWriter, r *http.Request) {
	by := web.ActorOf(r)
	if by.IsConsortium() {
		http.Redirect(w, r, "/windows", http.StatusSeeOther)
		return
	}
	ws, err := lp.svc.Windows(r.Context(), by)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	d := &libMyWindowsData{}
	if d.Libraries, err = lp.actingLibraries(r); err != nil {
		lp.fail(w, r, err)
		return
	}
	lang, now := web.Lang(r), lp.now()
	for _, win := range ws {
		if st := win.Status(now); st != enrolment.WindowClosed {
			d.Windows = append(d.Windows, libMyWindow{Window: win, Status: st, Dates: formatPeriod(lang, win.OpensOn, win.ClosesOn)})
		}
	}
	// Open windows first, the one closing soonest at the top; then those to come.
	slices.SortStableFunc(d.Windows, func(a, b libMyWindow) int {
		if a.Status != b.Status {
			if a.Status == enrolment.WindowOpen {
				return -1
			}
			return 1
		}
		if a.ClosesOn != b.ClosesOn {
			if a.ClosesOn < b.ClosesOn {
				return -1
			}
			return 1
		}
		return 0
	})
	lp.app.Render(w, r, lp.pages, "library_windows.html", http.StatusOK, lp.app.NewPage(r, lp.app.T(r, "elib.windows.title", nil), d))
}

// libWindowData is a window's page for one library.
type libWindowData struct {
	Window    *enrolment.Window
	Status    string
	Dates     string
	Closes    string
	Library   *members.Library  // nil until the user has picked one
	Libraries []members.Library // the user's libraries, to switch between
	Order     []string          // offer ids in the order shown
	Rows      map[string]*libOfferRow
	Reasons   []string
	CanAnswer bool   // the user may answer now
	AsAdmin   bool   // a consortium admin answers on the library's behalf, with a reason
	Notice    string // why there are no answer forms
}

// libOfferRow is one offer the library is invited to, with its answer and,
// after a refused answer, what the user typed and why it was refused.
type libOfferRow struct {
	enrolment.OfferAnswer
	Price   string
	Period  string
	Answer  string // the current answer in words
	By      string // who answered and when
	Values  map[string]string
	Errors  map[string][]*validate.Problem
	Alert   string // a refusal of the whole answer, such as a closed window
	Receipt string // what was just saved
}

// window shows a window's offers to a library with the answer forms. A
// consortium user without ?library goes to the admin view.
func (lp *libraryPages) window(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	if web.ActorOf(r).IsConsortium() && r.URL.Query().Get("library") == "" {
		http.Redirect(w, r, "/windows/"+strconv.FormatInt(id, 10)+"/admin", http.StatusSeeOther)
		return
	}
	libraryID, done := lp.chosenLibrary(w, r)
	if done {
		return
	}
	d, err := lp.loadWindow(r, id, libraryID)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	lp.renderWindow(w, r, http.StatusOK, d)
}

func (lp *libraryPages) renderWindow(w http.ResponseWriter, r *http.Request, status int, d *libWindowData) {
	title := d.Window.Name
	if d.Library != nil {
		title += " · " + d.Library.Name
	}
	lp.app.Render(w, r, lp.pages, "library_window.html", status, lp.app.NewPage(r, title, d))
}

// loadWindow gathers a window's page for a library; libraryID 0 gives the
// page without offers, where the user picks one of their libraries.
func (lp *libraryPages) loadWindow(r *http.Request, windowID, libraryID int64) (*libWindowData, error) {
	ctx, by, lang, now := r.Context(), web.ActorOf(r), web.Lang(r), lp.now()
	win, err := lp.svc.GetWindow(ctx, by, windowID)
	if err != nil {
		return nil, err
	}
	d := &libWindowData{Window: win, Status: win.Status(now), Dates: formatPeriod(lang, win.OpensOn, win.ClosesOn),
		Closes: formatDay(lang, win.ClosesOn), Rows: map[string]*libOfferRow{}, Reasons: enrolment.Reasons}
	if d.Libraries, err = lp.actingLibraries(r); err != nil {
		return nil, err
	}
	if libraryID == 0 {
		if len(d.Libraries) == 0 {
			return nil, enrolment.ErrNotFound
		}
		return d, nil
	}
	if d.Library, err = lp.library(r, libraryID); err != nil {
		return nil, err
	}
	answers, err := lp.svc.LibraryAnswers(ctx, by, windowID, libraryID)
	if err != nil {
		return nil, err
	}
	details := make([]enrolment.OfferDetail, len(answers))
	for i, a := range answers {
		details[i] = a.OfferDetail
	}
	prices := lp.offerPrices(r, offersOf(details), libraryID)
	for _, a := range answers {
		row := &libOfferRow{OfferAnswer: a, Price: prices[a.Offer.ID],
			Period: formatPeriod(lang, a.Agreement.StartsOn, a.Agreement.EndsOn)}
		lp.describeAnswer(r, row)
		key := strconv.FormatInt(a.Offer.ID, 10)
		d.Order = append(d.Order, key)
		d.Rows[key] = row
	}
	switch {
	case by.Role == auth.RoleLibrary || by.Role == auth.RoleCountyContact:
		d.CanAnswer = d.Status == enrolment.WindowOpen
	case by.Role == auth.RoleAdmin:
		d.CanAnswer, d.AsAdmin = d.Status != enrolment.WindowUpcoming, true
	}
	switch {
	case d.Status == enrolment.WindowUpcoming:
		d.Notice = lp.app.T(r, "elib.window.not_yet", map[string]any{"Opens": formatDay(lang, win.OpensOn)})
	case !d.CanAnswer && d.Status == enrolment.WindowClosed:
		d.Notice = lp.app.T(r, "enrolment.error.window_closed", nil)
	case !d.CanAnswer:
		d.Notice = lp.app.T(r, "elib.window.read_only", nil)
	}
	return d, nil
}

// describeAnswer puts the row's current answer in words.
func (lp *libraryPages) describeAnswer(r *http.Request, row *libOfferRow) {
	e := row.Enrolment
	if e == nil {
		row.Answer, row.By = lp.app.T(r, "enrolment.answers.none", nil), ""
		return
	}
	row.Answer = lp.app.T(r, "enrolment.answers."+e.Answer, nil)
	if e.Reason != "" {
		row.Answer += " – " + lp.app.T(r, "enrolment.reasons."+e.Reason, nil)
		if e.ReasonText != "" {
			row.Answer += ": " + e.ReasonText
		}
	}
	when := (&web.Page{Lang: web.Lang(r)}).Time(e.AnsweredAt) // in the reader's zone
	row.By = lp.app.T(r, "elib.answer.by", map[string]any{"Who": e.AnsweredBy, "When": when,
		"Source": lp.app.T(r, "enrolment.source."+e.Source, nil)})
}
