package access_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/samla-org/samla/internal/access"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/validate"
)

// exportRows renders a list as "Library range shared[with] products" lines.
func exportRows(l *access.RangeList) string {
	var b strings.Builder
	for _, r := range l.Ranges {
		b.WriteString(strings.TrimSuffix(r.Library.Name, " bibliotek") + " " + r.Range)
		if r.Shared {
			b.WriteString(" shared[" + strings.Join(r.SharedWith, ",") + "]")
		}
		b.WriteString(" " + strings.Join(r.Products, ",") + "\n")
	}
	return b.String()
}

func TestRangesMatchTheRegistry(t *testing.T) {
	f := setup(t)
	// Unaligned: 10–20 is 10/31, 12/30, 16/30 and 20/32.
	f.ipRange("Bergen", "129.240.0.10-129.240.0.20", false)
	// The same block at two libraries is listed once in the plain formats.
	f.sharedRange("Bergen", "193.157.1.0/24")
	// Tromsø is entitled to nothing today: none of its ranges may show.
	f.ipRange("Tromsø", "185.12.4.0/22", false)

	// PressReader: Oslo and Bergen are active, Tromsø's ended last year.
	l, err := f.svc.Ranges(f.ctx, admin, f.vends["PressReader"])
	if err != nil {
		t.Fatal(err)
	}
	want := `Bergen 129.177.0.0/16 PressReader
Bergen 129.240.0.10-129.240.0.20 PressReader
Bergen 158.36.10.0/25 shared[Oslo bibliotek] PressReader
Bergen 193.157.1.0/24 shared[Oslo bibliotek] PressReader
Oslo 158.36.10.0/24 shared[Bergen bibliotek] PressReader
Oslo 193.157.1.0/24 shared[Bergen bibliotek] PressReader
Oslo 2001:700:100::/48 PressReader
`
	if got := exportRows(l); got != want {
		t.Errorf("PressReader:\n%s\nwant\n%s", got, want)
	}
	if l.VendorName != "PressReader" || l.Day != "2026-03-02" {
		t.Errorf("list = %+v", l)
	}
	oslo := l.Ranges[4]
	if oslo.Library.ISIL != "NO-0030000" || oslo.Start != "158.36.10.0" || oslo.End != "158.36.10.255" {
		t.Errorf("oslo row = %+v", oslo)
	}

	var cidr, rng bytes.Buffer
	if err := l.WriteCIDR(&cidr); err != nil {
		t.Fatal(err)
	}
	wantCIDR := `129.177.0.0/16
129.240.0.10/31
129.240.0.12/30
129.240.0.16/30
129.240.0.20/32
158.36.10.0/24
158.36.10.0/25
193.157.1.0/24
2001:700:100::/48
`
	if cidr.String() != wantCIDR {
		t.Errorf("cidr:\n%s\nwant\n%s", cidr.String(), wantCIDR)
	}
	if err := l.WriteRanges(&rng); err != nil {
		t.Fatal(err)
	}
	wantRange := `129.177.0.0-129.177.255.255
129.240.0.10-129.240.0.20
158.36.10.0-158.36.10.127
158.36.10.0-158.36.10.255
193.157.1.0-193.157.1.255
2001:700:100::-2001:700:100:ffff:ffff:ffff:ffff:ffff
`
	if rng.String() != wantRange {
		t.Errorf("range:\n%s\nwant\n%s", rng.String(), wantRange)
	}

	// Lovdata: Bergen has not accepted the current terms, so only Oslo.
	l, err = f.svc.Ranges(f.ctx, f.vendorActor("Lovdata"), 0)
	if err != nil {
		t.Fatal(err)
	}
	want = `Oslo 158.36.10.0/24 shared[Bergen bibliotek] Lovdata Pro
Oslo 193.157.1.0/24 shared[Bergen bibliotek] Lovdata Pro
Oslo 2001:700:100::/48 Lovdata Pro
`
	if got := exportRows(l); got != want {
		t.Errorf("Lovdata:\n%s\nwant\n%s", got, want)
	}

	// A vendor nobody subscribes to gets an empty list, not an error.
	f.vendor("EBSCO")
	l, err = f.svc.Ranges(f.ctx, admin, f.vends["EBSCO"])
	if err != nil || len(l.Ranges) != 0 || !l.LastChange.IsZero() {
		t.Errorf("EBSCO: %+v, %v", l, err)
	}
}

func TestRangesLastChange(t *testing.T) {
	f := setup(t)
	// A library whose range predates the audit log: its creation time counts.
	l, probs, err := f.mem.Create(f.ctx, auth.System, members.LibraryInput{Name: "Alta bibliotek", Type: "public", MunicipalityNumber: "5601"})
	if err != nil || len(probs) > 0 {
		t.Fatal(err, probs)
	}
	f.libs["Alta"] = l.ID
	old := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	ipr, _ := validate.ParseIPRange("146.172.0.0/16")
	sk, ek := ipr.Keys()
	f.exec("INSERT INTO ip_ranges (library_id, range_text, start_key, end_key, shared, note, created_at) VALUES (?, ?, ?, ?, ?, '', ?)",
		l.ID, "146.172.0.0/16", sk, ek, false, old)
	f.subscribe("Alta", "PressReader", "2026-01-01", "2026-12-31")

	var osloAt, bergenAt time.Time
	if err := f.db.NewRaw("SELECT MAX(at) FROM audit_log WHERE entity = 'ip_range' AND library_id = ?", f.libs["Oslo"]).Scan(f.ctx, &osloAt); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a later second, whatever the clock's resolution
	f.ipRange("Bergen", "129.240.0.0/24", false)
	if err := f.db.NewRaw("SELECT MAX(at) FROM audit_log WHERE entity = 'ip_range' AND library_id = ?", f.libs["Bergen"]).Scan(f.ctx, &bergenAt); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Ranges(f.ctx, admin, f.vends["PressReader"])
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]time.Time{}
	for _, r := range list.Ranges {
		seen[r.Library.Name] = r.LibraryChanged
	}
	if !seen["Alta bibliotek"].Equal(old) || !seen["Oslo bibliotek"].Equal(osloAt) || !seen["Bergen bibliotek"].Equal(bergenAt) {
		t.Errorf("library changes = %v; want Alta %s, Oslo %s, Bergen %s", seen, old, osloAt, bergenAt)
	}
	if !list.LastChange.Equal(bergenAt) || !bergenAt.After(osloAt) {
		t.Errorf("last change %s, want Bergen's %s (after Oslo's %s)", list.LastChange, bergenAt, osloAt)
	}
	if !list.Modified.Equal(bergenAt) {
		t.Errorf("modified %s, want the last range change %s", list.Modified, bergenAt)
	}
	// Who subscribes may change with no range changing: Modified follows.
	later := bergenAt.Add(time.Hour)
	f.exec("INSERT INTO audit_log (at, actor, entity, entity_id, action, changes, reason) VALUES (?, 'x', 'subscription', 1, 'delete', '[]', '')", later)
	if list, err = f.svc.Ranges(f.ctx, admin, f.vends["PressReader"]); err != nil {
		t.Fatal(err)
	}
	if !list.Modified.Equal(later) || !list.LastChange.Equal(bergenAt) {
		t.Errorf("after a subscription change: modified %s (want %s), last change %s", list.Modified, later, list.LastChange)
	}
	// And so does the day: entitlements start and end at midnight.
	f.now = calendar.MustParse("2099-02-01").Time().Add(time.Hour)
	if list, err = f.svc.Ranges(f.ctx, admin, f.vends["PressReader"]); err != nil {
		t.Fatal(err)
	}
	if !list.Modified.Equal(calendar.MustParse("2099-02-01").Time()) || len(list.Ranges) != 0 {
		t.Errorf("years later: modified %s, %d ranges", list.Modified, len(list.Ranges))
	}
}

func TestRangesSpreadsheets(t *testing.T) {
	f := setup(t)
	cat := catalog(t)
	l, err := f.svc.Ranges(f.ctx, admin, f.vends["PressReader"])
	if err != nil {
		t.Fatal(err)
	}
	var c, x bytes.Buffer
	if err := l.WriteCSV(&c, cat, "nb"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(c.Bytes(), []byte("\uFEFFBibliotek;ISIL;")) {
		t.Errorf("csv starts %q", c.String()[:min(40, c.Len())])
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Bytes(), []byte("\uFEFF"))))
	r.Comma = ';'
	csvRows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(csvRows) != 1+len(l.Ranges) {
		t.Fatalf("%d csv rows for %d ranges", len(csvRows), len(l.Ranges))
	}
	// The library's range changed today (at setup), in Oslo's calendar.
	today := string(calendar.Today(time.Now()))
	wantOslo := []string{"Oslo bibliotek", "NO-0030000", strconv.FormatInt(f.libs["Oslo"], 10), "158.36.10.0/24", "158.36.10.0", "158.36.10.255",
		"Ja", "Bergen bibliotek", "PressReader", today}
	if got := csvRows[3]; strings.Join(got, "|") != strings.Join(wantOslo, "|") {
		t.Errorf("oslo row = %q, want %q", got, wantOslo)
	}
	if got := csvRows[1]; got[0] != "Bergen bibliotek" || got[6] != "Nei" || got[7] != "" {
		t.Errorf("bergen row = %q", got)
	}

	if err := l.WriteXLSX(&x, cat, "nb"); err != nil {
		t.Fatal(err)
	}
	xf, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	if sheets := xf.GetSheetList(); len(sheets) != 1 || sheets[0] != "IP-adresser" {
		t.Fatalf("sheets %v", sheets)
	}
	xRows, err := xf.GetRows("IP-adresser")
	if err != nil {
		t.Fatal(err)
	}
	for len(xRows) > 0 && len(xRows[len(xRows)-1]) == 0 {
		xRows = xRows[:len(xRows)-1]
	}
	if len(xRows) != len(csvRows) {
		t.Fatalf("xlsx %d rows, csv %d", len(xRows), len(csvRows))
	}
	for i := range csvRows {
		// GetRows drops trailing empty cells.
		x := append(xRows[i], make([]string, len(csvRows[i])-len(xRows[i]))...)
		if strings.Join(x, "|") != strings.Join(csvRows[i], "|") {
			t.Errorf("row %d: xlsx %q, csv %q", i, x, csvRows[i])
		}
	}
	style, err := xf.GetCellStyle("IP-adresser", "A1")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := xf.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v, %v", st, err)
	}
	panes, err := xf.GetPanes("IP-adresser")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v", panes, err)
	}

	// English headers for an English reader.
	c.Reset()
	if err := l.WriteCSV(&c, cat, "en"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.String(), "Library;ISIL;Samla ID;IP range;") || !strings.Contains(c.String(), ";Yes;") {
		t.Errorf("english csv: %s", c.String())
	}
}

func TestRangesScope(t *testing.T) {
	f := setup(t)
	press := f.vendorActor("PressReader")
	for _, tc := range []struct {
		name   string
		by     auth.Actor
		vendor int64
		want   error
		code   string
	}{
		{"vendor asks for another vendor", press, f.vends["Lovdata"], access.ErrForbidden, ""},
		{"library contact", auth.Actor{Role: auth.RoleLibrary, LibraryIDs: []int64{f.libs["Oslo"]}}, f.vends["Lovdata"], access.ErrForbidden, ""},
		{"county contact", auth.Actor{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "03"}, f.vends["Lovdata"], access.ErrForbidden, ""},
		{"vendor user without a vendor", auth.Actor{Role: auth.RoleVendor}, 0, access.ErrForbidden, ""},
		{"staff without vendor", auth.Actor{Role: auth.RoleStaff}, 0, nil, access.CodeVendorRequired},
		{"unknown vendor", admin, 99999, nil, access.CodeUnknownVendor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Ranges(f.ctx, tc.by, tc.vendor)
			_, err2 := f.svc.Changes(f.ctx, tc.by, tc.vendor, 0, 0)
			for _, err := range []error{err, err2} {
				if tc.want != nil {
					if !errors.Is(err, tc.want) {
						t.Errorf("err = %v, want %v", err, tc.want)
					}
					continue
				}
				var ve *validate.Invalid
				if !errors.As(err, &ve) || ve.Problems[0].Code != tc.code || ve.Problems[0].Field != "vendor_id" {
					t.Errorf("err = %v, want %s", err, tc.code)
				}
			}
		})
	}
	// A vendor's own id, or none, is its own list.
	for _, id := range []int64{0, f.vends["PressReader"]} {
		l, err := f.svc.Ranges(f.ctx, press, id)
		if err != nil || l.VendorID != f.vends["PressReader"] || len(l.Ranges) == 0 {
			t.Errorf("own list with %d: %+v, %v", id, l, err)
		}
	}
}
