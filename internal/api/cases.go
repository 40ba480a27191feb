package api

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/cases"
)

// maxMailBytes is the largest mail POST /cases/mail takes: the size mail
// servers commonly accept, with room for the MIME encoding of attachments.
const maxMailBytes = 50 << 20

type caseListInput struct {
	State   string `query:"state" enum:"active,all,new,open,waiting_library,waiting_vendor,solved,closed," doc:"A state; empty or active means every state but solved and closed, all means every state"`
	Tag     string `query:"tag"`
	Library int64  `query:"library" doc:"Library id"`
	County  string `query:"county" doc:"Country and county number, e.g. NO-46"`
	Product int64  `query:"product" doc:"Product id"`
	Vendor  int64  `query:"vendor" doc:"Vendor id"`
	Owner   string `query:"owner" doc:"me, none or a user id"`
	Older   int    `query:"older" minimum:"0" doc:"Only cases opened more than this many days ago"`
	Q       string `query:"q" doc:"Words to find in subjects and messages"`
}

// filter reads the query as the list page does (through the domain's own
// query string), so a saved view and an API call with the same parameters
// select the same cases.
func (in *caseListInput) filter() cases.Filter {
	f := cases.Filter{State: in.State, Tag: in.Tag, LibraryID: in.Library, County: in.County, ProductID: in.Product,
		VendorID: in.Vendor, Owner: in.Owner, OlderThan: in.Older, Q: in.Q}
	return cases.FilterFrom(f.Values())
}

type caseItemsOutput struct{ Body []cases.Item }
type caseDetailOutput struct{ Body *cases.Detail }
type caseOutput struct{ Body *cases.Case }
type caseUpdateInput struct {
	ID   int64 `path:"id"`
	Body cases.CaseInput
}
type replyInput struct {
	ID   int64 `path:"id"`
	Body cases.ReplyInput
}
type noteInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Body string `json:"body" doc:"The note; never sent, seen only by the consortium"`
	}
}
type caseMessageOutput struct{ Body *cases.Message }
type caseTagsInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Tags []string `json:"tags" doc:"The case's tags; they replace the old ones"`
	}
}
type caseTagsOutput struct {
	Body struct {
		Tags []string `json:"tags"`
	}
}
type participantInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Email string `json:"email"`
		Name  string `json:"name,omitempty"`
	}
}
type participantOutput struct{ Body *cases.Participant }
type participantDeleteInput struct {
	ID            int64 `path:"id"`
	ParticipantID int64 `path:"pid"`
}
type rawMailInput struct {
	ID        int64 `path:"id"`
	MessageID int64 `path:"mid"`
}
type rawMailOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}
type mailInput struct {
	RawBody []byte `contentType:"message/rfc822" doc:"One mail as RFC 5322 bytes, headers and all"`
}
type mailOutput struct {
	Status int
	Body   struct {
		CaseID    int64  `json:"case_id"`
		MessageID int64  `json:"message_id" doc:"The new message on the case; 0 when the mail was a duplicate"`
		NewCase   bool   `json:"new_case"`
		Duplicate bool   `json:"duplicate" doc:"The mail was already on a case (same Message-ID, or the same bytes); nothing was stored"`
		Rule      string `json:"rule,omitempty" doc:"The threading rule that placed the mail"`
		Auto      string `json:"auto,omitempty" doc:"Why the mail was taken as automatic (auto-reply, bounce …), if it was"`
	}
}

type snippetListInput struct {
	Q    string `query:"q" doc:"Words to find in titles and texts"`
	Lang string `query:"lang" enum:"nb,sv,en,"`
}
type snippetsOutput struct{ Body []cases.Snippet }
type snippetOutput struct{ Body *cases.Snippet }
type snippetCreateInput struct{ Body cases.SnippetInput }
type snippetUpdateInput struct {
	ID   int64 `path:"id"`
	Body cases.SnippetInput
}
type snippetRenderInput struct {
	ID        int64 `path:"id"`
	SnippetID int64 `path:"sid"`
}
type snippetRenderOutput struct {
	Body struct {
		Text string `json:"text" doc:"The snippet with its placeholders filled from the case; a placeholder without a value is left as written"`
	}
}

type viewsOutput struct{ Body []cases.View }
type viewOutput struct{ Body *cases.View }
type viewCreateInput struct {
	Body struct {
		Name  string `json:"name"`
		Query string `json:"query" doc:"The filter as the list's query string, e.g. state=open&tag=faktura"`
	}
}

type temperatureInput struct {
	Period  string `query:"period" enum:"week,month" default:"week"`
	Periods int    `query:"periods" minimum:"1" maximum:"104" default:"12"`
}
type temperatureOutput struct{ Body *cases.Temperature }

// registerCases adds the case desk's operations: cases, their thread and
// people, mail in, snippets, saved views and the temperature.
func registerCases(api huma.API, d Deps) {
	tags := []string{"Cases"}
	svc := d.Cases
	op := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	created := func(o huma.Operation) huma.Operation { o.DefaultStatus = http.StatusCreated; return o }
	gone := func(o huma.Operation) huma.Operation { o.DefaultStatus = http.StatusNoContent; return o }

	huma.Register(api, op("list-cases", http.MethodGet, "/cases", "List cases, the most recently active first (at most 500)"),
		func(ctx context.Context, in *caseListInput) (*caseItemsOutput, error) {
			items, err := svc.List(ctx, actor(ctx), in.filter())
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			for i := range items {
				if items[i].Tags == nil {
					items[i].Tags = []string{}
				}
			}
			return &caseItemsOutput{Body: append([]cases.Item{}, items...)}, nil
		})
	// Registered before /cases/{id} for readers of this file; the mux picks
	// the literal segment over the wildcard either way.
	huma.Register(api, op("case-temperature", http.MethodGet, "/cases/temperature", "The temperature per product and vendor: new cases per period, open cases, median time to first answer and to solution"),
		func(ctx context.Context, in *temperatureInput) (*temperatureOutput, error) {
			t, err := svc.Temperature(ctx, actor(ctx), in.Period, in.Periods)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			if t.Rows == nil {
				t.Rows = []cases.TempRow{}
			}
			return &temperatureOutput{Body: t}, nil
		})
	mail := created(op("ingest-case-mail", http.MethodPost, "/cases/mail", "Hand the desk one mail (consortium)"))
	mail.Description = "The body is one raw RFC 5322 message (Content-Type: message/rfc822), threaded as if it had arrived in the desk's mailbox. 201 when it was stored, 200 when it was a duplicate of a mail already on a case."
	mail.MaxBodyBytes = maxMailBytes
	huma.Register(api, mail, func(ctx context.Context, in *mailInput) (*mailOutput, error) {
		if !actor(ctx).IsConsortium() {
			return nil, fail(ctx, d, cases.ErrForbidden)
		}
		res, err := svc.Ingest(ctx, cases.Incoming{Raw: in.RawBody, Source: "api"})
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		out := &mailOutput{Status: http.StatusCreated}
		if res.Duplicate {
			out.Status = http.StatusOK
		}
		b := &out.Body
		b.CaseID, b.MessageID, b.NewCase, b.Duplicate, b.Rule, b.Auto = res.CaseID, res.MessageID, res.NewCase, res.Duplicate, res.Rule, res.Auto
		return out, nil
	})
	huma.Register(api, op("get-case", http.MethodGet, "/cases/{id}", "A case with its messages, participants, tags, followers and linked cases"),
		func(ctx context.Context, in *idInput) (*caseDetailOutput, error) {
			det, err := svc.Detail(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			if det.Messages == nil {
				det.Messages = []cases.Message{}
			}
			if det.Participants == nil {
				det.Participants = []cases.Participant{}
			}
			if det.Tags == nil {
				det.Tags = []string{}
			}
			if det.Followers == nil {
				det.Followers = []int64{}
			}
			return &caseDetailOutput{Body: det}, nil
		})
	update := op("update-case", http.MethodPut, "/cases/{id}", "Replace a case's fields")
	update.Description = "Send the `version` you read: if someone saved in between, the answer is 409 and nothing changes."
	huma.Register(api, update, func(ctx context.Context, in *caseUpdateInput) (*caseOutput, error) {
		if err := needVersion(in.Body.Version); err != nil {
			return nil, err
		}
		c, err := svc.Update(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &caseOutput{Body: c}, nil
	})
	reply := created(op("reply-to-case", http.MethodPost, "/cases/{id}/replies", "Send a reply from the desk"))
	reply.Description = "Without `to` the reply goes to the last person who wrote in, with everyone copied on the case on cc. The reply is queued in the outbox; it threads in the recipients' mail clients and back into the case."
	huma.Register(api, reply, func(ctx context.Context, in *replyInput) (*caseMessageOutput, error) {
		m, err := svc.Reply(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &caseMessageOutput{Body: m}, nil
	})
	huma.Register(api, created(op("add-case-note", http.MethodPost, "/cases/{id}/notes", "Add an internal note")),
		func(ctx context.Context, in *noteInput) (*caseMessageOutput, error) {
			m, err := svc.AddNote(ctx, actor(ctx), in.ID, in.Body.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &caseMessageOutput{Body: m}, nil
		})
	huma.Register(api, op("set-case-tags", http.MethodPut, "/cases/{id}/tags", "Replace a case's tags (lower-cased, each once)"),
		func(ctx context.Context, in *caseTagsInput) (*caseTagsOutput, error) {
			ts, err := svc.SetTags(ctx, actor(ctx), in.ID, in.Body.Tags)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &caseTagsOutput{}
			out.Body.Tags = append([]string{}, ts...)
			return out, nil
		})
	huma.Register(api, created(op("add-case-participant", http.MethodPost, "/cases/{id}/participants", "Put a person on a case; they are copied on replies from then on")),
		func(ctx context.Context, in *participantInput) (*participantOutput, error) {
			p, err := svc.AddParticipant(ctx, actor(ctx), in.ID, in.Body.Email, in.Body.Name)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &participantOutput{Body: p}, nil
		})
	huma.Register(api, gone(op("remove-case-participant", http.MethodDelete, "/cases/{id}/participants/{pid}", "Take a person off a case")),
		func(ctx context.Context, in *participantDeleteInput) (*struct{}, error) {
			if err := svc.RemoveParticipant(ctx, actor(ctx), in.ID, in.ParticipantID); err != nil {
				return nil, fail(ctx, d, err)
			}
			return nil, nil
		})
	huma.Register(api, op("get-case-raw-mail", http.MethodGet, "/cases/{id}/messages/{mid}/raw", "A received message exactly as it came (message/rfc822)"),
		func(ctx context.Context, in *rawMailInput) (*rawMailOutput, error) {
			data, err := svc.RawMail(ctx, actor(ctx), in.ID, in.MessageID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			name := fmt.Sprintf("case-%d-message-%d.eml", in.ID, in.MessageID)
			return &rawMailOutput{ContentType: "message/rfc822", ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}), Body: data}, nil
		})
	huma.Register(api, op("render-case-snippet", http.MethodGet, "/cases/{id}/snippets/{sid}", "A snippet with its placeholders filled from the case"),
		func(ctx context.Context, in *snippetRenderInput) (*snippetRenderOutput, error) {
			text, err := svc.SnippetFor(ctx, actor(ctx), in.ID, in.SnippetID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &snippetRenderOutput{}
			out.Body.Text = text
			return out, nil
		})
	registerCaseSnippets(api, d, op, created, gone)
	registerCaseViews(api, d, op, created, gone)
}

type opFunc = func(id, method, path, summary string) huma.Operation
type opStatus = func(huma.Operation) huma.Operation

func registerCaseSnippets(api huma.API, d Deps, op opFunc, created, gone opStatus) {
	svc := d.Cases
	huma.Register(api, op("list-case-snippets", http.MethodGet, "/case-snippets", "Text snippets, by title"),
		func(ctx context.Context, in *snippetListInput) (*snippetsOutput, error) {
			ss, err := svc.Snippets(ctx, actor(ctx), in.Q, in.Lang)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &snippetsOutput{Body: append([]cases.Snippet{}, ss...)}, nil
		})
	create := created(op("create-case-snippet", http.MethodPost, "/case-snippets", "Add a text snippet"))
	create.Description = "Placeholders: {" + strings.Join(cases.Placeholders, "}, {") + "}; they are filled from the case when the snippet is used."
	huma.Register(api, create, func(ctx context.Context, in *snippetCreateInput) (*snippetOutput, error) {
		sn, err := svc.SaveSnippet(ctx, actor(ctx), 0, in.Body)
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &snippetOutput{Body: sn}, nil
	})
	update := op("update-case-snippet", http.MethodPut, "/case-snippets/{id}", "Replace a text snippet")
	update.Description = "Send the `version` you read: if someone saved in between, the answer is 409 and nothing changes."
	huma.Register(api, update, func(ctx context.Context, in *snippetUpdateInput) (*snippetOutput, error) {
		if err := needVersion(in.Body.Version); err != nil {
			return nil, err
		}
		sn, err := svc.SaveSnippet(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &snippetOutput{Body: sn}, nil
	})
	huma.Register(api, gone(op("delete-case-snippet", http.MethodDelete, "/case-snippets/{id}", "Remove a text snippet")),
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := svc.DeleteSnippet(ctx, actor(ctx), in.ID); err != nil {
				return nil, fail(ctx, d, err)
			}
			return nil, nil
		})
}

func registerCaseViews(api huma.API, d Deps, op opFunc, created, gone opStatus) {
	svc := d.Cases
	huma.Register(api, op("list-case-views", http.MethodGet, "/case-views", "Saved views of the case list, by name"),
		func(ctx context.Context, _ *struct{}) (*viewsOutput, error) {
			vs, err := svc.Views(ctx, actor(ctx))
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &viewsOutput{Body: append([]cases.View{}, vs...)}, nil
		})
	save := created(op("save-case-view", http.MethodPost, "/case-views", "Save a view; one of the same name is replaced"))
	save.Description = "The query takes the parameters of GET /cases; unknown or malformed ones are dropped, and the view keeps the filter as the list reads it."
	huma.Register(api, save, func(ctx context.Context, in *viewCreateInput) (*viewOutput, error) {
		q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(in.Body.Query), "?"))
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(d.Catalog.T(lang(ctx), "error.validation", nil), &huma.ErrorDetail{Location: "body.query", Message: err.Error(), Value: in.Body.Query})
		}
		v, err := svc.SaveView(ctx, actor(ctx), in.Body.Name, cases.FilterFrom(q))
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &viewOutput{Body: v}, nil
	})
	huma.Register(api, gone(op("delete-case-view", http.MethodDelete, "/case-views/{id}", "Remove a saved view")),
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := svc.DeleteView(ctx, actor(ctx), in.ID); err != nil {
				return nil, fail(ctx, d, err)
			}
			return nil, nil
		})
}
