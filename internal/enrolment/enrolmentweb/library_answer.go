package enrolmentweb

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/validate"
	"github.com/samla-org/samla/internal/web"
)

// answer records one answer to one offer. Through htmx it answers with the
// offer's block, updated in place (with the receipt, or the errors beside
// the fields, always 200 so htmx swaps it); without JavaScript it redirects
// back to the window with the receipt as a flash, or shows the page again
// with the errors (422) or the closed window (409).
func (lp *libraryPages) answer(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	ctx, by := r.Context(), web.ActorOf(r)
	windowID, offerID, libraryID := pathID(r, "id"), libFormID(r, "offer_id"), libFormID(r, "library_id")
	in := enrolment.AnswerInput{Answer: r.PostFormValue("answer"), Reason: r.PostFormValue("reason"),
		ReasonText: r.PostFormValue("reason_text"), ChangeReason: r.PostFormValue("change_reason")}
	e, err := lp.svc.Answer(ctx, by, windowID, offerID, libraryID, in)
	status := http.StatusOK
	var ve *enrolment.ValidationError
	var refused func(*libOfferRow)
	switch {
	case errors.As(err, &ve):
		status = http.StatusUnprocessableEntity
		refused = func(row *libOfferRow) {
			row.Errors = map[string][]*validate.Problem{}
			for _, p := range ve.Problems {
				row.Errors[p.Field] = append(row.Errors[p.Field], p)
			}
		}
	case errors.Is(err, enrolment.ErrWindowClosed):
		status = http.StatusConflict
		refused = func(row *libOfferRow) { row.Alert = lp.app.T(r, "enrolment.error.window_closed", nil) }
	case err != nil:
		lp.fail(w, r, err)
		return
	}
	d, err := lp.loadWindow(r, windowID, libraryID)
	if err != nil {
		lp.fail(w, r, err)
		return
	}
	key := strconv.FormatInt(offerID, 10)
	row := d.Rows[key]
	if row == nil { // answered, but no longer among the library's offers
		lp.fail(w, r, enrolment.ErrNotFound)
		return
	}
	if refused != nil {
		refused(row)
		row.Values = map[string]string{"answer": in.Answer, "reason": in.Reason, "reason_text": in.ReasonText, "change_reason": in.ChangeReason}
	} else {
		msg := "elib.answer.saved_no"
		if e.Answer == enrolment.AnswerYes {
			msg = "elib.answer.saved_yes"
		}
		row.Receipt = lp.app.T(r, msg, map[string]any{"Library": d.Library.Name, "Product": row.Product.Name, "Window": d.Window.Name})
	}
	if r.Header.Get("HX-Request") == "true" {
		lp.renderFragment(w, r, "elib-offer", http.StatusOK, map[string]any{"Page": lp.fragmentPage(r, d), "Field": key})
		return
	}
	if refused != nil {
		lp.renderWindow(w, r, status, d)
		return
	}
	lp.app.Flash(r, row.Receipt)
	http.Redirect(w, r, fmt.Sprintf("/windows/%d?library=%d#offer-%d", windowID, libraryID, offerID), http.StatusSeeOther)
}
