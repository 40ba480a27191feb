// Package dbtest gives each test a fresh, migrated database: a SQLite file in
// the test's temp dir by default, or — when SAMLA_TEST_DATABASE_URL is set — a
// private schema on that PostgreSQL server, dropped when the test ends. The
// same tests thus prove both engines.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/samla-org/samla/internal/db"
)

// EnvURL names the variable that switches the suite to PostgreSQL.
const EnvURL = "SAMLA_TEST_DATABASE_URL"

// Open returns a migrated database for t.
func Open(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	pgURL := os.Getenv(EnvURL)
	if pgURL == "" {
		d, err := db.Open(ctx, "", filepath.Join(t.TempDir(), "samla.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	d, err := db.Open(ctx, u.String(), "")
	if err != nil {
		t.Fatalf("open postgres schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		d.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	return d
}

// URL returns a database URL for a subprocess (such as the e2e server) and
// registers its cleanup: a SQLite path, or a fresh PostgreSQL schema.
func URL(t testing.TB) string {
	t.Helper()
	pgURL := os.Getenv(EnvURL)
	if pgURL == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "samla.db")
	}
	ctx := context.Background()
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, _ := url.Parse(pgURL)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
