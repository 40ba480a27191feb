package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
)

// getWith sends a GET with extra headers (name, value, …).
func (e *env) getWith(token, path string, headers ...string) resp {
	e.t.Helper()
	return e.send(token, http.MethodGet, path, nil, headers...)
}

// vendorWithProduct adds a vendor with one product and returns the ids.
func (e *env) vendorWithProduct(name string) (vendor, product int64) {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	if err := e.svc.DB.NewRaw("INSERT INTO vendors (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id", name, now, now).Scan(ctx, &vendor); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.DB.NewRaw("INSERT INTO products (vendor_id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		vendor, strings.ToLower(name), name+" Online", now, now).Scan(ctx, &product); err != nil {
		e.t.Fatal(err)
	}
	return vendor, product
}

func (e *env) subscribe(library, product int64) {
	e.t.Helper()
	if _, err := e.svc.DB.NewRaw("INSERT INTO subscriptions (library_id, product_id, starts_on, ends_on, created_at) VALUES (?, ?, ?, ?, ?)",
		library, product, "2000-01-01", "2099-12-31", time.Now().UTC()).Exec(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func TestAccessRangesOverHTTP(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	oslo := e.create(admin, osloInput())
	bergen := e.create(admin, map[string]any{"name": "Bergen bibliotek", "type": "public", "country": "NO", "municipality_number": "4601"})
	for _, r := range []string{"158.36.10.0/24", "2001:700:100::/48", "129.240.0.10-129.240.0.20"} {
		e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", oslo.ID), map[string]any{"range": r}).must(t, http.StatusCreated, nil)
	}
	e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", bergen.ID), map[string]any{"range": "129.177.0.0/16"}).must(t, http.StatusCreated, nil)
	press, pressProduct := e.vendorWithProduct("PressReader Ågesen")
	lovdata, lovdataProduct := e.vendorWithProduct("Lovdata")
	e.subscribe(oslo.ID, pressProduct)
	e.subscribe(bergen.ID, lovdataProduct)
	pressToken := e.token(auth.NewUser{Role: auth.RoleVendor, VendorID: &press})
	today := calendar.Today(time.Now())

	// One CIDR per line, the unaligned range split; Bergen has no PressReader.
	r := e.getWith(pressToken, "/access/ranges?format=cidr")
	r.must(t, http.StatusOK, nil)
	want := "129.240.0.10/31\n129.240.0.12/30\n129.240.0.16/30\n129.240.0.20/32\n158.36.10.0/24\n2001:700:100::/48\n"
	if string(r.Body) != want {
		t.Errorf("cidr:\n%s\nwant\n%s", r.Body, want)
	}
	if ct, cd := r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"); ct != "text/plain; charset=utf-8" ||
		cd != fmt.Sprintf(`attachment; filename="samla-ip-ranges-pressreader-agesen-%s.cidr.txt"`, today) {
		t.Errorf("cidr headers: %q, %q", ct, cd)
	}
	r = e.getWith(pressToken, "/access/ranges?format=range")
	r.must(t, http.StatusOK, nil)
	if string(r.Body) != "129.240.0.10-129.240.0.20\n158.36.10.0-158.36.10.255\n2001:700:100::-2001:700:100:ffff:ffff:ffff:ffff:ffff\n" {
		t.Errorf("range:\n%s", r.Body)
	}

	// CSV for the consortium, which names the vendor.
	r = e.getWith(admin, fmt.Sprintf("/access/ranges?format=csv&vendor_id=%d", press), "Accept-Language", "en")
	r.must(t, http.StatusOK, nil)
	body := string(r.Body)
	if !strings.HasPrefix(body, "\uFEFFLibrary;ISIL;Samla ID;IP range;Start address;") ||
		!strings.Contains(body, fmt.Sprintf("Deichman Oslo;NO-2030000;%d;129.240.0.10-129.240.0.20;129.240.0.10;129.240.0.20;No;;PressReader Ågesen Online;%s\r\n", oslo.ID, today)) ||
		strings.Contains(body, "129.177") || strings.Count(body, "\r\n") != 4 {
		t.Errorf("csv:\n%s", body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.HasSuffix(r.Header.Get("Content-Disposition"), `.csv"`) {
		t.Errorf("csv headers %v", r.Header)
	}

	// Conditional requests.
	lm := r.Header.Get("Last-Modified")
	modified, err := http.ParseTime(lm)
	if err != nil || time.Since(modified) > time.Minute {
		t.Fatalf("Last-Modified %q: %v", lm, err)
	}
	r = e.getWith(admin, fmt.Sprintf("/access/ranges?format=csv&vendor_id=%d", press), "If-Modified-Since", lm)
	if r.Status != http.StatusNotModified || len(r.Body) != 0 {
		t.Errorf("If-Modified-Since %s: %d %s", lm, r.Status, r.Body)
	}
	r = e.getWith(pressToken, "/access/ranges?format=cidr", "If-Modified-Since", modified.Add(-time.Second).Format(http.TimeFormat))
	if r.Status != http.StatusOK || string(r.Body) != want {
		t.Errorf("older copy: %d %s", r.Status, r.Body)
	}
	etag := r.Header.Get("ETag")
	if r = e.getWith(pressToken, "/access/ranges?format=cidr", "If-None-Match", etag); etag == "" || r.Status != http.StatusNotModified {
		t.Errorf("If-None-Match %q: %d", etag, r.Status)
	}
	// A new range is news: the old Last-Modified no longer holds.
	time.Sleep(1100 * time.Millisecond)
	e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", oslo.ID), map[string]any{"range": "193.157.1.0/24"}).must(t, http.StatusCreated, nil)
	r = e.getWith(pressToken, "/access/ranges?format=cidr", "If-Modified-Since", lm, "Accept", "*/*")
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "193.157.1.0/24\n") {
		t.Errorf("after a change: %d %s", r.Status, r.Body)
	}
	if r = e.getWith(pressToken, "/access/ranges?format=cidr", "If-None-Match", etag); r.Status != http.StatusOK {
		t.Errorf("stale etag: %d", r.Status)
	}

	// XLSX holds the same rows; JSON is the default.
	r = e.getWith(pressToken, "/access/ranges?format=xlsx")
	r.must(t, http.StatusOK, nil)
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetList()[0])
	x.Close()
	if err != nil || len(rows) != 5 || rows[0][0] != "Bibliotek" || rows[1][3] != "129.240.0.10-129.240.0.20" {
		t.Errorf("xlsx rows %q, %v", rows, err)
	}
	var list struct {
		VendorID int64 `json:"vendor_id"`
		Ranges   []struct {
			Library struct {
				ID int64 `json:"id"`
			} `json:"library"`
			Range    string   `json:"range"`
			Products []string `json:"products"`
		} `json:"ranges"`
	}
	e.getWith(pressToken, "/access/ranges").must(t, http.StatusOK, &list)
	if list.VendorID != press || len(list.Ranges) != 4 || list.Ranges[0].Library.ID != oslo.ID || list.Ranges[0].Products[0] != "PressReader Ågesen Online" {
		t.Errorf("json: %+v", list)
	}

	// Scoping.
	if r := e.getWith(pressToken, fmt.Sprintf("/access/ranges?vendor_id=%d", lovdata)); r.Status != http.StatusForbidden {
		t.Errorf("vendor reads another vendor: %d", r.Status)
	}
	if r := e.getWith(pressToken, fmt.Sprintf("/access/changes?vendor_id=%d", lovdata)); r.Status != http.StatusForbidden {
		t.Errorf("vendor reads another vendor's changes: %d", r.Status)
	}
	if r := e.getWith(e.role(auth.RoleLibrary), fmt.Sprintf("/access/ranges?vendor_id=%d", press)); r.Status != http.StatusForbidden {
		t.Errorf("library contact: %d", r.Status)
	}
	if r := e.getWith(admin, "/access/ranges"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("staff without vendor_id: %d %s", r.Status, r.Body)
	}

	// The feed: Oslo's four ranges, in pages; nothing of Bergen's.
	type page struct {
		Changes []struct {
			Cursor  int64  `json:"cursor"`
			Action  string `json:"action"`
			Range   string `json:"range"`
			Library struct {
				ISIL string `json:"isil"`
			} `json:"library"`
		} `json:"changes"`
		Next    int64 `json:"next"`
		HasMore bool  `json:"has_more"`
	}
	var p1, p2 page
	e.getWith(pressToken, "/access/changes?limit=3").must(t, http.StatusOK, &p1)
	if len(p1.Changes) != 3 || !p1.HasMore || p1.Changes[0].Action != "added" || p1.Changes[0].Range != "158.36.10.0/24" || p1.Changes[0].Library.ISIL != "NO-2030000" {
		t.Fatalf("first page: %+v", p1)
	}
	e.getWith(pressToken, fmt.Sprintf("/access/changes?since=%d&limit=3", p1.Next)).must(t, http.StatusOK, &p2)
	if len(p2.Changes) != 1 || p2.HasMore || p2.Changes[0].Range != "193.157.1.0/24" || p2.Next != p2.Changes[0].Cursor {
		t.Errorf("second page: %+v", p2)
	}
	if r := e.getWith(pressToken, "/access/changes?limit=5001"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("limit over 5000: %d", r.Status)
	}
}
