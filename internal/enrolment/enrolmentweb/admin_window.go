package enrolmentweb

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// admXLSXType is the media type of a spreadsheet.
const admXLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// admWindowData is a window's admin view.
type admWindowData struct {
	Window      *enrolment.Window
	Status      string
	Dates       string
	Reminder    string // the day the reminder goes out
	Warning     string // longer than four weeks
	Offers      []admWindowOffer
	Progress    []admProgressRow
	Report      []enrolment.OfferReport
	Answered    int // libraries that have answered every offer they are invited to
	NotAnswered int
	Steps       []string
	CanChange   bool // an admin may change answers (the window has opened)
	Change      *admForm
	Reasons     []string
}

// admWindowOffer is an offer of the window with its price in words.
type admWindowOffer struct {
	enrolment.OfferDetail
	Price  string
	Period string
}

// admProgressRow is one library's line: a cell per offer of the window.
type admProgressRow struct {
	LibraryID int64
	Library   string
	Cells     []admProgressCell
	Done      bool // answered every offer it is invited to
}

// admProgressCell is where the library stands in one offer; Invited false
// means it is not invited to it.
type admProgressCell struct {
	enrolment.OfferProgress
	Invited bool
}

// windowAdmin shows a window to the consortium.
func (a *adminPages) windowAdmin(w http.ResponseWriter, r *http.Request) {
	a.renderWindowAdmin(w, r, http.StatusOK, pathID(r, "id"), nil)
}

func (a *adminPages) renderWindowAdmin(w http.ResponseWriter, r *http.Request, status int, id int64, change *admForm) {
	ctx, by, lang, now := r.Context(), web.ActorOf(r), web.Lang(r), a.now()
	win, err := a.svc.GetWindow(ctx, by, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &admWindowData{Window: win, Status: win.Status(now), Dates: formatPeriod(lang, win.OpensOn, win.ClosesOn),
		Reminder: formatDay(lang, win.ClosesOn.AddDays(-win.ReminderDays)), Steps: enrolment.Steps, Reasons: enrolment.Reasons,
		Change: change}
	if days := win.Days(); days > enrolment.MaxWindowDays {
		d.Warning = a.app.T(r, "enrolment.window.too_long", map[string]any{"Days": days, "Max": enrolment.MaxWindowDays})
	}
	d.CanChange = by.Role == auth.RoleAdmin && d.Status != enrolment.WindowUpcoming
	if d.Change == nil {
		d.Change = newAdmForm(map[string]string{"answer": enrolment.AnswerYes})
	}
	offers, err := a.svc.WindowOffers(ctx, by, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	prices := a.offerPrices(r, offersOf(offers), 0)
	for _, o := range offers {
		d.Offers = append(d.Offers, admWindowOffer{OfferDetail: o, Price: prices[o.Offer.ID],
			Period: formatPeriod(lang, o.Agreement.StartsOn, o.Agreement.EndsOn)})
	}
	progress, err := a.svc.WindowProgress(ctx, by, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, lp := range progress {
		row := admProgressRow{LibraryID: lp.LibraryID, Library: lp.LibraryName, Done: true}
		for _, o := range offers {
			c := admProgressCell{}
			for _, op := range lp.Offers {
				if op.OfferID == o.Offer.ID {
					c = admProgressCell{OfferProgress: op, Invited: true}
					if op.Answer == "" {
						row.Done = false
					}
				}
			}
			row.Cells = append(row.Cells, c)
		}
		if row.Done {
			d.Answered++
		} else {
			d.NotAnswered++
		}
		d.Progress = append(d.Progress, row)
	}
	rep, err := a.svc.WindowReport(ctx, by, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d.Report = rep.Offers
	a.app.Render(w, r, a.pages, "admin_window.html", status, a.app.NewPage(r, win.Name, d))
}

// changeAnswer is a consortium admin's change of a library's answer: while
// the window is open on the library's behalf, after it closes as the only
// one who may; always with a reason, which the audit log keeps.
func (a *adminPages) changeAnswer(w http.ResponseWriter, r *http.Request) {
	ctx, by, id := r.Context(), web.ActorOf(r), pathID(r, "id")
	f := newAdmForm(admPosted(r))
	v := f.Values
	libraryID, offerID := admID(v["library_id"]), admID(v["offer_id"])
	in := enrolment.AnswerInput{Answer: v["answer"], Reason: v["reason"], ReasonText: v["reason_text"], ChangeReason: v["change_reason"]}
	var ps []*validate.Problem
	if libraryID == 0 {
		ps = append(ps, &validate.Problem{Field: "library_id", Code: "eadmin.change.library_required"})
	}
	if offerID == 0 {
		ps = append(ps, &validate.Problem{Field: "offer_id", Code: "eadmin.change.offer_required"})
	}
	var e *enrolment.Enrolment
	var err error
	status := http.StatusUnprocessableEntity
	if len(ps) == 0 {
		e, err = a.svc.Answer(ctx, by, id, offerID, libraryID, in)
		switch {
		case errors.Is(err, enrolment.ErrWindowClosed):
			status, ps = http.StatusConflict, []*validate.Problem{{Field: "_form", Code: "enrolment.error.window_closed"}}
		case errors.Is(err, enrolment.ErrNotFound):
			ps = []*validate.Problem{{Field: "_form", Code: "eadmin.change.not_found"}}
		default:
			ps, _ = admProblems(err)
		}
	}
	if len(ps) > 0 {
		f.refuse(ps...)
		a.renderWindowAdmin(w, r, status, id, f)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lib, product := "", ""
	if l, err := a.members.Get(ctx, by, e.LibraryID); err == nil {
		lib = l.Name
	}
	if o, err := a.svc.GetOffer(ctx, by, e.OfferID); err == nil {
		product = o.Product.Name
	}
	a.redirect(w, r, "/windows/"+strconv.FormatInt(id, 10)+"/admin#progress", a.app.T(r, "eadmin.change.saved",
		map[string]any{"Library": lib, "Product": product, "Answer": a.app.T(r, "enrolment.answers."+e.Answer, nil)}))
}

// windowReport sends the report's rows, one per library and offer, as a
// spreadsheet named after the window.
func (a *adminPages) windowReport(w http.ResponseWriter, r *http.Request) {
	ctx, by, id := r.Context(), web.ActorOf(r), pathID(r, "id")
	win, err := a.svc.GetWindow(ctx, by, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := a.svc.WindowReportXLSX(ctx, by, id, &buf); err != nil {
		a.fail(w, r, err)
		return
	}
	name := admFileName(win.Name, "window-"+strconv.FormatInt(id, 10)) + ".xlsx"
	w.Header().Set("Content-Type", admXLSXType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
}

// admFileName makes a file name of a title: letters and digits kept
// (Nordic letters spelled out in ASCII), the rest as single dashes.
func admFileName(title, fallback string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		s := map[rune]string{'æ': "ae", 'ø': "o", 'å': "a", 'ä': "a", 'ö': "o", 'é': "e", 'ü': "u"}[c]
		switch {
		case s != "":
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			s = string(c)
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}
