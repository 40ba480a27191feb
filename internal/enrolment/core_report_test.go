package enrolment_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/tabular"
)

func TestCoreWindowReportAndProgress(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("Vendor")
	pr := e.product(v.ID, "PressReader", "public", false)
	lov := e.product(v.ID, "Lovdata", "", true) // needs its terms accepted by each library
	a := e.agreement(v.ID, "2027", "2027-01-01", "2027-12-31")
	opr := e.offer(a.ID, pr.ID, 1000, false, nil)
	olov := e.offer(a.ID, lov.ID, 1000, false, nil)
	ask, askC := e.library("Asker bibliotek", "public", "3203")
	bod, bodC := e.library("Bodø bibliotek", "public", "1804")
	ber, berC := e.library("Bergen bibliotek", "public", "4601")
	e.library("Drammen bibliotek", "public", "3301")
	vgs, vgsC := e.library("Hamar katedralskole", "upper_secondary", "3403")
	e.at("2026-10-20T10:00:00Z")
	w := e.window("Høst", "2026-10-16", "2026-11-12", opr.ID, olov.ID)

	must := func(by auth.Actor, offer, lib int64, in enrolment.AnswerInput) {
		t.Helper()
		if _, err := e.svc.Answer(e.ctx, by, w.ID, offer, lib, in); err != nil {
			t.Fatal(err)
		}
	}
	must(askC, opr.ID, ask.ID, coreYes())
	must(askC, olov.ID, ask.ID, coreYes())
	must(bodC, opr.ID, bod.ID, coreNo(enrolment.ReasonPrice))
	must(berC, opr.ID, ber.ID, enrolment.AnswerInput{Answer: "no", Reason: "other", ReasonText: "Bruker en annen tjeneste"})
	must(berC, olov.ID, ber.ID, coreNo(enrolment.ReasonPrice))
	must(vgsC, olov.ID, vgs.ID, coreNo(enrolment.ReasonNoBudget))

	r, err := e.svc.WindowReport(e.ctx, e.admin, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Offers) != 2 || r.Offers[0].Product.Name != "Lovdata" {
		t.Fatalf("report offers %+v", r.Offers)
	}
	count := func(or enrolment.OfferReport) string {
		var rs []string
		for _, rc := range or.Reasons {
			if rc.Count > 0 {
				rs = append(rs, fmt.Sprintf("%s=%d", rc.Reason, rc.Count))
			}
		}
		return fmt.Sprintf("invited=%d yes=%d no=%d open=%d %s %q", or.Invited, or.Yes, or.No, or.NotAnswered, strings.Join(rs, ","), or.OtherTexts)
	}
	// Lovdata has no target groups: all five are invited; PressReader is for
	// public libraries only, so the school library is not.
	if got, want := count(r.Offers[0]), `invited=5 yes=1 no=2 open=2 price=1,budget_not_decided=1 []`; got != want {
		t.Errorf("Lovdata: %s, want %s", got, want)
	}
	if got, want := count(r.Offers[1]), `invited=4 yes=1 no=2 open=1 price=1,other=1 ["Bruker en annen tjeneste"]`; got != want {
		t.Errorf("PressReader: %s, want %s", got, want)
	}
	if len(r.Rows) != 9 || r.Rows[0].LibraryName != "Asker bibliotek" || r.Rows[0].County == "" || r.Rows[0].AnsweredBy != "Kontakt Asker bibliotek" {
		t.Errorf("report rows: %d, first %+v", len(r.Rows), r.Rows[0])
	}
	if _, err := e.svc.WindowReport(e.ctx, askC, w.ID); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("library contact read the report: %v", err)
	}

	var buf bytes.Buffer
	if err := e.svc.WindowReportXLSX(e.ctx, e.staff, w.ID, &buf); err != nil {
		t.Fatal(err)
	}
	tab, err := tabular.ReadXLSX("report.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Header, enrolment.ReportHeader) || len(tab.Rows) != 9 {
		t.Fatalf("xlsx: header %v, %d rows", tab.Header, len(tab.Rows))
	}
	if row := tab.Rows[3].Cells; row[0] != "Bergen bibliotek" || row[2] != "PressReader" || row[5] != "other" || row[6] != "Bruker en annen tjeneste" {
		t.Errorf("xlsx row %v", row)
	}

	// Progress: Asker said yes to both; Lovdata waits for its terms.
	prog, err := e.svc.WindowProgress(e.ctx, e.admin, w.ID)
	if err != nil || len(prog) != 5 {
		t.Fatalf("progress: %d, %v", len(prog), err)
	}
	steps := func(lp enrolment.LibraryProgress) string {
		var out []string
		for _, op := range lp.Offers {
			out = append(out, op.ProductName+":"+op.Step)
		}
		return strings.Join(out, " ")
	}
	if got := steps(prog[0]); got != "Lovdata:answered PressReader:active" || prog[0].Offers[0].State != enrolment.StatePendingTerms {
		t.Errorf("Asker: %s %+v", got, prog[0].Offers)
	}
	if got := steps(prog[3]); got != "Lovdata:invited PressReader:invited" {
		t.Errorf("Drammen: %s", got)
	}
	if got := steps(prog[4]); got != "Lovdata:answered" {
		t.Errorf("Hamar: %s", got)
	}
	county := e.user("fylke@vlfk.test", "Vestland", auth.NewUser{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "46"})
	if prog, err := e.svc.WindowProgress(e.ctx, county, w.ID); err != nil || len(prog) != 1 || prog[0].LibraryName != "Bergen bibliotek" {
		t.Errorf("county contact's progress: %+v, %v", prog, err)
	}
	if _, err := e.svc.WindowProgress(e.ctx, auth.Actor{Role: auth.RoleVendor, VendorID: v.ID}, w.ID); !errors.Is(err, enrolment.ErrForbidden) {
		t.Errorf("vendor read progress: %v", err)
	}
}

func TestCoreWindowMailOncePerKey(t *testing.T) {
	e := newCoreEnv(t)
	v := e.vendor("Vendor")
	a := e.agreement(v.ID, "2027", "2027-01-01", "2027-12-31")
	o1 := e.offer(a.ID, e.product(v.ID, "PressReader", "", false).ID, 1000, false, nil)
	o2 := e.offer(a.ID, e.product(v.ID, "Lovdata", "", false).ID, 1000, false, nil)
	ask, askC := e.library("Asker bibliotek", "public", "3203")
	bod, _ := e.library("Bodø bibliotek", "public", "1804")
	w := e.window("Høst", "2026-10-16", "2026-11-12", o1.ID, o2.ID)

	tick := func(at string) {
		t.Helper()
		e.at(at)
		for range 2 {
			if err := e.svc.Tick(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	tick("2026-10-15T12:00:00Z")
	if ms := e.mails(); len(ms) != 0 {
		t.Fatalf("mail before the window opened: %+v", ms)
	}
	tick("2026-10-16T06:00:00Z")
	want := []string{fmt.Sprintf("window-open:%d:%d asker.bibliotek@bibliotek.test", w.ID, ask.ID),
		fmt.Sprintf("window-open:%d:%d bodø.bibliotek@bibliotek.test", w.ID, bod.ID)}
	if got := e.mailKeys(enrolment.MailWindowOpen); !slices.Equal(got, want) {
		t.Errorf("opening notices %v, want %v", got, want)
	}
	// Asker answers both offers; the receipt goes to its primary contact
	// (who answered). An admin answering for Bodø sends two: one to Bodø,
	// one to the admin.
	en, err := e.svc.Answer(e.ctx, askC, w.ID, o1.ID, ask.ID, coreYes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Answer(e.ctx, askC, w.ID, o2.ID, ask.ID, coreNo(enrolment.ReasonNoNeed)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Answer(e.ctx, e.admin, w.ID, o1.ID, bod.ID, enrolment.AnswerInput{Answer: "yes", ChangeReason: "phone"}); err != nil {
		t.Fatal(err)
	}
	receipts := e.mailKeys(enrolment.MailReceipt)
	wantKey := fmt.Sprintf("receipt:%d:%d asker.bibliotek@bibliotek.test", en.ID, en.AnsweredAt.UnixNano())
	toAdmin := slices.ContainsFunc(receipts, func(k string) bool { return strings.HasSuffix(k, ":answerer admin@samla.test") })
	if len(receipts) != 4 || !slices.Contains(receipts, wantKey) || !toAdmin {
		t.Errorf("receipts %v (want %s)", receipts, wantKey)
	}
	// The reminder goes seven days before closing, to Bodø only (it has not
	// answered Lovdata), once.
	tick("2026-11-04T12:00:00Z")
	if got := e.mailKeys(enrolment.MailWindowReminder); len(got) != 0 {
		t.Errorf("reminder too early: %v", got)
	}
	tick("2026-11-05T06:00:00Z")
	tick("2026-11-06T06:00:00Z")
	want = []string{fmt.Sprintf("window-reminder:%d:%d bodø.bibliotek@bibliotek.test", w.ID, bod.ID)}
	if got := e.mailKeys(enrolment.MailWindowReminder); !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	for _, m := range e.mails() {
		if m.Kind == enrolment.MailWindowReminder && (!strings.Contains(m.Body, "- Lovdata") || strings.Contains(m.Body, "PressReader")) {
			t.Errorf("reminder lists the wrong offers:\n%s", m.Body)
		}
	}
	if got := len(e.mails()); got != 7 {
		t.Errorf("%d mails in all, want 7: %v", got, e.mailKeys(""))
	}
}
