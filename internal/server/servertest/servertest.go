// Package servertest serves the whole application over real HTTP on a fresh
// database, for the API, web and browser tests. It runs on SQLite, or on
// PostgreSQL when SAMLA_TEST_DATABASE_URL is set (see dbtest).
package servertest

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/server"
)

// Start serves server.Handler on 127.0.0.1 over a fresh database; log may be
// nil to discard the application's log.
func Start(t testing.TB, log *slog.Logger) (*httptest.Server, *server.Services) {
	t.Helper()
	s, err := server.NewServices(dbtest.Open(t))
	if err != nil {
		t.Fatalf("services: %v", err)
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h, err := server.Handler(s, t.TempDir(), log)
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, s
}
