package enrolmentweb

import "net/http"

// registerAdmin adds the consortium's pages (filled in separately).
func registerAdmin(mux *http.ServeMux, h *Handlers) {}
