package access_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/access"
)

func changeLines(cs []access.RangeChange) string {
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%s %s %s", c.Action, strings.TrimSuffix(c.Library.Name, " bibliotek"), c.Range)
		if c.Shared {
			s += " [s]"
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// changeFixture makes, after setup, one change of each kind at the
// subscribers and one at Tromsø, which subscribes to nothing today.
func changeFixture(t *testing.T) (*fix, int64) {
	f := setup(t)
	since := f.stamp()
	f.ipRange("Bergen", "129.240.0.0/24", false)
	f.ipRange("Tromsø", "185.12.4.0/22", false)
	f.sharedRange("Bergen", "193.157.1.0/25") // marks Oslo's /24 shared first
	f.removeRange("Oslo", "158.36.10.0/24")   // shared with Bergen's /25 since setup
	f.exec("UPDATE ip_ranges SET note = 'x' WHERE library_id = ?", f.libs["Oslo"])
	return f, since
}

func TestChangesFeed(t *testing.T) {
	f, since := changeFixture(t)
	page, err := f.svc.Changes(f.ctx, f.vendorActor("PressReader"), 0, since, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `added Bergen 129.240.0.0/24
marked_shared Oslo 193.157.1.0/24 [s]
added Bergen 193.157.1.0/25 [s]
removed Oslo 158.36.10.0/24 [s]`
	if got := changeLines(page.Changes); got != want {
		t.Errorf("PressReader:\n%s\nwant\n%s", got, want)
	}
	if page.HasMore || page.Next != page.Changes[3].Cursor || page.Changes[0].Cursor <= since {
		t.Errorf("page = next %d more %v, cursors %d…%d", page.Next, page.HasMore, page.Changes[0].Cursor, page.Changes[3].Cursor)
	}
	if c := page.Changes[1]; c.Library.ISIL != "NO-0030000" || c.Library.ID != f.libs["Oslo"] || c.At.IsZero() {
		t.Errorf("change = %+v", c)
	}

	// Lovdata's only subscriber is Oslo (Bergen's terms are outdated).
	page, err = f.svc.Changes(f.ctx, admin, f.vends["Lovdata"], since, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := changeLines(page.Changes); got != "marked_shared Oslo 193.157.1.0/24 [s]\nremoved Oslo 158.36.10.0/24 [s]" {
		t.Errorf("Lovdata:\n%s", got)
	}
}

func TestChangesPaging(t *testing.T) {
	f, since := changeFixture(t)
	press := f.vendorActor("PressReader")
	var all []access.RangeChange
	cursor := since
	for i := 0; ; i++ {
		page, err := f.svc.Changes(f.ctx, press, 0, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Changes...)
		if i == 0 && (len(page.Changes) != 3 || !page.HasMore || page.Next != page.Changes[2].Cursor) {
			t.Fatalf("first page: %d changes, more %v, next %d", len(page.Changes), page.HasMore, page.Next)
		}
		cursor = page.Next
		if !page.HasMore {
			break
		}
		if i > 3 {
			t.Fatal("paging does not end")
		}
	}
	if len(all) != 4 || all[3].Action != access.ActionRemoved {
		t.Errorf("paged:\n%s", changeLines(all))
	}
	// Nothing new: an empty page keeps the cursor.
	page, err := f.svc.Changes(f.ctx, press, 0, cursor, 3)
	if err != nil || len(page.Changes) != 0 || page.Next != cursor || page.HasMore {
		t.Errorf("after the end: %+v, %v", page, err)
	}
	// From the start: setup's own ranges, Bergen's /25 added already shared.
	page, err = f.svc.Changes(f.ctx, press, 0, 0, access.MaxChangeLimit+1)
	if err != nil {
		t.Fatal(err)
	}
	if got := changeLines(page.Changes[:5]); got != "added Oslo 193.157.1.0/24\nadded Oslo 2001:700:100::/48\nadded Oslo 158.36.10.0/24\nadded Bergen 129.177.0.0/16\nmarked_shared Oslo 158.36.10.0/24 [s]" {
		t.Errorf("history:\n%s", got)
	}
}
