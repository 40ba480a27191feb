package usageweb

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/web"
)

type platformsView struct {
	Platforms []platformRow
	Products  []products.ProductItem
	Libraries []members.Library
	NoKey     bool
	// Errors are by form: "map-<platform>", "endpoint-<platform>",
	// "cred-<endpoint>"; Form keeps what was typed (never secrets).
	Errors map[string][]string
	Form   map[string]string
}

type platformRow struct {
	usage.Platform
	ProductID   int64
	Endpoint    *usage.Endpoint
	Credentials []credentialRow
}

type credentialRow struct {
	usage.Credential
	LibraryName string
	HasSecret   bool
}

func (h *handlers) platforms(w http.ResponseWriter, r *http.Request) {
	h.renderPlatforms(w, r, http.StatusOK, nil, nil)
}

func (h *handlers) renderPlatforms(w http.ResponseWriter, r *http.Request, status int, errs map[string][]string, form map[string]string) {
	by := web.ActorOf(r)
	ctx := r.Context()
	ps, err := h.svc.Platforms(ctx, by)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &platformsView{NoKey: len(h.svc.Key) != 32, Errors: errs, Form: form}
	if v.Products, err = h.d.Products.Products(ctx, by, products.ProductFilter{}); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Libraries, err = h.d.Members.Options(ctx, by); err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, l := range v.Libraries {
		names[l.ID] = l.Name
	}
	eps, creds, err := h.sushiSetup(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, p := range ps {
		row := platformRow{Platform: p}
		if p.ProductID != nil {
			row.ProductID = *p.ProductID
		}
		if e, ok := eps[p.ID]; ok {
			row.Endpoint = &e
			for _, c := range creds[e.ID] {
				row.Credentials = append(row.Credentials, credentialRow{Credential: c, LibraryName: names[c.LibraryID],
					HasSecret: c.APIKeyEnc != "" || c.RequestorEnc != ""})
			}
		}
		v.Platforms = append(v.Platforms, row)
	}
	h.render(w, r, "platforms.html", status, h.app.T(r, "uweb.platforms.title", nil), v)
}

// sushiSetup reads the endpoints by platform and the credentials by
// endpoint. The service has no reader for them yet, so this reads the
// service's own tables through its models; it never reads the secrets'
// plain text, only whether there are any.
func (h *handlers) sushiSetup(ctx context.Context) (map[int64]usage.Endpoint, map[int64][]usage.Credential, error) {
	var eps []usage.Endpoint
	if err := h.svc.DB.NewSelect().Model(&eps).OrderExpr("id").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("sushi endpoints: %w", err)
	}
	var creds []usage.Credential
	if err := h.svc.DB.NewSelect().Model(&creds).OrderExpr("id").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("sushi credentials: %w", err)
	}
	byPlatform := map[int64]usage.Endpoint{}
	for _, e := range eps {
		byPlatform[e.PlatformID] = e
	}
	byEndpoint := map[int64][]usage.Credential{}
	for _, c := range creds {
		byEndpoint[c.EndpointID] = append(byEndpoint[c.EndpointID], c)
	}
	return byPlatform, byEndpoint, nil
}

func (h *handlers) mapPlatform(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	err := h.svc.MapPlatform(r.Context(), web.ActorOf(r), id, int64Param(r, "product_id"))
	if msgs := h.userError(r, err); msgs != nil {
		h.renderPlatforms(w, r, http.StatusUnprocessableEntity, map[string][]string{"map-" + r.PathValue("id"): msgs}, nil)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/usage/platforms#platform-"+strconv.FormatInt(id, 10), h.app.T(r, "uweb.platforms.mapped", nil))
}

func (h *handlers) saveEndpoint(w http.ResponseWriter, r *http.Request) {
	in := usage.EndpointInput{Platform: r.FormValue("platform"), BaseURL: strings.TrimSpace(r.FormValue("base_url")), Reports: r.FormValue("reports")}
	e, err := h.svc.SaveEndpoint(r.Context(), web.ActorOf(r), in)
	if msgs := h.userError(r, err); msgs != nil {
		key := "endpoint-" + r.FormValue("platform_id")
		h.renderPlatforms(w, r, http.StatusUnprocessableEntity, map[string][]string{key: msgs},
			map[string]string{key + ".base_url": in.BaseURL, key + ".reports": in.Reports})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/usage/platforms#platform-"+strconv.FormatInt(e.PlatformID, 10), h.app.T(r, "uweb.sushi.endpoint_saved", nil))
}

// saveCredential stores a library's access; the secrets typed go to the
// service and are never put back into the page, not even on an error.
func (h *handlers) saveCredential(w http.ResponseWriter, r *http.Request) {
	in := usage.CredentialInput{EndpointID: int64Param(r, "endpoint_id"), LibraryID: int64Param(r, "library_id"),
		CustomerID: r.FormValue("customer_id"), RequestorID: r.FormValue("requestor_id"), APIKey: r.FormValue("api_key"),
		Platform: r.FormValue("platform")}
	_, err := h.svc.SaveCredential(r.Context(), web.ActorOf(r), in)
	if msgs := h.userError(r, err); msgs != nil {
		key := "cred-" + r.FormValue("endpoint_id")
		h.renderPlatforms(w, r, http.StatusUnprocessableEntity, map[string][]string{key: msgs},
			map[string]string{key + ".customer_id": in.CustomerID, key + ".platform": in.Platform})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/usage/platforms", h.app.T(r, "uweb.sushi.credential_saved", nil))
}
