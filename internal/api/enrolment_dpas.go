package api

import (
	"cmp"
	"context"
	"mime"
	"net/http"
	"path"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
)

type dpaListInput struct {
	VendorID  int64 `query:"vendor_id" doc:"Only agreements with this vendor"`
	LibraryID int64 `query:"library_id" doc:"Only this library's agreements"`
}
type dpasOutput struct{ Body []enrolment.DPAView }
type dpaCreateInput struct {
	Body struct {
		LibraryID    int64         `json:"library_id"`
		VendorID     int64         `json:"vendor_id"`
		Version      string        `json:"version,omitempty" doc:"The agreement's own version, e.g. 2.1"`
		SignedOn     calendar.Date `json:"signed_on" doc:"2026-01-01 or 01.01.2026; not in the future"`
		SignedBy     string        `json:"signed_by"`
		ExpiresOn    calendar.Date `json:"expires_on,omitempty" doc:"Empty: no expiry"`
		DocumentName string        `json:"document_name,omitempty" doc:"File name of the document, e.g. databehandleravtale.pdf"`
		Document     []byte        `json:"document,omitempty" doc:"The signed agreement, base64-encoded (at most 20 MB)"`
	}
}
type dpaOutput struct {
	Body *enrolment.DataProcessingAgreement
}
type expiringInput struct {
	Within int `query:"within" minimum:"0" maximum:"3650" default:"60" doc:"Days ahead, today included"`
}
type blockedOutput struct{ Body []subscriptionView }

type trialsOutput struct{ Body []enrolment.TrialView }
type trialCreateInput struct{ Body enrolment.TrialInput }
type trialOutput struct{ Body *enrolment.Trial }

func registerDPAs(api huma.API, d Deps) {
	tags := []string{"Data processing agreements"}
	svc := d.Enrolment
	huma.Register(api, huma.Operation{OperationID: "list-dpas", Method: http.MethodGet, Path: "/dpas",
		Summary:     "Data processing agreements you may see",
		Description: "Between libraries and vendors, by library and vendor, the newest signature first, each with its status today (valid, expired, not_yet).", Tags: tags},
		func(ctx context.Context, in *dpaListInput) (*dpasOutput, error) {
			vs, err := listDPAs(ctx, d, in)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &dpasOutput{Body: nonNil(vs)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "add-dpa", Method: http.MethodPost, Path: "/dpas",
		Summary: "Register a signed data processing agreement",
		Description: "Consortium staff for any library, a library or county contact for libraries it acts for. " +
			"Subscriptions to the vendor's products that process personal data stop pending once an agreement valid today is on file.",
		DefaultStatus: http.StatusCreated, MaxBodyBytes: 30 << 20, Tags: tags},
		func(ctx context.Context, in *dpaCreateInput) (*dpaOutput, error) {
			b := in.Body
			dpa, err := svc.AddDPA(ctx, actor(ctx), enrolment.DPAInput{LibraryID: b.LibraryID, VendorID: b.VendorID, Version: b.Version,
				SignedOn: b.SignedOn, SignedBy: b.SignedBy, ExpiresOn: b.ExpiresOn, DocumentName: b.DocumentName, Document: b.Document})
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &dpaOutput{Body: dpa}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-dpa", Method: http.MethodDelete, Path: "/dpas/{id}",
		Summary: "Remove an agreement registered by mistake (admins)", DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, in *idInput) (*struct{}, error) {
			if err := svc.DeleteDPA(ctx, actor(ctx), in.ID); err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return nil, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-dpa-document", Method: http.MethodGet, Path: "/dpas/{id}/document",
		Summary: "Download an agreement's document", Tags: tags},
		func(ctx context.Context, in *idInput) (*documentOutput, error) {
			name, data, err := svc.DPADocument(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			ct := mime.TypeByExtension(path.Ext(name))
			if ct == "" {
				ct = "application/octet-stream"
			}
			return &documentOutput{ContentType: ct, ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}), Body: data}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "expiring-dpas", Method: http.MethodGet, Path: "/dpas/expiring",
		Summary:     "Agreements that expire within the next days (60 unless told)",
		Description: "Leaves out those a later agreement between the same library and vendor already replaces.", Tags: tags},
		func(ctx context.Context, in *expiringInput) (*dpasOutput, error) {
			vs, err := svc.ExpiringDPAs(ctx, actor(ctx), in.Within)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &dpasOutput{Body: nonNil(vs)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "blocked-for-dpa", Method: http.MethodGet, Path: "/dpas/blocked",
		Summary: "Subscriptions blocked for want of a data processing agreement", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*blockedOutput, error) {
			vs, err := svc.BlockedForDPA(ctx, actor(ctx))
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &blockedOutput{Body: viewSubscriptions(ctx, d, vs)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "library-dpas", Method: http.MethodGet, Path: "/libraries/{id}/dpas",
		Summary: "A library's data processing agreements, the newest signature first", Tags: tags},
		func(ctx context.Context, in *idInput) (*dpasOutput, error) {
			vs, err := svc.LibraryDPAs(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &dpasOutput{Body: nonNil(vs)}, nil
		})
}

// listDPAs answers GET /dpas: by vendor, by library, or — with neither —
// every agreement the actor may see (a vendor contact's own vendor's, a
// library contact's libraries', else every visible vendor's).
func listDPAs(ctx context.Context, d Deps, in *dpaListInput) ([]enrolment.DPAView, error) {
	by, svc := actor(ctx), d.Enrolment
	switch {
	case in.VendorID != 0:
		vs, err := svc.VendorDPAs(ctx, by, in.VendorID)
		if err != nil || in.LibraryID == 0 {
			return vs, err
		}
		return slices.DeleteFunc(vs, func(v enrolment.DPAView) bool { return v.LibraryID != in.LibraryID }), nil
	case in.LibraryID != 0:
		return svc.LibraryDPAs(ctx, by, in.LibraryID)
	case by.Role == auth.RoleVendor:
		return svc.VendorDPAs(ctx, by, by.VendorID)
	}
	var all []enrolment.DPAView
	if by.Role == auth.RoleLibrary {
		for _, id := range by.LibraryIDs {
			vs, err := svc.LibraryDPAs(ctx, by, id)
			if err != nil {
				return nil, err
			}
			all = append(all, vs...)
		}
	} else {
		vendors, err := d.Products.Vendors(ctx, by)
		if err != nil {
			return nil, err
		}
		for _, v := range vendors {
			vs, err := svc.VendorDPAs(ctx, by, v.ID)
			if err != nil {
				return nil, err
			}
			all = append(all, vs...)
		}
	}
	// The order a single list has: library, vendor, newest signature.
	slices.SortStableFunc(all, func(a, b enrolment.DPAView) int {
		return cmp.Or(cmp.Compare(a.LibraryName, b.LibraryName), cmp.Compare(a.VendorName, b.VendorName),
			cmp.Compare(b.SignedOn, a.SignedOn), cmp.Compare(b.ID, a.ID))
	})
	return all, nil
}

func registerTrials(api huma.API, d Deps) {
	tags := []string{"Trials"}
	svc := d.Enrolment
	huma.Register(api, huma.Operation{OperationID: "list-trials", Method: http.MethodGet, Path: "/trials",
		Summary:     "Trials (prøveperioder), newest first",
		Description: "All for consortium staff; for county and library contacts those with their libraries; for a vendor contact those of its products.", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*trialsOutput, error) {
			ts, err := svc.Trials(ctx, actor(ctx))
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			for i := range ts {
				ts[i].Libraries = nonNil(ts[i].Libraries)
			}
			return &trialsOutput{Body: nonNil(ts)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-trial", Method: http.MethodPost, Path: "/trials",
		Summary:       "Start a trial of a product for some libraries (consortium)",
		Description:   "Each library gets a subscription in state trial for the trial's dates; after the last day the trial lapses by itself and the libraries are asked whether to enrol.",
		DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *trialCreateInput) (*trialOutput, error) {
			t, err := svc.CreateTrial(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, failEnrolment(ctx, d, err)
			}
			return &trialOutput{Body: t}, nil
		})
}
