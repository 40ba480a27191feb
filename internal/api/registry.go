package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/tabular"
)

type contactsOutput struct{ Body []members.LibraryContact }
type contactOutput struct{ Body *members.LibraryContact }
type contactInput struct {
	ID   int64 `path:"id"`
	Body members.ContactInput
}
type linkInput struct {
	ID     int64 `path:"id"`
	LinkID int64 `path:"linkID"`
}
type rangesOutput struct{ Body []members.IPRange }
type rangeOutput struct{ Body *members.IPRange }
type rangeInput struct {
	ID   int64 `path:"id"`
	Body members.IPInput
}
type sharedOutput struct{ Body []members.SharedAddress }

type importInput struct {
	DryRun   bool   `query:"dry_run" doc:"Check only: show what would happen and write nothing"`
	Filename string `query:"filename" doc:"File name, for messages and format detection (.csv or .xlsx)" default:"members.csv"`
	RawBody  []byte `contentType:"text/csv"`
}
type importOutput struct {
	Status int
	Body   *members.Plan
}

type exportInput struct {
	Format string `query:"format" enum:"csv,xlsx" default:"csv"`
}
type exportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type refInput struct {
	Country string `query:"country" enum:"NO,SE" default:"NO"`
	County  string `query:"county" doc:"Only municipalities of this county number"`
}

// countyWithPopulation adds the sum of the county's municipalities, the
// figure population-share cost keys are computed from.
type countyWithPopulation struct {
	refdata.County
	Population int `json:"population"`
}
type countiesOutput struct{ Body []countyWithPopulation }
type municipalitiesOutput struct{ Body []refdata.Municipality }

type meOutput struct {
	Body struct {
		UserID     int64   `json:"user_id"`
		Name       string  `json:"name"`
		Email      string  `json:"email"`
		Role       string  `json:"role"`
		LibraryIDs []int64 `json:"library_ids,omitempty"`
	}
}

func registerRegistry(api huma.API, d Deps) {
	tags := []string{"Contacts"}
	huma.Register(api, huma.Operation{OperationID: "list-contacts", Method: http.MethodGet, Path: "/libraries/{id}/contacts", Summary: "A library's contacts", Tags: tags},
		func(ctx context.Context, in *idInput) (*contactsOutput, error) {
			cs, err := d.Members.Contacts(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &contactsOutput{Body: cs}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "add-contact", Method: http.MethodPost, Path: "/libraries/{id}/contacts", Summary: "Add a contact (a new primary contact replaces the old one, who stays as other)", DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *contactInput) (*contactOutput, error) {
			c, err := d.Members.AddContact(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &contactOutput{Body: c}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "remove-contact", Method: http.MethodDelete, Path: "/libraries/{id}/contacts/{linkID}", Summary: "Remove a contact from a library", DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *linkInput) (*struct{}, error) {
			return nil, failIf(ctx, d, d.Members.RemoveContact(ctx, actor(ctx), in.ID, in.LinkID))
		})

	tags = []string{"IP ranges"}
	huma.Register(api, huma.Operation{OperationID: "list-ip-ranges", Method: http.MethodGet, Path: "/libraries/{id}/ip-ranges", Summary: "A library's IP ranges", Tags: tags},
		func(ctx context.Context, in *idInput) (*rangesOutput, error) {
			rs, err := d.Members.IPRanges(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &rangesOutput{Body: rs}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "add-ip-range", Method: http.MethodPost, Path: "/libraries/{id}/ip-ranges",
		Summary: "Add an IP range (CIDR, single address or start-end)", Description: "Private, reserved and documentation ranges are refused; ranges wider than /16 (IPv4) or /32 (IPv6) and overlaps with another library need an admin's confirm_wide / confirm_shared.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *rangeInput) (*rangeOutput, error) {
			r, err := d.Members.AddIPRange(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &rangeOutput{Body: r}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "remove-ip-range", Method: http.MethodDelete, Path: "/libraries/{id}/ip-ranges/{linkID}", Summary: "Remove an IP range", DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *linkInput) (*struct{}, error) {
			return nil, failIf(ctx, d, d.Members.RemoveIPRange(ctx, actor(ctx), in.ID, in.LinkID))
		})
	huma.Register(api, huma.Operation{OperationID: "shared-addresses", Method: http.MethodGet, Path: "/shared-addresses", Summary: "Ranges known to be shared between libraries", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*sharedOutput, error) {
			s, err := d.Members.SharedAddresses(ctx, actor(ctx))
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &sharedOutput{Body: s}, nil
		})

	tags = []string{"Import and export"}
	huma.Register(api, huma.Operation{OperationID: "import-members", Method: http.MethodPost, Path: "/import/members",
		Summary: "Import libraries, primary contacts and IP ranges from CSV or XLSX", Description: "All-or-nothing: if any row is rejected, nothing is written and the answer (422) lists every row with its reasons. With dry_run=true nothing is written either way.",
		Tags: tags, MaxBodyBytes: 20 << 20},
		func(ctx context.Context, in *importInput) (*importOutput, error) {
			t, err := tabular.Read(in.Filename, in.RawBody)
			if err != nil {
				return nil, huma.Error422UnprocessableEntity(err.Error())
			}
			plan, err := d.Members.Import(ctx, actor(ctx), t, in.DryRun, nil)
			var fe *members.FileError
			switch {
			case errors.As(err, &fe):
				return nil, huma.Error422UnprocessableEntity(fe.File + ": " + d.Catalog.T(lang(ctx), fe.Problem.Code, fe.Problem.Args))
			case errors.Is(err, members.ErrImportRejected):
				return &importOutput{Status: http.StatusUnprocessableEntity, Body: translatePlan(ctx, d, plan)}, nil
			case err != nil:
				return nil, fail(ctx, d, err)
			}
			return &importOutput{Status: http.StatusOK, Body: translatePlan(ctx, d, plan)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "export-members", Method: http.MethodGet, Path: "/export/members", Summary: "Export the registry as CSV or XLSX (the columns import reads)", Tags: tags},
		func(ctx context.Context, in *exportInput) (*exportOutput, error) {
			var buf bytes.Buffer
			if err := d.Members.Export(ctx, actor(ctx), members.Filter{}, in.Format, &buf); err != nil {
				return nil, fail(ctx, d, err)
			}
			ct := "text/csv; charset=utf-8"
			if in.Format == "xlsx" {
				ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			}
			return &exportOutput{ContentType: ct, ContentDisposition: `attachment; filename="members.` + in.Format + `"`, Body: buf.Bytes()}, nil
		})

	tags = []string{"Reference data"}
	huma.Register(api, huma.Operation{OperationID: "list-counties", Method: http.MethodGet, Path: "/counties", Summary: "Counties (fylker, län)", Tags: tags},
		func(ctx context.Context, in *refInput) (*countiesOutput, error) {
			out := &countiesOutput{}
			for _, c := range refdata.Counties(in.Country) {
				out.Body = append(out.Body, countyWithPopulation{County: c, Population: refdata.CountyPopulation(c.Country, c.Number)})
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-municipalities", Method: http.MethodGet, Path: "/municipalities", Summary: "Municipalities (kommuner) with population", Tags: tags},
		func(ctx context.Context, in *refInput) (*municipalitiesOutput, error) {
			if in.County != "" {
				return &municipalitiesOutput{Body: refdata.MunicipalitiesIn(in.Country, in.County)}, nil
			}
			return &municipalitiesOutput{Body: refdata.Municipalities(in.Country)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/me", Summary: "Who the token belongs to", Tags: []string{"Account"}},
		func(ctx context.Context, _ *struct{}) (*meOutput, error) {
			a := actor(ctx)
			out := &meOutput{}
			out.Body.UserID, out.Body.Name, out.Body.Email, out.Body.Role, out.Body.LibraryIDs = a.UserID, a.Name, a.Email, string(a.Role), a.LibraryIDs
			return out, nil
		})
}

func failIf(ctx context.Context, d Deps, err error) error {
	if err == nil {
		return nil
	}
	return fail(ctx, d, err)
}

// translatePlan adds each row problem's message in the caller's language.
func translatePlan(ctx context.Context, d Deps, plan *members.Plan) *members.Plan {
	for i := range plan.Rows {
		for _, list := range [][]members.RowProblem{plan.Rows[i].Problems, plan.Rows[i].Warnings} {
			for j := range list {
				p := list[j].Problem
				list[j].Message = d.Catalog.T(lang(ctx), p.Code, p.Args)
			}
		}
	}
	return plan
}
