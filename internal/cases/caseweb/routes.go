// Package caseweb is the case desk's pages. (Being written.)
package caseweb

import (
	"net/http"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web"
)

// Deps are the services the pages use.
type Deps struct {
	Cases    *cases.Service
	Members  *members.Service
	Products *products.Service
	Users    *auth.Service
}

// Register adds the case desk's routes.
func Register(mux *http.ServeMux, app *web.App, d Deps) error { return nil }
