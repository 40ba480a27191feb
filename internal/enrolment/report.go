package enrolment

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/tabular"
)

// Steps of a library's progress in an offer: invited → answered → terms
// accepted → active. A "no" ends at answered. Terms accepted means nothing
// but a data processing agreement is missing (or the product needs no
// acceptance); active means nothing is missing, whether the period has
// begun (active) or not yet (upcoming).
const (
	StepInvited       = "invited"
	StepAnswered      = "answered"
	StepTermsAccepted = "terms_accepted"
	StepActive        = "active"
)

// Steps in order.
var Steps = []string{StepInvited, StepAnswered, StepTermsAccepted, StepActive}

// OfferProgress is where one library stands in one offer.
type OfferProgress struct {
	OfferID     int64  `json:"offer_id"`
	ProductID   int64  `json:"product_id"`
	ProductName string `json:"product_name"`
	Answer      string `json:"answer,omitempty"` // "" until answered
	Source      string `json:"source,omitempty"`
	State       string `json:"state,omitempty"` // the subscription's state after a yes
	Step        string `json:"step"`
}

// LibraryProgress is one library's line on a window's page.
type LibraryProgress struct {
	LibraryID    int64           `json:"library_id"`
	LibraryName  string          `json:"library_name"`
	Country      string          `json:"country"`
	CountyNumber string          `json:"county_number"`
	Offers       []OfferProgress `json:"offers"`
}

// ReasonCount is how many libraries gave one reason for a no.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// OfferReport sums up the answers to one offer.
type OfferReport struct {
	OfferDetail
	Invited     int           `json:"invited"`
	Yes         int           `json:"yes"`
	Renewed     int           `json:"renewed"` // of Yes: by renewal, not answered actively
	No          int           `json:"no"`
	NotAnswered int           `json:"not_answered"`
	Reasons     []ReasonCount `json:"reasons"`     // every reason, in the order of Reasons
	OtherTexts  []string      `json:"other_texts"` // the texts given with "other"
}

// ReportRow is one library's answer (or none) to one offer.
type ReportRow struct {
	LibraryID   int64      `json:"library_id"`
	LibraryName string     `json:"library_name"`
	County      string     `json:"county"`
	OfferID     int64      `json:"offer_id"`
	ProductName string     `json:"product_name"`
	Agreement   string     `json:"agreement"`
	Answer      string     `json:"answer,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	ReasonText  string     `json:"reason_text,omitempty"`
	Source      string     `json:"source,omitempty"`
	AnsweredBy  string     `json:"answered_by,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
}

// Report is the consortium's view of a window: counts and reasons per
// offer (to negotiate with next year) and a row per library and offer.
type Report struct {
	Window Window        `json:"window"`
	Offers []OfferReport `json:"offers"`
	Rows   []ReportRow   `json:"rows"`
}

// WindowProgress gives, per invited library, its step in each offer it is
// invited to: all libraries for the consortium, its county's for a county
// contact, its own for a library contact.
func (s *Service) WindowProgress(ctx context.Context, by auth.Actor, windowID int64) ([]LibraryProgress, error) {
	w, err := s.GetWindow(ctx, by, windowID)
	if err != nil {
		return nil, err
	}
	pl, err := loadPlan(ctx, s.DB, w)
	if err != nil {
		return nil, err
	}
	var out []LibraryProgress
	for _, l := range pl.libs {
		if !by.ActsFor(l.ID, l.Country, l.CountyNumber) {
			continue
		}
		lp := LibraryProgress{LibraryID: l.ID, LibraryName: l.Name, Country: l.Country, CountyNumber: l.CountyNumber}
		for _, od := range pl.libraryOffers(l.ID) {
			op := OfferProgress{OfferID: od.Offer.ID, ProductID: od.Product.ID, ProductName: od.Product.Name, Step: StepInvited}
			if e := pl.answer(od.Offer.ID, l.ID); e != nil {
				op.Answer, op.Source, op.Step = e.Answer, e.Source, StepAnswered
				if e.Answer == AnswerYes {
					if op.State, op.Step, err = s.yesProgress(ctx, l.ID, od.Offer.ID); err != nil {
						return nil, err
					}
				}
			}
			lp.Offers = append(lp.Offers, op)
		}
		out = append(out, lp)
	}
	return out, nil
}

// yesProgress finds the state of the subscription a yes gave, and the step
// it means.
func (s *Service) yesProgress(ctx context.Context, libraryID, offerID int64) (string, string, error) {
	sub, err := subscriptionFor(ctx, s.DB, libraryID, offerID)
	if err != nil || sub == nil {
		return "", StepAnswered, err
	}
	st, err := s.SubscriptionState(ctx, s.DB, *sub)
	if err != nil {
		return "", "", err
	}
	switch st {
	case StatePendingTerms:
		return st, StepAnswered, nil
	case StatePendingAgreement:
		return st, StepTermsAccepted, nil
	}
	return st, StepActive, nil
}

// WindowReport sums up a window for the consortium (admins and staff).
func (s *Service) WindowReport(ctx context.Context, by auth.Actor, windowID int64) (*Report, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	w, err := getWindow(ctx, s.DB, windowID)
	if err != nil {
		return nil, err
	}
	pl, err := loadPlan(ctx, s.DB, w)
	if err != nil {
		return nil, err
	}
	r := &Report{Window: *w}
	for _, od := range pl.offers {
		or := OfferReport{OfferDetail: od, OtherTexts: []string{}}
		tally := map[string]int{}
		for _, l := range pl.libs {
			if !pl.invited[od.Offer.ID][l.ID] {
				continue
			}
			or.Invited++
			row := ReportRow{LibraryID: l.ID, LibraryName: l.Name, County: countyName(l), OfferID: od.Offer.ID,
				ProductName: od.Product.Name, Agreement: od.Agreement.Name}
			switch e := pl.answer(od.Offer.ID, l.ID); {
			case e == nil:
				or.NotAnswered++
			case e.Answer == AnswerYes:
				or.Yes++
				if e.Source == SourceRenewal {
					or.Renewed++
				}
			default:
				or.No++
				tally[e.Reason]++
				if e.Reason == ReasonOther && e.ReasonText != "" {
					or.OtherTexts = append(or.OtherTexts, e.ReasonText)
				}
			}
			if e := pl.answer(od.Offer.ID, l.ID); e != nil {
				at := e.AnsweredAt
				row.Answer, row.Reason, row.ReasonText, row.Source, row.AnsweredBy, row.AnsweredAt =
					e.Answer, e.Reason, e.ReasonText, e.Source, e.AnsweredBy, &at
			}
			r.Rows = append(r.Rows, row)
		}
		for _, reason := range Reasons {
			or.Reasons = append(or.Reasons, ReasonCount{Reason: reason, Count: tally[reason]})
		}
		slices.Sort(or.OtherTexts)
		r.Offers = append(r.Offers, or)
	}
	// By library, and within a library in the offers' order (by product).
	slices.SortStableFunc(r.Rows, func(a, b ReportRow) int {
		if c := strings.Compare(a.LibraryName, b.LibraryName); c != 0 {
			return c
		}
		return cmp.Compare(a.LibraryID, b.LibraryID)
	})
	return r, nil
}

// ReportHeader is the header of the window report's spreadsheet.
var ReportHeader = []string{"library", "county", "product", "agreement", "answer", "reason", "reason_text", "source", "answered_by", "answered_at"}

// WindowReportXLSX writes the report's rows, one per library and offer,
// answered or not, as a spreadsheet (answered_at in Europe/Oslo).
func (s *Service) WindowReportXLSX(ctx context.Context, by auth.Actor, windowID int64, w io.Writer) error {
	r, err := s.WindowReport(ctx, by, windowID)
	if err != nil {
		return err
	}
	rows := make([][]string, 0, len(r.Rows))
	for _, x := range r.Rows {
		at := ""
		if x.AnsweredAt != nil {
			at = x.AnsweredAt.In(calendar.Zone).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{x.LibraryName, x.County, x.ProductName, x.Agreement, x.Answer, x.Reason,
			x.ReasonText, x.Source, x.AnsweredBy, at})
	}
	return tabular.WriteXLSX(w, "enrolment", ReportHeader, rows)
}

// countyName is the county's name, or its number when unknown.
func countyName(l members.Library) string {
	if l.CountyNumber == "" {
		return ""
	}
	if c, ok := refdata.FindCounty(l.Country, l.CountyNumber); ok {
		return c.Name
	}
	return l.CountyNumber
}
