package cases_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
)

// world is a consortium with one library (and its contact), one vendor
// with its mail domain and ticket pattern, one product, and a staff user.
type world struct {
	DB        *db.DB
	Svc       *cases.Service
	Clock     *time.Time
	LibraryID int64
	VendorID  int64
	ProductID int64
	Staff     auth.Actor
}

const deskAddr = "Konsortiet <post@konsortium.test>"

func newWorld(t *testing.T) *world {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	w := &world{DB: d, Clock: &now}
	w.Svc = &cases.Service{DB: d, Address: deskAddr, Now: func() time.Time { return *w.Clock }}
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := d.NewRaw(q+" RETURNING id", args...).Scan(ctx, &id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	w.LibraryID = exec(`INSERT INTO libraries (name, type, county_number, created_at, updated_at) VALUES ('Eksempel bibliotek', 'public', '46', ?, ?)`, now, now)
	contact := exec(`INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('Kari Nordmann', 'kari@bibliotek.test', ?, ?)`, now, now)
	exec(`INSERT INTO library_contacts (library_id, contact_id, role, created_at) VALUES (?, ?, 'primary', ?)`, w.LibraryID, contact, now)
	w.VendorID = exec(`INSERT INTO vendors (name, country, support_email, mail_domains, ticket_pattern, created_at, updated_at) VALUES ('Leverandøren AS', 'NO', 'support@leverandor.test', 'leverandor.test', '\[SR-(\d+)\]', ?, ?)`, now, now)
	w.ProductID = exec(`INSERT INTO products (vendor_id, slug, name, created_at, updated_at) VALUES (?, 'lovbasen', 'Lovbasen', ?, ?)`, w.VendorID, now, now)
	staff := exec(`INSERT INTO users (email, name, role, created_at) VALUES ('sakbehandler@konsortium.test', 'Sakbehandler', 'staff', ?)`, now)
	w.Staff = auth.Actor{UserID: staff, Name: "Sakbehandler", Email: "sakbehandler@konsortium.test", Role: auth.RoleStaff}
	return w
}

func (w *world) advance(d time.Duration) { *w.Clock = w.Clock.Add(d) }

// ingest hands raw mail to the desk and fails the test on error.
func (w *world) ingest(t *testing.T, raw string) *cases.Ingested {
	t.Helper()
	got, err := w.Svc.Ingest(context.Background(), cases.Incoming{Raw: []byte(raw), Source: "test"})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return got
}

// fixture reads a real mail from the parser's corpus.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("mailmsg", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mailText builds a small RFC 5322 mail; headers are "Name: value" lines.
func mailText(headers []string, body string) string {
	return strings.Join(headers, "\r\n") + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
}

func (w *world) detail(t *testing.T, id int64) *cases.Detail {
	t.Helper()
	d, err := w.Svc.Detail(context.Background(), w.Staff, id)
	if err != nil {
		t.Fatalf("detail %d: %v", id, err)
	}
	return d
}
