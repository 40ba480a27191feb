// Package productweb is the HTML interface for vendors and products,
// including the public product catalogue.
package productweb

import (
	"net/http"

	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/web"
)

// Register adds the product pages to mux.
func Register(mux *http.ServeMux, app *web.App, svc *products.Service) error { return nil }
