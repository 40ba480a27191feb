package rates_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/rates"
	"github.com/samla-org/samla/internal/validate"
)

var (
	admin   = auth.Actor{UserID: 0, Name: "Kari Admin", Role: auth.RoleAdmin}
	staff   = auth.Actor{Name: "Per Staff", Role: auth.RoleStaff}
	library = auth.Actor{Name: "Lise Bibliotek", Role: auth.RoleLibrary, LibraryIDs: []int64{1}}
)

type env struct {
	t   *testing.T
	ctx context.Context
	svc *rates.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	now := time.Date(2025, 5, 12, 10, 0, 0, 0, time.UTC)
	return &env{t: t, ctx: context.Background(), svc: &rates.Service{DB: dbtest.Open(t), Now: func() time.Time { return now }}}
}

func (e *env) importFile(by auth.Actor, name string, data []byte) *rates.ImportResult {
	e.t.Helper()
	res, err := e.svc.Import(e.ctx, by, name, data)
	if err != nil {
		e.t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func (e *env) count() int {
	e.t.Helper()
	n, err := e.svc.DB.NewSelect().Table("exchange_rates").Count(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return int(n)
}

func (e *env) audits(entity string) []audit.Entry {
	e.t.Helper()
	es, err := audit.List(e.ctx, e.svc.DB, audit.Query{Entity: entity})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

func (e *env) quote(currency, on string) rates.Quote {
	e.t.Helper()
	q, err := e.svc.Lookup(e.ctx, currency, calendar.Date(on))
	if err != nil {
		e.t.Fatalf("lookup %s %s: %v", currency, on, err)
	}
	return q
}

func counts(r *rates.ImportResult) string {
	return fmt.Sprintf("imported %d unchanged %d replaced %d skipped %d", r.Imported, r.Unchanged, r.Replaced, r.Skipped)
}

func TestImportNorgesBankTwiceIsUnchanged(t *testing.T) {
	e := newEnv(t)
	data := readFile(t, "norges-bank-EXR-A-SEK-NOK-no.csv")
	res := e.importFile(admin, `C:\Users\kari\Downloads\exchange_rates.csv`, data)
	if counts(res) != "imported 2 unchanged 0 replaced 0 skipped 0" || res.File != "exchange_rates.csv" ||
		res.Source != rates.SourceNorgesBank || res.From != "2021-12-31" || res.To != "2022-12-31" || strings.Join(res.Currencies, ",") != "SEK" {
		t.Fatalf("first import: %+v", res)
	}
	res = e.importFile(staff, "exchange_rates.csv", data)
	if counts(res) != "imported 0 unchanged 2 replaced 0 skipped 0" {
		t.Fatalf("second import: %+v", res)
	}
	if e.count() != 2 {
		t.Errorf("%d rows", e.count())
	}
	rows, err := e.svc.List(e.ctx, rates.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Date != "2022-12-31" || rows[0].Rate != 950_300 || rows[0].Frequency != "A" ||
		rows[0].SourceRef != "exchange_rates.csv" || rows[0].CreatedBy != "Kari Admin" || rows[1].Rate != 1_001_900 {
		t.Errorf("stored: %+v", rows)
	}
	es := e.audits("exchange_rate_import")
	if len(es) != 2 || es[0].Actor != "Per Staff" || es[1].Actor != "Kari Admin" {
		t.Fatalf("audit: %+v", es)
	}
	changes := map[string]any{}
	for _, c := range es[1].ChangeList() {
		changes[c.Field] = c.After
	}
	if changes["file"] != "exchange_rates.csv" || changes["imported"] != float64(2) || changes["from"] != "2021-12-31" {
		t.Errorf("audit changes %v", changes)
	}
}

func TestImportOnlyConsortium(t *testing.T) {
	e := newEnv(t)
	data := readFile(t, "ecb-eurofxref.csv")
	for _, by := range []auth.Actor{library, {Role: auth.RoleVendor}, {Role: auth.RoleCountyContact}, {}} {
		if _, err := e.svc.Import(e.ctx, by, "eurofxref.csv", data); !errors.Is(err, rates.ErrForbidden) {
			t.Errorf("import as %q: %v", by.Role, err)
		}
		if _, err := e.svc.AddManual(e.ctx, by, "USD", "2025-05-09", "10,37", "x"); !errors.Is(err, rates.ErrForbidden) {
			t.Errorf("manual as %q: %v", by.Role, err)
		}
	}
	if e.count() != 0 {
		t.Errorf("%d rows written", e.count())
	}
}

// A file that disagrees with a stored rate is refused whole: the new rate
// on its next line is not stored either, and the stored one is untouched.
func TestImportConflictIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.importFile(admin, "exchange_rates.csv", readFile(t, "norges-bank-EXR-A-SEK-NOK-no.csv"))
	changed := nbHeader + nbRow("A", "SEK", "NOK", "2", "2021", "100,19") + nbRow("A", "SEK", "NOK", "2", "2022", "95,04") +
		nbRow("A", "SEK", "NOK", "2", "2023", "97,10")
	_, err := e.svc.Import(e.ctx, admin, "edited.csv", []byte(changed))
	var ce *rates.ConflictError
	if !errors.As(err, &ce) || len(ce.Conflicts) != 1 {
		t.Fatalf("want one conflict, got %v", err)
	}
	c := ce.Conflicts[0]
	if c.Currency != "SEK" || c.Date != "2022-12-31" || c.Stored != 950_300 || c.InFile != 950_400 || c.Line != 3 || c.Source != "norges-bank" {
		t.Errorf("conflict %+v", c)
	}
	if !strings.Contains(err.Error(), "SEK on 2022-12-31 (norges-bank): the file says 0.950400, Samla has 0.950300") {
		t.Errorf("message %q", err)
	}
	if e.count() != 2 || e.quote("SEK", "2023-12-31").Rate != 950_300 {
		t.Errorf("the refused file left rows behind: %d", e.count())
	}
	if len(e.audits("exchange_rate_import")) != 1 {
		t.Error("a refused import was audited")
	}
}

func TestImportParseErrorStoresNothing(t *testing.T) {
	e := newEnv(t)
	bad := nbHeader + nbRow("A", "SEK", "NOK", "2", "2021", "100,19") + nbRow("A", "SEK", "EUR", "2", "2022", "9,5")
	_, err := e.svc.Import(e.ctx, admin, "bad.csv", []byte(bad))
	problemAt(t, err, 3, "QUOTE_CUR", rates.CodeQuoteCurrency)
	if e.count() != 0 {
		t.Errorf("%d rows", e.count())
	}
}

// A month-end business-day rate and that month's average share a key; the
// day's own rate is kept whichever file comes first.
func TestImportFinerFrequencyWins(t *testing.T) {
	e := newEnv(t)
	monthly := nbHeader + nbRow("M", "SEK", "NOK", "2", "2021-05", "99,418")
	daily := nbHeader + nbRow("B", "SEK", "NOK", "2", "2021-05-31", "99,20") + nbRow("B", "SEK", "NOK", "2", "2021-06-01", "99,30")

	e.importFile(admin, "monthly.csv", []byte(monthly))
	if q := e.quote("SEK", "2021-06-15"); q.Rate != 994_180 || q.Date != "2021-05-31" || q.Frequency != "M" {
		t.Fatalf("monthly average: %+v", q)
	}
	res := e.importFile(admin, "daily.csv", []byte(daily))
	if counts(res) != "imported 1 unchanged 0 replaced 1 skipped 0" {
		t.Fatalf("daily after monthly: %+v", res)
	}
	if q := e.quote("SEK", "2021-05-31"); q.Rate != 992_000 || q.Frequency != "B" || q.SourceRef != "daily.csv" {
		t.Errorf("after replacing: %+v", q)
	}
	es := e.audits("exchange_rate")
	if len(es) != 1 || es[0].Action != "update" || es[0].ChangeList()[1].Before != "0.994180" || es[0].ChangeList()[1].After != "0.992000" {
		t.Errorf("replacement audit: %+v", es)
	}
	res = e.importFile(admin, "monthly.csv", []byte(monthly))
	if counts(res) != "imported 0 unchanged 0 replaced 0 skipped 1" {
		t.Errorf("monthly again: %+v", res)
	}
	if q := e.quote("SEK", "2021-05-31"); q.Rate != 992_000 {
		t.Errorf("the average overwrote the day's rate: %+v", q)
	}
}

func TestImportECBAndLookupOrder(t *testing.T) {
	e := newEnv(t)
	res := e.importFile(admin, "eurofxref-daily.xml", readFile(t, "ecb-eurofxref-daily.xml"))
	if counts(res) != "imported 5 unchanged 0 replaced 0 skipped 0" || res.Source != "ecb" || strings.Join(res.Currencies, ",") != "SEK,EUR,USD,GBP,DKK" {
		t.Fatalf("ecb import: %+v", res)
	}
	// The ECB cross rate (see TestECBXMLReal).
	if q := e.quote("usd", "2025-05-09"); q.Rate != 10_373_711 || q.Source != "ecb" || q.Date != "2025-05-09" || q.Currency != "USD" {
		t.Errorf("USD: %+v", q)
	}
	// Norges Bank's own rate for the same day goes before the ECB's.
	e.importFile(admin, "nb.csv", []byte(nbHeader+nbRow("B", "SEK", "NOK", "2", "2025-05-09", "106,89")))
	if q := e.quote("SEK", "2025-05-09"); q.Rate != 1_068_900 || q.Source != "norges-bank" {
		t.Errorf("SEK with Norges Bank and ECB: %+v", q)
	}
	// A manual rate goes before both.
	m, err := e.svc.AddManual(e.ctx, staff, " sek ", "09.05.2025", "1,07", "  Faktura 2025-118 fra EBSCO  ")
	if err != nil {
		t.Fatal(err)
	}
	if m.Currency != "SEK" || m.Date != "2025-05-09" || m.Rate != 1_070_000 || m.Source != "manual" || m.SourceRef != "Faktura 2025-118 fra EBSCO" {
		t.Errorf("manual: %+v", m)
	}
	if q := e.quote("SEK", "2025-05-09"); q.Rate != 1_070_000 || q.Source != "manual" {
		t.Errorf("SEK with a manual rate: %+v", q)
	}
	// The latest date wins over the source order: an ECB rate a day later
	// beats the manual one.
	later := strings.Replace(string(readFile(t, "ecb-eurofxref-daily.xml")), "2025-05-09", "2025-05-10", 1)
	e.importFile(admin, "later.xml", []byte(later))
	if q := e.quote("SEK", "2025-05-11"); q.Source != "ecb" || q.Date != "2025-05-10" {
		t.Errorf("a later ECB rate: %+v", q)
	}
	if q := e.quote("SEK", "2025-05-09"); q.Source != "manual" {
		t.Errorf("lookup on the manual rate's day: %+v", q)
	}
	if err := e.svc.DeleteManual(e.ctx, admin, m.ID); err != nil {
		t.Fatal(err)
	}
	if q := e.quote("SEK", "2025-05-09"); q.Source != "norges-bank" {
		t.Errorf("after deleting the manual rate: %+v", q)
	}
	es := e.audits("exchange_rate")
	if len(es) != 2 || es[0].Action != "delete" || es[1].Action != "create" || es[1].EntityID != m.ID || es[1].Actor != "Per Staff" {
		t.Errorf("manual audit: %+v", es)
	}
}

func TestLookupHomeAndMissing(t *testing.T) {
	e := newEnv(t)
	if q := e.quote("NOK", "2025-05-09"); q.Rate != money.RateScale || q.Rate.String() != "1.000000" || q.Date != "2025-05-09" {
		t.Errorf("NOK: %+v", q)
	}
	e.importFile(admin, "exchange_rates.csv", readFile(t, "norges-bank-EXR-A-SEK-NOK-no.csv"))
	// The 2021 average is known from 31 December 2021, not before.
	_, err := e.svc.Lookup(e.ctx, "SEK", "2021-12-30")
	if !errors.Is(err, rates.ErrNoRate) || !strings.Contains(err.Error(), "SEK") || !strings.Contains(err.Error(), "2021-12-30") {
		t.Errorf("before the first rate: %v", err)
	}
	if q := e.quote("SEK", "2022-06-30"); q.Rate != 1_001_900 || q.Date != "2021-12-31" {
		t.Errorf("mid-2022: %+v", q)
	}
	if _, err := e.svc.Lookup(e.ctx, "USD", "2030-01-01"); !errors.Is(err, rates.ErrNoRate) || !strings.Contains(err.Error(), "USD on or before 2030-01-01") {
		t.Errorf("USD: %v", err)
	}
	if _, err := e.svc.Lookup(e.ctx, "SEK", "someday"); err == nil || errors.Is(err, rates.ErrNoRate) {
		t.Errorf("bad day: %v", err)
	}
	r, d, err := e.svc.RateOn(e.ctx, "SEK", "2023-01-01")
	if err != nil || r != 950_300 || d != "2022-12-31" {
		t.Errorf("RateOn = %v %v %v", r, d, err)
	}
}

func TestAddManualValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.AddManual(e.ctx, admin, "NOK", "2025-02-30", "-1", " ")
	var ve *validate.Invalid
	if !errors.As(err, &ve) {
		t.Fatalf("want validation error, got %v", err)
	}
	got := map[string]string{}
	for _, p := range ve.Problems {
		got[p.Field] = p.Code
	}
	want := map[string]string{"currency": rates.CodeManualCurrency, "date": rates.CodeManualDate, "rate": rates.CodeManualRate, "note": rates.CodeManualNote}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	for _, bad := range []string{"JPY", "", "usd dollar"} {
		if _, err := e.svc.AddManual(e.ctx, admin, bad, "2025-05-09", "10", "x"); !errors.As(err, &ve) || ve.Problems[0].Field != "currency" {
			t.Errorf("currency %q: %v", bad, err)
		}
	}
	if _, err := e.svc.AddManual(e.ctx, admin, "USD", "2025-05-09", "10,3737", strings.Repeat("x", rates.MaxNote+1)); !errors.As(err, &ve) || ve.Problems[0].Field != "note" {
		t.Errorf("long note: %v", err)
	}
	if _, err := e.svc.AddManual(e.ctx, admin, "USD", "2025-05-09", "10,3737", "avtalt kurs"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AddManual(e.ctx, admin, "USD", "2025-05-09", "10,40", "ny kurs")
	if !errors.As(err, &ve) || ve.Problems[0].Code != rates.CodeManualExists || ve.Problems[0].Args["Rate"] != money.Rate(10_373_700) {
		t.Errorf("second manual rate: %v", err)
	}
	if e.count() != 1 {
		t.Errorf("%d rows", e.count())
	}
}

func TestDeleteManualOnlyManual(t *testing.T) {
	e := newEnv(t)
	e.importFile(admin, "exchange_rates.csv", readFile(t, "norges-bank-EXR-A-SEK-NOK-no.csv"))
	rows, _ := e.svc.List(e.ctx, rates.ListFilter{})
	if err := e.svc.DeleteManual(e.ctx, admin, rows[0].ID); !errors.Is(err, rates.ErrNotFound) {
		t.Errorf("deleting a bank rate: %v", err)
	}
	if err := e.svc.DeleteManual(e.ctx, admin, 9999); !errors.Is(err, rates.ErrNotFound) {
		t.Errorf("deleting nothing: %v", err)
	}
	if err := e.svc.DeleteManual(e.ctx, library, rows[0].ID); !errors.Is(err, rates.ErrForbidden) {
		t.Errorf("library deletes: %v", err)
	}
	if e.count() != 2 {
		t.Errorf("%d rows", e.count())
	}
}

func TestListFilterAndOrder(t *testing.T) {
	e := newEnv(t)
	e.importFile(admin, "eurofxref.csv", readFile(t, "ecb-eurofxref.csv"))
	e.importFile(admin, "eurofxref-daily.xml", readFile(t, "ecb-eurofxref-daily.xml"))
	if _, err := e.svc.AddManual(e.ctx, admin, "USD", "2025-05-09", "10,40", "avtale"); err != nil {
		t.Fatal(err)
	}
	rows, err := e.svc.List(e.ctx, rates.ListFilter{Currency: "usd"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %s %s %s", r.Currency, r.Date, r.Source, r.Rate))
	}
	want := []string{"USD 2025-05-09 manual 10.400000", "USD 2025-05-09 ecb 10.373711", "USD 2018-01-25 ecb 7.726122"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("USD rows:\n got %v\nwant %v", got, want)
	}
	rows, _ = e.svc.List(e.ctx, rates.ListFilter{})
	if len(rows) != 11 || rows[0].Date != "2025-05-09" || rows[10].Date != "2018-01-25" {
		t.Errorf("all rows: %d, first %s last %s", len(rows), rows[0].Date, rows[len(rows)-1].Date)
	}
	rows, _ = e.svc.List(e.ctx, rates.ListFilter{Limit: 3, Source: "ecb", To: "2020-01-01"})
	if len(rows) != 3 || rows[0].Date != "2018-01-25" || rows[0].Currency != "DKK" {
		t.Errorf("limited: %+v", rows)
	}
}

// The ECB's full history is thousands of days; it goes in as one
// transaction in batches.
func TestImportLargeHistory(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("Date,USD,JPY,GBP,SEK,NOK,DKK,\n")
	day := time.Date(2025, 5, 9, 0, 0, 0, 0, time.UTC)
	const days = 1500
	for i := range days {
		fmt.Fprintf(&b, "%s,1.%04d,160.1,0.85,10.9%03d,11.%04d,7.46,\n", day.AddDate(0, 0, -i).Format("2006-01-02"), 1000+i, i%1000, 5000+i)
	}
	res := e.importFile(admin, "eurofxref-hist.csv", []byte(b.String()))
	if res.Imported != days*5 || res.From != "2021-04-01" || res.To != "2025-05-09" {
		t.Fatalf("history: %+v", res)
	}
	if e.count() != days*5 {
		t.Errorf("%d rows", e.count())
	}
	res = e.importFile(admin, "eurofxref-hist.csv", []byte(b.String()))
	if res.Unchanged != days*5 || res.Imported != 0 {
		t.Errorf("again: %+v", res)
	}
}
