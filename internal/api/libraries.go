package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/members"
)

type libraryListInput struct {
	Query   string `query:"q" doc:"Matches name, ISIL or organisation number"`
	County  string `query:"county" doc:"Country and county number, e.g. NO-03 or SE-01" pattern:"^([A-Z]{2}-[0-9]{2})?$"`
	Type    string `query:"type" enum:"public,county,upper_secondary,primary_school,academic,special,other,"`
	Missing string `query:"missing" enum:"isil,primary_contact,ip_ranges,org_number,coordinates," doc:"Only libraries that lack this"`
	Limit   int    `query:"limit" minimum:"0" maximum:"5000" default:"500"`
	Offset  int    `query:"offset" minimum:"0"`
}

type libraryListOutput struct {
	Body struct {
		Items []members.ListItem `json:"items"`
		Total int                `json:"total"`
	}
}

type idInput struct {
	ID int64 `path:"id"`
}

type libraryDetail struct {
	Library  *members.Library         `json:"library"`
	Contacts []members.LibraryContact `json:"contacts"`
	IPRanges []members.IPRange        `json:"ip_ranges"`
}

type libraryOutput struct {
	Body libraryDetail
}

type librarySaveInput struct {
	Body members.LibraryInput
}

type libraryUpdateInput struct {
	ID   int64 `path:"id"`
	Body members.LibraryInput
}

type librarySaved struct {
	Body struct {
		Library  *members.Library `json:"library"`
		Warnings []Warning        `json:"warnings"`
	}
}

type auditOutput struct {
	Body []audit.Entry
}

func registerLibraries(api huma.API, d Deps) {
	huma.Register(api, huma.Operation{OperationID: "list-libraries", Method: http.MethodGet, Path: "/libraries", Summary: "List member libraries", Tags: []string{"Libraries"}},
		func(ctx context.Context, in *libraryListInput) (*libraryListOutput, error) {
			f := members.Filter{Query: in.Query, Type: in.Type, Missing: in.Missing, Limit: in.Limit, Offset: in.Offset}
			if len(in.County) == 5 {
				f.Country, f.CountyNumber = in.County[:2], in.County[3:]
			}
			items, total, err := d.Members.List(ctx, actor(ctx), f)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &libraryListOutput{}
			out.Body.Items, out.Body.Total = items, total
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-library", Method: http.MethodGet, Path: "/libraries/{id}", Summary: "Get a library with its contacts and IP ranges", Tags: []string{"Libraries"}},
		func(ctx context.Context, in *idInput) (*libraryOutput, error) {
			by := actor(ctx)
			l, err := d.Members.Get(ctx, by, in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &libraryOutput{Body: libraryDetail{Library: l}}
			if out.Body.Contacts, err = d.Members.Contacts(ctx, by, l.ID); err != nil {
				return nil, fail(ctx, d, err)
			}
			if out.Body.IPRanges, err = d.Members.IPRanges(ctx, by, l.ID); err != nil {
				return nil, fail(ctx, d, err)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-library", Method: http.MethodPost, Path: "/libraries", Summary: "Add a library", DefaultStatus: http.StatusCreated, Tags: []string{"Libraries"}},
		func(ctx context.Context, in *librarySaveInput) (*librarySaved, error) {
			l, warns, err := d.Members.Create(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &librarySaved{}
			out.Body.Library, out.Body.Warnings = l, warnings(ctx, d, warns)
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-library", Method: http.MethodPut, Path: "/libraries/{id}",
		Summary: "Replace a library's fields", Description: "Send the `version` you read: if someone saved in between, the answer is 409 and nothing changes.", Tags: []string{"Libraries"}},
		func(ctx context.Context, in *libraryUpdateInput) (*librarySaved, error) {
			if in.Body.Version == 0 {
				return nil, huma.Error422UnprocessableEntity("version is required", &huma.ErrorDetail{Location: "body.version", Message: "send the version you read"})
			}
			l, warns, err := d.Members.Update(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &librarySaved{}
			out.Body.Library, out.Body.Warnings = l, warnings(ctx, d, warns)
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-library", Method: http.MethodDelete, Path: "/libraries/{id}", Summary: "Delete a library (admins)", DefaultStatus: http.StatusNoContent, Tags: []string{"Libraries"}},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := d.Members.Delete(ctx, actor(ctx), in.ID); err != nil {
				return nil, fail(ctx, d, err)
			}
			return nil, nil
		})
	huma.Register(api, huma.Operation{OperationID: "library-audit", Method: http.MethodGet, Path: "/libraries/{id}/audit", Summary: "A library's change history", Tags: []string{"Libraries"}},
		func(ctx context.Context, in *idInput) (*auditOutput, error) {
			es, err := d.Members.History(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &auditOutput{Body: es}, nil
		})
}
