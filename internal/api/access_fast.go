package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/samla-org/samla/internal/access"
)

// AccessLookupFast answers GET /api/v1/access/ip/{address} — the call
// vendors make thousands of times a second — without huma's per-request
// reflection, which costs more than the lookup itself (see
// BenchmarkAccessLookupHandler and bench/access-lookup.sh). It serves only
// answers that succeed: a missing or bad token, a bad address, a role that
// may not look up, any error goes on to api, the huma operation of the same
// path, so errors read exactly as the rest of the API's and the OpenAPI
// document still describes the route. TestAccessLookupFastMatchesAPI holds
// the two to the same bytes.
func AccessLookupFast(d Deps, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			api.ServeHTTP(w, r)
			return
		}
		a, err := d.Users.ActorForToken(r.Context(), strings.TrimSpace(token))
		if err != nil {
			api.ServeHTTP(w, r)
			return
		}
		res, err := d.Access.Lookup(r.Context(), a, r.PathValue("address"))
		if err != nil {
			api.ServeHTTP(w, r)
			return
		}
		buf := lookupBufs.Get().(*bytes.Buffer)
		defer lookupBufs.Put(buf)
		buf.Reset()
		if err := json.NewEncoder(buf).Encode(describedResult{Schema: schemaURL(r, resultSchema), Result: res}); err != nil {
			api.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Link", "<"+resultSchema+`>; rel="describedBy"`)
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		_, _ = w.Write(buf.Bytes())
	})
}

// describedResult is the document huma writes for a Result: its schema
// link first, then the result's own fields.
type describedResult struct {
	Schema string `json:"$schema"`
	*access.Result
}

const resultSchema = Prefix + "/schemas/Result.json"

var lookupBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// schemaURL is the absolute schema address as huma's schema link
// transformer makes it from the request (forwarded host first).
func schemaURL(r *http.Request, ref string) string {
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		for part := range strings.SplitSeq(r.Header.Get("Forwarded"), ",") {
			for directive := range strings.SplitSeq(part, ";") {
				directive = strings.TrimSpace(directive)
				if strings.HasPrefix(strings.ToLower(directive), "host=") && host == "" {
					host = strings.Trim(directive[5:], `"`)
				}
			}
		}
	}
	if host == "" {
		host = r.Host
	}
	if host == "" {
		host = "localhost"
	}
	if strings.Contains(host, "://") {
		return host + ref
	}
	if r.TLS == nil && (strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "127.0.0.1")) {
		return "http://" + host + ref
	}
	return "https://" + host + ref
}
