package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/usage"
)

// maxReportBytes caps one uploaded COUNTER report.
const maxReportBytes = 256 << 20

func usageFail(ctx context.Context, d Deps, err error) error {
	var re *usage.ReportError
	switch {
	case errors.Is(err, usage.ErrNoKey):
		return huma.Error409Conflict(err.Error())
	case errors.As(err, &re):
		return huma.Error422UnprocessableEntity(re.Error())
	}
	var v *usage.ValidationError
	if errors.As(err, &v) || isAny(err, notFound) || isAny(err, forbidden) {
		return fail(ctx, d, err)
	}
	// A report that cannot be read: the parser says where and why.
	return huma.Error422UnprocessableEntity(err.Error())
}

type reportUploadInput struct {
	Library  int64  `query:"library" doc:"The library whose usage it is; 0 or absent finds it from the report's ISIL or Customer_ID"`
	Platform string `query:"platform" doc:"The platform, when the report does not name one (a report of exceptions only)"`
	Name     string `query:"name" doc:"The file's name, for the import log"`
	RawBody  []byte `contentType:"application/octet-stream" doc:"One COUNTER R5 or R5.1 report: JSON (a SUSHI response) or TSV/CSV"`
}

// usageImportView is what an import stored. (Its own types: the OpenAPI
// document already has an ImportResult and a Warning.)
type usageImportView struct {
	SourceID   int64             `json:"source_id"`
	Release    string            `json:"release"`
	ReportID   string            `json:"report_id"`
	LibraryID  int64             `json:"library_id"`
	Rows       int64             `json:"rows"`
	Batches    int               `json:"batches"`
	Months     []string          `json:"months"`
	Platforms  []string          `json:"platforms"`
	Totals     map[string]int64  `json:"totals"`
	Warnings   []reportWarning   `json:"warnings"`
	Exceptions []reportException `json:"exceptions"`
	NoUsage    bool              `json:"no_usage" doc:"The vendor reported no usage (3030 …): not the same as zero"`
}
type reportWarning struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}
type reportException struct {
	Code     int    `json:"code"`
	Severity string `json:"severity,omitempty"`
	Message  string `json:"message"`
	Data     string `json:"data,omitempty"`
}

func viewImport(r *usage.ImportResult) usageImportView {
	v := usageImportView{SourceID: r.SourceID, Release: r.Release, ReportID: r.ReportID, LibraryID: r.LibraryID, Rows: r.Rows, Batches: r.Batches,
		Months: r.Months, Platforms: r.Platforms, Totals: r.Totals, NoUsage: r.NoUsage, Warnings: []reportWarning{}, Exceptions: []reportException{}}
	for _, w := range r.Warnings {
		v.Warnings = append(v.Warnings, reportWarning{Line: w.Line, Field: w.Field, Message: w.Message})
	}
	for _, e := range r.Exceptions {
		v.Exceptions = append(v.Exceptions, reportException{Code: e.Code, Severity: e.Severity, Message: e.Message, Data: e.Data})
	}
	return v
}

type reportUploadOutput struct {
	Status int
	Body   usageImportView
}

type usageQueryInput struct {
	From     string `query:"from" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"First month, YYYY-MM"`
	To       string `query:"to" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"Last month, YYYY-MM"`
	Report   string `query:"report" doc:"PR (default), DR, TR or a standard view"`
	Metric   string `query:"metric" doc:"Default Total_Item_Requests"`
	By       string `query:"by" enum:"month,library,county,product,platform," doc:"Group rows by; default month"`
	Library  int64  `query:"library"`
	County   string `query:"county" doc:"Country and county number, e.g. NO-46"`
	Product  int64  `query:"product"`
	Platform int64  `query:"platform"`
}

func (in *usageQueryInput) query() usage.Query {
	return usage.Query{From: in.From, To: in.To, Report: in.Report, Metric: in.Metric, LibraryID: in.Library, County: in.County,
		ProductID: in.Product, PlatformID: in.Platform}
}

type usageTableOutput struct{ Body *usage.Table }
type topTitlesOutput struct{ Body []usage.TitleUse }
type costPerUseInput struct {
	Product int64  `path:"product"`
	Year    int    `query:"year" required:"true" minimum:"2000" maximum:"2100"`
	Metric  string `query:"metric"`
}
type costPerUseOutput struct{ Body []usage.CostUse }
type storyInput struct {
	Month string `path:"month" pattern:"^[0-9]{4}-[0-9]{2}$"`
}
type storyOutput struct{ Body *usage.Story }
type harvestPlanInput struct {
	Body struct {
		Month    string `json:"month" pattern:"^[0-9]{4}-[0-9]{2}$"`
		Endpoint int64  `json:"endpoint_id,omitempty" doc:"Only this endpoint; default all"`
		Again    bool   `json:"again,omitempty" doc:"Ask again for months already harvested (replaces exactly those months)"`
		Wait     bool   `json:"wait,omitempty" doc:"Run the due harvests now and answer when done"`
	}
}
type harvestPlanOutput struct {
	Body struct {
		Planned int `json:"planned"`
		Done    int `json:"done"`
	}
}
type harvestLogInput struct {
	Month string `query:"month"`
}
type harvestLogOutput struct{ Body []usage.HarvestEntry }
type endpointInput struct{ Body usage.EndpointInput }
type endpointOutput struct{ Body *usage.Endpoint }
type credentialInput struct{ Body usage.CredentialInput }
type credentialOutput struct{ Body *usage.Credential }
type mapPlatformInput struct {
	ID   int64 `path:"id"`
	Body struct {
		ProductID int64 `json:"product_id" doc:"0 unties the platform"`
	}
}
type platformsOutput struct{ Body []usage.Platform }

// registerUsage adds usage statistics: reports in, SUSHI harvesting, and
// the questions asked of the numbers.
func registerUsage(api huma.API, d Deps) {
	tags := []string{"Usage"}
	svc := d.Usage
	op := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	up := op("import-counter-report", http.MethodPost, "/usage/reports", "Import one COUNTER report (consortium)")
	up.DefaultStatus = http.StatusCreated
	up.MaxBodyBytes = maxReportBytes
	up.Description = "The body is the report file as it is. The batches it covers (report × library × platform × month) are replaced whole, in one transaction."
	huma.Register(api, up, func(ctx context.Context, in *reportUploadInput) (*reportUploadOutput, error) {
		keep := in.RawBody
		if len(keep) > usage.KeepLimit {
			keep = nil
		}
		res, err := svc.Import(ctx, actor(ctx), usage.ImportInput{LibraryID: in.Library, Platform: in.Platform, FileName: in.Name, Kind: "api", Keep: keep},
			bytes.NewReader(in.RawBody))
		if err != nil {
			return nil, usageFail(ctx, d, err)
		}
		return &reportUploadOutput{Status: http.StatusCreated, Body: viewImport(res)}, nil
	})
	huma.Register(api, op("usage-table", http.MethodGet, "/usage", "Usage month by month, grouped"),
		func(ctx context.Context, in *usageQueryInput) (*usageTableOutput, error) {
			t, err := svc.Usage(ctx, actor(ctx), in.query(), in.By)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &usageTableOutput{Body: t}, nil
		})
	huma.Register(api, op("usage-top-titles", http.MethodGet, "/usage/titles", "The most used titles"),
		func(ctx context.Context, in *usageQueryInput) (*topTitlesOutput, error) {
			ts, err := svc.TopTitles(ctx, actor(ctx), in.query(), 50)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &topTitlesOutput{Body: ts}, nil
		})
	huma.Register(api, op("usage-cost-per-use", http.MethodGet, "/usage/cost/{product}", "Cost per use of a product per library in a year"),
		func(ctx context.Context, in *costPerUseInput) (*costPerUseOutput, error) {
			cs, err := svc.CostPerUse(ctx, actor(ctx), in.Product, in.Year, in.Metric)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &costPerUseOutput{Body: cs}, nil
		})
	huma.Register(api, op("usage-story", http.MethodGet, "/usage/story/{month}", "The month's statistics story"),
		func(ctx context.Context, in *storyInput) (*storyOutput, error) {
			st, err := svc.MonthStory(ctx, actor(ctx), in.Month)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &storyOutput{Body: st}, nil
		})
	huma.Register(api, op("usage-platforms", http.MethodGet, "/usage/platforms", "Platforms and the products they belong to"),
		func(ctx context.Context, _ *struct{}) (*platformsOutput, error) {
			ps, err := svc.Platforms(ctx, actor(ctx))
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &platformsOutput{Body: ps}, nil
		})
	mp := op("usage-map-platform", http.MethodPut, "/usage/platforms/{id}/product", "Tie a platform to a product")
	mp.DefaultStatus = http.StatusNoContent
	huma.Register(api, mp, func(ctx context.Context, in *mapPlatformInput) (*struct{}, error) {
		if err := svc.MapPlatform(ctx, actor(ctx), in.ID, in.Body.ProductID); err != nil {
			return nil, usageFail(ctx, d, err)
		}
		return nil, nil
	})
	huma.Register(api, op("usage-sushi-endpoint", http.MethodPost, "/usage/sushi/endpoints", "Set a platform's SUSHI server"),
		func(ctx context.Context, in *endpointInput) (*endpointOutput, error) {
			e, err := svc.SaveEndpoint(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &endpointOutput{Body: e}, nil
		})
	huma.Register(api, op("usage-sushi-credential", http.MethodPost, "/usage/sushi/credentials", "Set a library's SUSHI credentials (stored encrypted, never returned)"),
		func(ctx context.Context, in *credentialInput) (*credentialOutput, error) {
			c, err := svc.SaveCredential(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &credentialOutput{Body: c}, nil
		})
	huma.Register(api, op("usage-harvest", http.MethodPost, "/usage/harvests", "Harvest a month now"),
		func(ctx context.Context, in *harvestPlanInput) (*harvestPlanOutput, error) {
			n, err := svc.PlanHarvest(ctx, actor(ctx), in.Body.Month, in.Body.Endpoint, in.Body.Again)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			out := &harvestPlanOutput{}
			out.Body.Planned = n
			if in.Body.Wait {
				if out.Body.Done, err = svc.RunHarvests(ctx, svc.SUSHI); err != nil {
					return nil, usageFail(ctx, d, err)
				}
			}
			return out, nil
		})
	huma.Register(api, op("usage-harvest-log", http.MethodGet, "/usage/harvests", "The harvest log"),
		func(ctx context.Context, in *harvestLogInput) (*harvestLogOutput, error) {
			hs, err := svc.HarvestLog(ctx, actor(ctx), in.Month)
			if err != nil {
				return nil, usageFail(ctx, d, err)
			}
			return &harvestLogOutput{Body: hs}, nil
		})
}
