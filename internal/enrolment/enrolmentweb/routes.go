// Package enrolmentweb is the HTML interface for agreements, enrolment
// windows, trials, subscriptions, terms acceptance and data processing
// agreements.
package enrolmentweb

import (
	"net/http"

	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/web"
)

// Register adds the enrolment pages to mux.
func Register(mux *http.ServeMux, app *web.App, svc *enrolment.Service) error { return nil }
