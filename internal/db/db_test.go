package db_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
)

// The suite is meant to prove both engines; this makes sure the switch works.
func TestEngineFollowsTestURL(t *testing.T) {
	d := dbtest.Open(t)
	want := db.SQLite
	if os.Getenv(dbtest.EnvURL) != "" {
		want = db.Postgres
	}
	if d.Engine != want {
		t.Fatalf("engine %s, want %s", d.Engine, want)
	}
	t.Logf("running on %s", d.Engine)
}

func TestMigrateIsIdempotent(t *testing.T) {
	d := dbtest.Open(t)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	boom := errors.New("boom")
	err := d.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('A', 'a@x.example', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	n, err := d.NewSelect().Table("contacts").Count(ctx)
	if err != nil || n != 0 {
		t.Fatalf("rolled-back insert is visible: %d %v", n, err)
	}
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	ins := "INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('A', 'a@x.example', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
	if _, err := d.ExecContext(ctx, ins); err != nil {
		t.Fatal(err)
	}
	_, err := d.ExecContext(ctx, ins)
	if !db.IsUniqueViolation(err) {
		t.Fatalf("duplicate e-mail not recognised as unique violation: %v", err)
	}
}

func TestOpenRefusesUnknownURL(t *testing.T) {
	_, err := db.Open(context.Background(), "mysql://x", "")
	if err == nil {
		t.Fatal("mysql URL accepted")
	}
}
