package enrolmentweb

import "net/http"

// registerLibrary adds the pages a library contact uses (filled in separately).
func registerLibrary(mux *http.ServeMux, h *Handlers) {}
