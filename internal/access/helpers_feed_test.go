package access_test

import (
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/members"
)

// sharedRange adds a range an admin confirms is shared with another library.
func (f *fix) sharedRange(lib, r string) {
	f.t.Helper()
	f.ipRange(lib, r, true)
}

// removeRange deletes a library's range by its text.
func (f *fix) removeRange(lib, text string) {
	f.t.Helper()
	if err := f.mem.RemoveIPRange(f.ctx, admin, f.libs[lib], f.rangeOf(lib, text).ID); err != nil {
		f.t.Fatal(err)
	}
}

// vendorUser adds a user of the vendor's.
func (f *fix) vendorUser(vendor, email, locale string, disabled bool) {
	f.t.Helper()
	f.exec("INSERT INTO users (email, name, role, vendor_id, locale, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		email, email, string(auth.RoleVendor), f.vends[vendor], locale, disabled, time.Now().UTC())
}

// stamp is the highest audit id now.
func (f *fix) stamp() int64 {
	f.t.Helper()
	n, err := f.svc.Stamp(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rangeOf finds a library's range by its text.
func (f *fix) rangeOf(lib, text string) members.IPRange {
	f.t.Helper()
	rs, err := f.mem.IPRanges(f.ctx, admin, f.libs[lib])
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range rs {
		if r.RangeText == text {
			return r
		}
	}
	f.t.Fatalf("%s has no range %s", lib, text)
	return members.IPRange{}
}
