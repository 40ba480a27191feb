package enrolmentweb

import (
	"fmt"
	"net/http"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/web"
)

// libObligationsData is what the library page's obligations fragment shows.
type libObligationsData struct {
	LibraryID     int64
	Subscriptions []libSubscriptionRow
	ToDo          []libTodoRow
	DPAs          []dpaRow
	ShowToDo      bool // the user acts for the library (a vendor only sees its subscriptions)
}

type libSubscriptionRow struct {
	enrolment.SubscriptionView
	Period   string
	Blockers []libLinkRow
}

// libLinkRow is a sentence with an optional link to where it is dealt with.
type libLinkRow struct {
	Text, Link, LinkText string
}

type libTodoRow struct {
	libLinkRow
	Kind string
	Due  string
}

type dpaRow struct {
	enrolment.DPAView
	Signed, Expires string
}

// obligations serves the fragment the library page loads with htmx: the
// library's subscriptions with their state and what blocks them, what
// waits on the library, and its data processing agreements. Its root is
// <section id="obligations">; it has no layout.
func (lp *libraryPages) obligations(w http.ResponseWriter, r *http.Request) {
	ctx, by, lang := r.Context(), web.ActorOf(r), web.Lang(r)
	id := pathID(r, "id")
	subs, err := lp.svc.States(ctx, by, id)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	d := &libObligationsData{LibraryID: id, ShowToDo: by.Role != auth.RoleVendor}
	for _, s := range subs {
		row := libSubscriptionRow{SubscriptionView: s, Period: formatPeriod(lang, s.StartsOn, s.EndsOn)}
		for _, b := range s.Blockers {
			l := libLinkRow{Text: lp.app.T(r, b.MessageID, localArgs(lang, b.Args))}
			if b.Kind == enrolment.BlockedTerms && b.LicenceVersion > 0 {
				l.Link, l.LinkText = libTermsPath(s.ProductID, id), lp.app.T(r, "elib.todo.open_terms", nil)
			}
			row.Blockers = append(row.Blockers, l)
		}
		d.Subscriptions = append(d.Subscriptions, row)
	}
	if d.ShowToDo {
		items, err := lp.svc.ToDo(ctx, by, id)
		if err != nil {
			lp.fail(w, r, err)
			return
		}
		for _, it := range items {
			d.ToDo = append(d.ToDo, lp.todoRow(r, id, it))
		}
	}
	dpas, err := lp.svc.LibraryDPAs(ctx, by, id)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	for _, v := range dpas {
		d.DPAs = append(d.DPAs, dpaRow{DPAView: v, Signed: formatDay(lang, v.SignedOn), Expires: formatDay(lang, v.ExpiresOn)})
	}
	lp.renderFragment(w, r, "elib-obligations", http.StatusOK, lp.fragmentPage(r, d))
}

// todoRow puts a to-do item in words, with a link to where it is done.
// The service's links carry no library; these do.
func (lp *libraryPages) todoRow(r *http.Request, libraryID int64, it enrolment.ToDoItem) libTodoRow {
	lang := web.Lang(r)
	row := libTodoRow{Kind: it.Kind, libLinkRow: libLinkRow{Text: lp.app.T(r, it.MessageID, localArgs(lang, it.Args))}}
	// Windows and trials name their dates; terms and agreements are due
	// when the subscription begins, which is worth saying while it is ahead.
	if (it.Kind == enrolment.ToDoTerms || it.Kind == enrolment.ToDoAgreement) && it.Due.After(calendar.Today(lp.now())) {
		row.Due = formatDay(lang, it.Due)
	}
	switch {
	case it.Kind == enrolment.ToDoTerms:
		row.Link, row.LinkText = libTermsPath(it.ProductID, libraryID), lp.app.T(r, "elib.todo.open_terms", nil)
	case it.WindowID != 0: // a window, or a lapsed trial whose product an open window offers
		row.Link, row.LinkText = libWindowPath(it.WindowID, libraryID), lp.app.T(r, "elib.todo.open_window", nil)
	case it.Kind == enrolment.ToDoTrial && it.ProductSlug != "":
		row.Link, row.LinkText = "/catalogue/"+it.ProductSlug, lp.app.T(r, "elib.todo.open_product", nil)
	}
	return row
}

func libTermsPath(productID, libraryID int64) string {
	return fmt.Sprintf("/terms/%d?library=%d", productID, libraryID)
}

func libWindowPath(windowID, libraryID int64) string {
	return fmt.Sprintf("/windows/%d?library=%d", windowID, libraryID)
}
