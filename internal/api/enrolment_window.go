package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/enrolment"
)

// windowView is a window with where it stands today (Europe/Oslo).
type windowView struct {
	Window   enrolment.Window `json:"window"`
	Status   string           `json:"status" enum:"upcoming,open,closed"`
	Days     int              `json:"days" doc:"Length in days, the opening and closing days both counted"`
	OfferIDs []int64          `json:"offer_ids,omitempty" doc:"The window's offers (on a single window only)"`
}

func viewWindow(d Deps, w enrolment.Window) windowView {
	return windowView{Window: w, Status: w.Status(enrolmentNow(d)), Days: w.Days()}
}

type windowsOutput struct{ Body []windowView }
type windowOutput struct{ Body windowView }
type windowCreateInput struct{ Body enrolment.WindowInput }
type windowUpdateInput struct {
	ID   int64 `path:"id"`
	Body enrolment.WindowInput
}
type windowSaved struct {
	Body struct {
		Window   windowView `json:"window"`
		Warnings []Warning  `json:"warnings"`
	}
}
type progressOutput struct{ Body []enrolment.LibraryProgress }
type reportOutput struct{ Body *enrolment.Report }

type libraryAnswersInput struct {
	ID        int64 `path:"id" doc:"The window"`
	LibraryID int64 `path:"libraryID"`
}
type libraryAnswersOutput struct{ Body []enrolment.OfferAnswer }
type answerInput struct {
	ID        int64 `path:"id" doc:"The window"`
	LibraryID int64 `path:"libraryID"`
	OfferID   int64 `path:"offerID"`
	Body      enrolment.AnswerInput
}
type answerOutput struct{ Body *enrolment.Enrolment }

// xlsxType is the media type of a spreadsheet.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func registerWindows(api huma.API, d Deps) {
	tags := []string{"Enrolment"}
	svc := d.Enrolment
	saved := func(ctx context.Context, w *enrolment.Window, warns []Warning) (*windowSaved, error) {
		out := &windowSaved{}
		out.Body.Window, out.Body.Warnings = viewWindow(d, *w), warns
		os, err := svc.WindowOffers(ctx, actor(ctx), w.ID)
		if err != nil {
			return nil, failEnrolment(ctx, d, err)
		}
		out.Body.Window.OfferIDs = offerIDs(os)
		return out, nil
	}
	huma.Register(api, huma.Operation{OperationID: "list-windows", Method: http.MethodGet, Path: "/windows",
		Summary: "List enrolment windows, the latest opening first", Description: "For everyone but vendor contacts.", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*windowsOutput, error) {
			ws, err := svc.Windows(ctx, actor(ctx))
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			out := &windowsOutput{Body: make([]windowView, 0, len(ws))}
			for _, w := range ws {
				out.Body = append(out.Body, viewWindow(d, w))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-window", Method: http.MethodPost, Path: "/windows",
		Summary: "Add an enrolment window with its offers (consortium)",
		Description: "Libraries answer from `opens_on` to `closes_on`, both days included, in Europe/Oslo. " +
			"A window longer than four weeks is saved with a warning. A window that is open already opens at once (renewals, mail).",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *windowCreateInput) (*windowSaved, error) {
			w, warns, err := svc.CreateWindow(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return saved(ctx, w, warnings(ctx, d, warns))
		})
	huma.Register(api, huma.Operation{OperationID: "get-window", Method: http.MethodGet, Path: "/windows/{id}",
		Summary: "Get an enrolment window with its status and offer ids", Tags: tags},
		func(ctx context.Context, in *idInput) (*windowOutput, error) {
			w, err := svc.GetWindow(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			os, err := svc.WindowOffers(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			out := &windowOutput{Body: viewWindow(d, *w)}
			out.Body.OfferIDs = offerIDs(os)
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-window", Method: http.MethodPut, Path: "/windows/{id}",
		Summary:     "Replace a window's fields (consortium)",
		Description: "The opening day and the offers can change only until the window opens; the name, closing day and reminder at any time.", Tags: tags},
		func(ctx context.Context, in *windowUpdateInput) (*windowSaved, error) {
			w, warns, err := svc.UpdateWindow(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return saved(ctx, w, warnings(ctx, d, warns))
		})
	huma.Register(api, huma.Operation{OperationID: "list-window-offers", Method: http.MethodGet, Path: "/windows/{id}/offers",
		Summary: "A window's offers, with product and agreement, by product name", Tags: tags},
		func(ctx context.Context, in *idInput) (*offersOutput, error) {
			os, err := svc.WindowOffers(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &offersOutput{Body: nonNil(os)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "window-progress", Method: http.MethodGet, Path: "/windows/{id}/progress",
		Summary:     "Per invited library, its step in each offer: invited → answered → terms_accepted → active",
		Description: "All libraries for the consortium, a county's for a county contact, its own for a library contact.", Tags: tags},
		func(ctx context.Context, in *idInput) (*progressOutput, error) {
			ps, err := svc.WindowProgress(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &progressOutput{Body: nonNil(ps)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "window-report", Method: http.MethodGet, Path: "/windows/{id}/report",
		Summary: "Counts and reasons per offer, and a row per library and offer (consortium)", Tags: tags},
		func(ctx context.Context, in *idInput) (*reportOutput, error) {
			r, err := svc.WindowReport(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			r.Offers, r.Rows = nonNil(r.Offers), nonNil(r.Rows)
			return &reportOutput{Body: r}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "window-report-xlsx", Method: http.MethodGet, Path: "/windows/{id}/report.xlsx",
		Summary: "The window report's rows as a spreadsheet (consortium)", Tags: tags},
		func(ctx context.Context, in *idInput) (*documentOutput, error) {
			var buf bytes.Buffer
			if err := svc.WindowReportXLSX(ctx, actor(ctx), in.ID, &buf); err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			name := fmt.Sprintf("enrolment-window-%d.xlsx", in.ID)
			return &documentOutput{ContentType: xlsxType, ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}), Body: buf.Bytes()}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "library-answers", Method: http.MethodGet, Path: "/windows/{id}/libraries/{libraryID}/answers",
		Summary: "The offers of a window a library is invited to, with its answers", Tags: tags},
		func(ctx context.Context, in *libraryAnswersInput) (*libraryAnswersOutput, error) {
			as, err := svc.LibraryAnswers(ctx, actor(ctx), in.ID, in.LibraryID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &libraryAnswersOutput{Body: nonNil(as)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "answer-offer", Method: http.MethodPut, Path: "/windows/{id}/libraries/{libraryID}/offers/{offerID}/answer",
		Summary: "Answer an offer for a library: yes, or no with a reason",
		Description: "While the window is open a library contact answers for its library and a county contact for its county's libraries, " +
			"and may change the answer until the window closes (after that: 409). A consortium admin may answer at any time after opening, " +
			"but only with a `change_reason`, which the audit log keeps. A no needs a `reason` (price, low_use, no_need, budget_not_decided, other + `reason_text`).",
		Tags: tags},
		func(ctx context.Context, in *answerInput) (*answerOutput, error) {
			e, err := svc.Answer(ctx, actor(ctx), in.ID, in.OfferID, in.LibraryID, in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &answerOutput{Body: e}, nil
		})
}

func offerIDs(os []enrolment.OfferDetail) []int64 {
	ids := make([]int64, 0, len(os))
	for _, o := range os {
		ids = append(ids, o.Offer.ID)
	}
	return ids
}
