package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/rates"
)

// rateView is a stored exchange rate: home currency (NOK) per one unit of
// currency, as a decimal string.
type rateView struct {
	ID        int64         `json:"id"`
	Currency  string        `json:"currency"`
	Date      calendar.Date `json:"date" doc:"The day the rate became known; averages are dated their period's last day"`
	Rate      string        `json:"rate" doc:"NOK per one unit, six decimals: \"11.672500\""`
	Frequency string        `json:"frequency" enum:"B,D,M,A" doc:"B business day, D day (ECB, manual), M monthly average, A annual average"`
	Source    string        `json:"source" enum:"manual,norges-bank,ecb"`
	SourceRef string        `json:"source_ref" doc:"The file's name, or a manual rate's note"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
}

func viewRate(r rates.ExchangeRate) rateView {
	return rateView{ID: r.ID, Currency: r.Currency, Date: r.Date, Rate: r.Rate.String(), Frequency: r.Frequency, Source: r.Source,
		SourceRef: r.SourceRef, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

type rateListInput struct {
	Currency string        `query:"currency" doc:"Only this currency"`
	Source   string        `query:"source" enum:"manual,norges-bank,ecb," doc:"Only this source"`
	From     calendar.Date `query:"from" doc:"Dated on or after"`
	To       calendar.Date `query:"to" doc:"Dated on or before"`
	Limit    int           `query:"limit" minimum:"0" maximum:"5000" doc:"At most this many, default 200"`
}
type ratesOutput struct{ Body []rateView }
type rateOutput struct{ Body rateView }
type rateLookupInput struct {
	Currency string        `query:"currency" required:"true"`
	Date     calendar.Date `query:"date" doc:"Default today"`
}
type quoteView struct {
	Currency  string        `json:"currency"`
	Date      calendar.Date `json:"date" doc:"The day the rate found is dated, on or before the day asked for"`
	Rate      string        `json:"rate"`
	Frequency string        `json:"frequency,omitempty"`
	Source    string        `json:"source,omitempty" doc:"Empty for the home currency"`
	SourceRef string        `json:"source_ref,omitempty"`
}
type quoteOutput struct{ Body quoteView }
type manualRateInput struct {
	Body struct {
		Currency string        `json:"currency"`
		Date     calendar.Date `json:"date" doc:"2025-05-09 or 09.05.2025"`
		Rate     string        `json:"rate" doc:"NOK per one unit, a decimal string with a point or a comma: \"11.6725\""`
		Note     string        `json:"note" doc:"Where the rate comes from"`
	}
}
type rateImportInput struct {
	Filename string `query:"filename" doc:"The file's name as downloaded; the format is detected from name and content" default:"rates"`
	RawBody  []byte `contentType:"application/octet-stream"`
}
type rateImportOutput struct{ Body *rates.ImportResult }

func registerExchangeRates(api huma.API, d Deps) {
	tags := []string{"Exchange rates"}
	svc := d.Rates
	// The rates service leaves reading to its callers; the rates are the
	// consortium's working data, as on the web page.
	consortium := func(ctx context.Context) error {
		if !actor(ctx).IsConsortium() {
			return billingFail(ctx, d, rates.ErrForbidden, nil, "")
		}
		return nil
	}
	huma.Register(api, huma.Operation{OperationID: "list-exchange-rates", Method: http.MethodGet, Path: "/exchange-rates",
		Summary:     "Stored exchange rates, newest first (consortium)",
		Description: "On one date by currency, then in the order a lookup prefers the sources: manual, Norges Bank, ECB.", Tags: tags},
		func(ctx context.Context, in *rateListInput) (*ratesOutput, error) {
			if err := consortium(ctx); err != nil {
				return nil, err
			}
			rs, err := svc.List(ctx, rates.ListFilter{Currency: in.Currency, Source: in.Source, From: normDate(in.From), To: normDate(in.To), Limit: in.Limit})
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			out := &ratesOutput{Body: make([]rateView, 0, len(rs))}
			for _, r := range rs {
				out.Body = append(out.Body, viewRate(r))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "lookup-exchange-rate", Method: http.MethodGet, Path: "/exchange-rates/lookup",
		Summary:     "The rate an invoice run would use for a currency on a day (consortium)",
		Description: "The latest rate dated on or before the day; none gives 422.", Tags: tags},
		func(ctx context.Context, in *rateLookupInput) (*quoteOutput, error) {
			if err := consortium(ctx); err != nil {
				return nil, err
			}
			day := calendar.Today(time.Now())
			if in.Date != "" {
				var err error
				if day, err = calendar.Parse(strings.TrimSpace(string(in.Date))); err != nil {
					return nil, huma.Error422UnprocessableEntity(translated(ctx, d, "error.validation", nil),
						&huma.ErrorDetail{Location: "query.date", Message: rates.CodeManualDate + ": " + translated(ctx, d, rates.CodeManualDate, nil), Value: in.Date})
				}
			}
			q, err := svc.Lookup(ctx, in.Currency, day)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return &quoteOutput{Body: quoteView{Currency: q.Currency, Date: q.Date, Rate: q.Rate.String(), Frequency: q.Frequency,
				Source: q.Source, SourceRef: q.SourceRef}}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "add-manual-exchange-rate", Method: http.MethodPost, Path: "/exchange-rates",
		Summary: "Enter a rate by hand (consortium)",
		Description: "E.g. the rate a vendor's invoice was settled at. On its date it goes before the banks' rates. " +
			"A second manual rate for the same currency and date is refused (422): delete the first.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *manualRateInput) (*rateOutput, error) {
			b := in.Body
			r, err := svc.AddManual(ctx, actor(ctx), b.Currency, b.Date, b.Rate, b.Note)
			if err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return &rateOutput{Body: viewRate(*r)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-manual-exchange-rate", Method: http.MethodDelete, Path: "/exchange-rates/{id}",
		Summary: "Delete a manual rate (consortium)", Description: "The banks' rates are what was published and cannot be deleted (404).",
		DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := svc.DeleteManual(ctx, actor(ctx), in.ID); err != nil {
				return nil, billingFail(ctx, d, err, nil, "")
			}
			return nil, nil
		})
	huma.Register(api, huma.Operation{OperationID: "import-exchange-rates", Method: http.MethodPost, Path: "/exchange-rates/import",
		Summary: "Import a central bank's rates file (consortium)",
		Description: "Send the file as the request body (any content type, e.g. `curl --data-binary @file.csv`) and its name in " +
			"`filename`. Read: a Norges Bank data-warehouse export (EXR, CSV, Norwegian or English) and the ECB's reference rates " +
			"(eurofxref XML, CSV or the ZIP they come in). All or nothing: a file that cannot be read is refused with 422 and " +
			"each problem with its line (`file.line[3].OBS_VALUE`); a rate that differs from one stored for the same day and " +
			"source refuses the file with 409 listing each difference.",
		MaxBodyBytes: rates.MaxFileSize + 1<<20, Tags: tags},
		func(ctx context.Context, in *rateImportInput) (*rateImportOutput, error) {
			res, err := svc.Import(ctx, actor(ctx), in.Filename, in.RawBody)
			if err != nil {
				return nil, importFail(ctx, d, err)
			}
			return &rateImportOutput{Body: res}, nil
		})
}

// importFail lists a refused file's problems or conflicts, each translated,
// with where in the file it is.
func importFail(ctx context.Context, d Deps, err error) error {
	l := lang(ctx)
	var fe *rates.FileError
	var ce *rates.ConflictError
	switch {
	case errors.As(err, &fe):
		details := make([]error, 0, len(fe.Problems)+1)
		for _, p := range fe.Problems {
			details = append(details, &huma.ErrorDetail{Message: p.Code + ": " + d.Catalog.T(l, p.Code, p.Data()),
				Location: fileLocation(p.Line, p.Field), Value: p.Value})
		}
		if fe.More > 0 {
			details = append(details, &huma.ErrorDetail{Message: d.Catalog.T(l, "rates.import.more", map[string]any{"More": fe.More})})
		}
		return huma.Error422UnprocessableEntity(d.Catalog.T(l, "rates.import.failed", map[string]any{"File": fe.Name}), details...)
	case errors.As(err, &ce):
		details := make([]error, 0, len(ce.Conflicts))
		for i, c := range ce.Conflicts {
			if i == rates.MaxProblems {
				details = append(details, &huma.ErrorDetail{Message: d.Catalog.T(l, "rates.import.more", map[string]any{"More": len(ce.Conflicts) - i})})
				break
			}
			data := c.Data()
			data["Source"] = d.Catalog.T(l, "rates.source."+c.Source, nil)
			data["Stored"], data["InFile"] = c.Stored.Text(l), c.InFile.Text(l)
			details = append(details, &huma.ErrorDetail{Message: rates.CodeConflict + ": " + d.Catalog.T(l, rates.CodeConflict, data),
				Location: fileLocation(c.Line, ""), Value: c.InFile.String()})
		}
		return huma.Error409Conflict(d.Catalog.T(l, "rates.import.failed", map[string]any{"File": ce.Name})+" "+
			d.Catalog.T(l, "rates.import.conflicts", nil), details...)
	}
	return billingFail(ctx, d, err, nil, "")
}

// fileLocation names where in an uploaded file a problem is:
// file.line[3].OBS_VALUE; a problem of the whole file is "file".
func fileLocation(line int, field string) string {
	loc := "file"
	if line > 0 {
		loc += fmt.Sprintf(".line[%d]", line)
	}
	if field != "" {
		loc += "." + field
	}
	return loc
}
