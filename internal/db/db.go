// Package db opens Samla's database — embedded SQLite by default, PostgreSQL
// by URL — and applies the embedded migrations. It is the only place that
// knows which engine runs; everything above talks to bun.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)

	"github.com/samla-org/samla/migrations"
)

// Engine names the database engine in use.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is the application's handle: bun for queries, plus which engine it is.
type DB struct {
	*bun.DB
	Engine Engine

	commits atomic.Int64
}

// Open connects to the database named by url, or to a SQLite file at
// sqlitePath when url is empty, and migrates it to the newest schema.
func Open(ctx context.Context, rawURL, sqlitePath string) (*DB, error) {
	d, err := connect(rawURL, sqlitePath)
	if err != nil {
		return nil, err
	}
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.Engine, err)
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func connect(rawURL, sqlitePath string) (*DB, error) {
	if rawURL == "" || strings.HasPrefix(rawURL, "sqlite:") || strings.HasPrefix(rawURL, "file:") {
		path := sqlitePath
		if rawURL != "" {
			path = strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
		}
		return openSQLite(path)
	}
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		sqldb, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqldb.SetMaxOpenConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Engine: Postgres}, nil
	}
	return nil, fmt.Errorf("database URL %q: want postgres://… or sqlite:PATH", redact(rawURL))
}

// openSQLite uses one connection: SQLite allows one writer at a time, and a
// single pooled connection turns lock contention (SQLITE_BUSY) into plain
// queueing in Go instead of errors. busy_timeout is set before WAL because
// switching journal mode itself can meet a lock.
func openSQLite(path string) (*DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 64 MiB of page cache instead of the default 2 MB: the usage facts
	// run to tens of millions of rows, and inserting into their index with
	// a small cache re-reads the same pages from disk over and over.
	q.Add("_pragma", "cache_size(-65536)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	sqldb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetConnMaxLifetime(0)
	return &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), Engine: SQLite}, nil
}

// Migrate applies every embedded migration that has not run yet.
func (d *DB) Migrate(ctx context.Context) error {
	dialect, dir := goose.DialectSQLite3, "sqlite"
	if d.Engine == Postgres {
		dialect, dir = goose.DialectPostgres, "postgres"
	}
	fsys, err := migrations.For(dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, d.DB.DB, fsys)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s database: %w", d.Engine, err)
	}
	return nil
}

// Tx runs fn in one transaction: everything fn writes lands, or nothing does.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	err := d.RunInTx(ctx, nil, fn)
	if err == nil {
		d.commits.Add(1)
	}
	return err
}

// Commits counts the transactions this process has committed through Tx.
// Every change to the registry is one, so a cache filled while Commits was
// n is still true while it is n (for this process's own changes).
func (d *DB) Commits() int64 { return d.commits.Load() }

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either engine, so callers can turn a race into a clear message.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}

// ErrNoRows is re-exported so domain code need not import database/sql.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means "nothing found".
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User(u.User.Username())
	return u.String()
}
