package usage_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/usage"
)

type world struct {
	DB    *db.DB
	Svc   *usage.Service
	Libs  []int64
	Clock *time.Time
}

var admin = auth.Actor{UserID: 1, Name: "Admin", Role: auth.RoleAdmin}

func newWorld(t testing.TB, libraries int) *world {
	t.Helper()
	d := dbtest.Open(t)
	now := time.Date(2024, 4, 10, 8, 0, 0, 0, time.UTC)
	w := &world{DB: d, Clock: &now}
	w.Svc = &usage.Service{DB: d, Now: func() time.Time { return *w.Clock }, Key: bytes.Repeat([]byte{7}, 32)}
	for i := 0; i < libraries; i++ {
		var id int64
		if err := d.NewRaw(`INSERT INTO libraries (name, type, country, county_number, isil, created_at, updated_at) VALUES (?, 'public', 'NO', ?, ?, ?, ?) RETURNING id`,
			"Bibliotek "+string(rune('A'+i)), []string{"46", "03", "50"}[i%3], "NO-00000"+string(rune('1'+i)), now, now).Scan(context.Background(), &id); err != nil {
			t.Fatal(err)
		}
		w.Libs = append(w.Libs, id)
	}
	return w
}

// sample is one of COUNTER's official sample reports.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("counter", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *world) importFile(t *testing.T, lib int64, name string, data []byte) *usage.ImportResult {
	t.Helper()
	res, err := w.Svc.Import(context.Background(), admin, usage.ImportInput{LibraryID: lib, FileName: name, Keep: data}, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func (w *world) count(t testing.TB, table string) int {
	t.Helper()
	n, err := w.DB.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
