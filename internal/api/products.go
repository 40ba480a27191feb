package api

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/samla-org/samla/internal/products"
)

// productView is a product as the API shows it: its sets as lists. (Not an
// embedded products.Product: huma cannot link schemas of embedded types
// with methods.)
type productView struct {
	ID                      int64     `json:"id"`
	VendorID                int64     `json:"vendor_id"`
	VendorName              string    `json:"vendor_name,omitempty"`
	Slug                    string    `json:"slug"`
	Name                    string    `json:"name"`
	AccessMethods           []string  `json:"access_methods"`
	RemoteAccess            bool      `json:"remote_access"`
	TargetGroups            []string  `json:"target_groups"`
	ProcessesPersonalData   bool      `json:"processes_personal_data"`
	RequiresTermsAcceptance bool      `json:"requires_terms_acceptance"`
	Published               bool      `json:"published"`
	Version                 int64     `json:"version"`
	CreatedAt               time.Time `json:"created_at"`
	UpdatedAt               time.Time `json:"updated_at"`
}

func viewProduct(p products.Product, vendorName string) productView {
	return productView{ID: p.ID, VendorID: p.VendorID, VendorName: vendorName, Slug: p.Slug, Name: p.Name,
		AccessMethods: p.AccessMethods(), RemoteAccess: p.RemoteAccess, TargetGroups: p.TargetGroups(),
		ProcessesPersonalData: p.ProcessesPersonalData, RequiresTermsAcceptance: p.RequiresTermsAcceptance,
		Published: p.Published, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// licenceView is a licence version with its terms decoded.
type licenceView struct {
	ID           int64          `json:"id"`
	ProductID    int64          `json:"product_id"`
	Version      int            `json:"version"`
	Text         string         `json:"text"`
	DocumentName string         `json:"document_name,omitempty"`
	HasDocument  bool           `json:"has_document" doc:"Download it from /products/{id}/licences/{version}/document"`
	Terms        products.Terms `json:"terms"`
	CreatedBy    string         `json:"created_by"`
	CreatedAt    time.Time      `json:"created_at"`
}

func viewLicence(v products.LicenceVersion) licenceView {
	return licenceView{ID: v.ID, ProductID: v.ProductID, Version: v.Version, Text: v.Text, DocumentName: v.DocumentName,
		HasDocument: v.DocumentName != "", Terms: v.Terms(), CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt}
}

// termInput is one licence term as a client sends it; an empty value
// means "unclear".
type termInput struct {
	Value  string `json:"value,omitempty" doc:"yes, no or unclear; interlibrary_loan: print, electronic, print_electronic, none or unclear; concurrent_users: a number, unlimited or unclear; governing_law: free text or unclear"`
	Clause string `json:"clause,omitempty" doc:"The licence's own words"`
}

type termsInput struct {
	WalkIn           termInput `json:"walk_in,omitempty"`
	RemoteAccess     termInput `json:"remote_access,omitempty"`
	InterlibraryLoan termInput `json:"interlibrary_loan,omitempty"`
	TextDataMining   termInput `json:"text_data_mining,omitempty"`
	CoursePacks      termInput `json:"course_packs,omitempty"`
	PerpetualAccess  termInput `json:"perpetual_access,omitempty"`
	Archiving        termInput `json:"archiving,omitempty"`
	ConcurrentUsers  termInput `json:"concurrent_users,omitempty"`
	GoverningLaw     termInput `json:"governing_law,omitempty"`
}

type licenceInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Text         string     `json:"text,omitempty"`
		DocumentName string     `json:"document_name,omitempty" doc:"File name of the document, e.g. lisens-2026.pdf"`
		Document     []byte     `json:"document,omitempty" doc:"The licence as a PDF, base64-encoded"`
		Terms        termsInput `json:"terms,omitempty"`
	}
}

func (in *licenceInput) domain() products.LicenceInput {
	b := in.Body
	out := products.LicenceInput{Text: b.Text, DocumentName: b.DocumentName, Document: b.Document}
	for k, t := range map[string]termInput{products.TermWalkIn: b.Terms.WalkIn, products.TermRemoteAccess: b.Terms.RemoteAccess,
		products.TermInterlibraryLoan: b.Terms.InterlibraryLoan, products.TermTextDataMining: b.Terms.TextDataMining,
		products.TermCoursePacks: b.Terms.CoursePacks, products.TermPerpetualAccess: b.Terms.PerpetualAccess,
		products.TermArchiving: b.Terms.Archiving, products.TermConcurrentUsers: b.Terms.ConcurrentUsers,
		products.TermGoverningLaw: b.Terms.GoverningLaw} {
		out.Terms.Set(k, products.Term{Value: t.Value, Clause: t.Clause})
	}
	return out
}

type vendorsOutput struct{ Body []products.Vendor }
type vendorOutput struct{ Body *products.Vendor }
type vendorCreateInput struct{ Body products.VendorInput }
type vendorUpdateInput struct {
	ID   int64 `path:"id"`
	Body products.VendorInput
}

type productListInput struct {
	VendorID  int64  `query:"vendor_id" doc:"Only this vendor's products"`
	Published string `query:"published" enum:"true,false," doc:"Only published (true) or unpublished (false) products"`
}
type productsOutput struct{ Body []productView }
type productOutput struct{ Body productView }
type productDetailOutput struct {
	Body struct {
		Product productView                     `json:"product"`
		Texts   map[string]products.ProductText `json:"texts" doc:"Stored texts by language (nb, sv, en)"`
	}
}
type productCreateInput struct{ Body products.ProductInput }
type productUpdateInput struct {
	ID   int64 `path:"id"`
	Body products.ProductInput
}
type textInput struct {
	ID   int64  `path:"id"`
	Lang string `path:"lang" enum:"nb,sv,en"`
	Body products.TextInput
}
type textOutput struct{ Body *products.ProductText }
type trainingListOutput struct{ Body []products.TrainingMaterial }
type trainingOutput struct{ Body *products.TrainingMaterial }
type trainingInput struct {
	ID   int64 `path:"id"`
	Body products.TrainingInput
}
type trainingDeleteInput struct {
	ID         int64 `path:"id"`
	TrainingID int64 `path:"tid"`
}
type licencesOutput struct{ Body []licenceView }
type licenceOutput struct{ Body licenceView }
type documentInput struct {
	ID      int64 `path:"id"`
	Version int   `path:"version"`
}
type documentOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}
type catalogueInput struct {
	Lang string `query:"lang" enum:"nb,sv,en," doc:"Language of the texts; by Accept-Language when empty. Fields missing in sv or en come from nb and are flagged in text.fallback."`
}
type catalogueOutput struct{ Body []products.CatalogueEntry }

func needVersion(v int64) error {
	if v == 0 {
		return huma.Error422UnprocessableEntity("version is required", &huma.ErrorDetail{Location: "body.version", Message: "send the version you read"})
	}
	return nil
}

// registerProducts adds the vendor, product, training and licence operations.
func registerProducts(api huma.API, d Deps) {
	registerVendors(api, d)
	tags := []string{"Products"}
	svc := d.Products
	op := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	created := func(o huma.Operation) huma.Operation { o.DefaultStatus = http.StatusCreated; return o }

	huma.Register(api, op("list-products", http.MethodGet, "/products", "List the products you may see"),
		func(ctx context.Context, in *productListInput) (*productsOutput, error) {
			f := products.ProductFilter{VendorID: in.VendorID}
			if in.Published != "" {
				b := in.Published == "true"
				f.Published = &b
			}
			items, err := svc.Products(ctx, actor(ctx), f)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &productsOutput{Body: make([]productView, 0, len(items))}
			for _, it := range items {
				out.Body = append(out.Body, viewProduct(it.Product, it.VendorName))
			}
			return out, nil
		})
	huma.Register(api, created(op("create-product", http.MethodPost, "/products", "Add a product (consortium)")),
		func(ctx context.Context, in *productCreateInput) (*productOutput, error) {
			p, err := svc.CreateProduct(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &productOutput{Body: viewProduct(*p, "")}, nil
		})
	huma.Register(api, op("get-product", http.MethodGet, "/products/{id}", "Get a product with its texts"),
		func(ctx context.Context, in *idInput) (*productDetailOutput, error) {
			by := actor(ctx)
			p, err := svc.Product(ctx, by, in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &productDetailOutput{}
			out.Body.Product = viewProduct(*p, "")
			if out.Body.Texts, err = svc.Texts(ctx, by, p.ID); err != nil {
				return nil, fail(ctx, d, err)
			}
			return out, nil
		})
	update := op("update-product", http.MethodPut, "/products/{id}", "Replace a product's fields (and any texts given)")
	update.Description = "Send the `version` you read: if someone saved in between, the answer is 409 and nothing changes. Leave `published` out to keep the product's state; publishing needs the Bokmål description and all four standard answers."
	huma.Register(api, update, func(ctx context.Context, in *productUpdateInput) (*productOutput, error) {
		if err := needVersion(in.Body.Version); err != nil {
			return nil, err
		}
		p, err := svc.UpdateProduct(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &productOutput{Body: viewProduct(*p, "")}, nil
	})
	huma.Register(api, op("set-product-text", http.MethodPut, "/products/{id}/texts/{lang}", "Replace a product's texts in one language"),
		func(ctx context.Context, in *textInput) (*textOutput, error) {
			t, err := svc.SetText(ctx, actor(ctx), in.ID, in.Lang, in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &textOutput{Body: t}, nil
		})
	for _, pub := range []bool{true, false} {
		id, path, summary := "publish-product", "/products/{id}/publish", "Publish a product in the catalogue"
		if !pub {
			id, path, summary = "unpublish-product", "/products/{id}/unpublish", "Take a product out of the catalogue"
		}
		o := op(id, http.MethodPost, path, summary)
		if pub {
			o.Description = "Refused with 422, naming each one, while the Bokmål description or any of the four standard answers is empty."
		}
		huma.Register(api, o, func(ctx context.Context, in *idInput) (*productOutput, error) {
			p, err := svc.SetPublished(ctx, actor(ctx), in.ID, pub)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &productOutput{Body: viewProduct(*p, "")}, nil
		})
	}
	huma.Register(api, op("list-training", http.MethodGet, "/products/{id}/training", "A product's training material"),
		func(ctx context.Context, in *idInput) (*trainingListOutput, error) {
			ms, err := svc.Training(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &trainingListOutput{Body: append([]products.TrainingMaterial{}, ms...)}, nil
		})
	huma.Register(api, created(op("add-training", http.MethodPost, "/products/{id}/training", "Add training material (consortium)")),
		func(ctx context.Context, in *trainingInput) (*trainingOutput, error) {
			m, err := svc.AddTraining(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &trainingOutput{Body: m}, nil
		})
	del := op("remove-training", http.MethodDelete, "/products/{id}/training/{tid}", "Remove training material (consortium)")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, func(ctx context.Context, in *trainingDeleteInput) (*struct{}, error) {
		if err := svc.RemoveTraining(ctx, actor(ctx), in.ID, in.TrainingID); err != nil {
			return nil, fail(ctx, d, err)
		}
		return nil, nil
	})
	huma.Register(api, op("list-licences", http.MethodGet, "/products/{id}/licences", "A product's licence versions, newest first"),
		func(ctx context.Context, in *idInput) (*licencesOutput, error) {
			vs, err := svc.LicenceVersions(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			out := &licencesOutput{Body: make([]licenceView, 0, len(vs))}
			for _, v := range vs {
				out.Body = append(out.Body, viewLicence(v))
			}
			return out, nil
		})
	huma.Register(api, created(op("add-licence", http.MethodPost, "/products/{id}/licences", "Add a licence version (consortium)")),
		func(ctx context.Context, in *licenceInput) (*licenceOutput, error) {
			v, err := svc.AddLicenceVersion(ctx, actor(ctx), in.ID, in.domain())
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &licenceOutput{Body: viewLicence(*v)}, nil
		})
	huma.Register(api, op("get-licence-document", http.MethodGet, "/products/{id}/licences/{version}/document", "Download a licence version's PDF"),
		func(ctx context.Context, in *documentInput) (*documentOutput, error) {
			name, data, err := svc.LicenceDocument(ctx, actor(ctx), in.ID, in.Version)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &documentOutput{ContentType: "application/pdf", ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}), Body: data}, nil
		})
	cat := op("catalogue", http.MethodGet, "/catalogue", "The public product catalogue (no token needed)")
	cat.Security = []map[string][]string{} // public: authenticate lets operations with an empty list through
	huma.Register(api, cat, func(ctx context.Context, in *catalogueInput) (*catalogueOutput, error) {
		l := in.Lang
		if l == "" {
			l = lang(ctx)
		}
		es, err := svc.Catalogue(ctx, l)
		if err != nil {
			return nil, fail(ctx, d, err)
		}
		return &catalogueOutput{Body: es}, nil
	})
}

func registerVendors(api huma.API, d Deps) {
	tags := []string{"Products"}
	svc := d.Products
	huma.Register(api, huma.Operation{OperationID: "list-vendors", Method: http.MethodGet, Path: "/vendors", Summary: "List the vendors you may see", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*vendorsOutput, error) {
			vs, err := svc.Vendors(ctx, actor(ctx))
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &vendorsOutput{Body: vs}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-vendor", Method: http.MethodPost, Path: "/vendors", Summary: "Add a vendor (consortium)", DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *vendorCreateInput) (*vendorOutput, error) {
			v, err := svc.CreateVendor(ctx, actor(ctx), in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &vendorOutput{Body: v}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-vendor", Method: http.MethodGet, Path: "/vendors/{id}", Summary: "Get a vendor", Tags: tags},
		func(ctx context.Context, in *idInput) (*vendorOutput, error) {
			v, err := svc.Vendor(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &vendorOutput{Body: v}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-vendor", Method: http.MethodPut, Path: "/vendors/{id}", Summary: "Replace a vendor's fields (consortium)",
		Description: "Send the `version` you read: if someone saved in between, the answer is 409 and nothing changes.", Tags: tags},
		func(ctx context.Context, in *vendorUpdateInput) (*vendorOutput, error) {
			if err := needVersion(in.Body.Version); err != nil {
				return nil, err
			}
			v, err := svc.UpdateVendor(ctx, actor(ctx), in.ID, in.Body)
			if err != nil {
				return nil, fail(ctx, d, err)
			}
			return &vendorOutput{Body: v}, nil
		})
}
