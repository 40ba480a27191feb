package access_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/access"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/db/dbtest"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
)

var admin = auth.Actor{Name: "Admin", Role: auth.RoleAdmin}

// fix is a small consortium: Oslo and Bergen share 158.36.10.0/25, Lovdata
// requires its terms to be accepted and PressReader does not.
type fix struct {
	t     *testing.T
	ctx   context.Context
	db    *db.DB
	mem   *members.Service
	svc   *access.Service
	now   time.Time
	user  int64
	libs  map[string]int64
	prods map[string]int64
	vends map[string]int64
	lics  map[string]int64 // "Lovdata v2" → licence version id
}

func setup(t *testing.T) *fix {
	t.Helper()
	d := dbtest.Open(t)
	f := &fix{t: t, ctx: context.Background(), db: d, mem: &members.Service{DB: d},
		libs: map[string]int64{}, prods: map[string]int64{}, vends: map[string]int64{}, lics: map[string]int64{}}
	f.now = calendar.MustParse("2026-03-02").Time().Add(12 * time.Hour)
	clock := func() time.Time { return f.now }
	enr := &enrolment.Service{DB: d, Products: &products.Service{DB: d}, Now: clock}
	f.svc = &access.Service{DB: d, Enrolment: enr, Now: clock}

	f.exec("INSERT INTO users (email, name, role, created_at) VALUES (?, ?, ?, ?)", "kari@oslo.example", "Kari", "library", time.Now().UTC())
	if err := d.NewRaw("SELECT id FROM users WHERE email = ?", "kari@oslo.example").Scan(f.ctx, &f.user); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Oslo", "Bergen", "Tromsø"} {
		l, probs, err := f.mem.Create(f.ctx, auth.System, members.LibraryInput{Name: n + " bibliotek", Type: "public", MunicipalityNumber: n})
		if err != nil || len(probs) > 0 {
			t.Fatalf("library %s: %v %v", n, err, probs)
		}
		f.libs[n] = l.ID
	}
	f.exec("UPDATE libraries SET isil = ? WHERE id = ?", "NO-0030000", f.libs["Oslo"])
	f.vendor("Lovdata")
	f.vendor("PressReader")
	f.product("Lovdata", "Lovdata Pro", true)
	f.product("PressReader", "PressReader", false)
	f.vendor("Retriever")
	f.product("Retriever", "Atekst", false)
	f.exec("UPDATE products SET processes_personal_data = ? WHERE id = ?", true, f.prods["Atekst"])
	f.licence("Lovdata Pro", 1)
	f.licence("Lovdata Pro", 2)

	f.ipRange("Oslo", "193.157.1.0/24", false)
	f.ipRange("Oslo", "2001:700:100::/48", false)
	f.ipRange("Oslo", "158.36.10.0/24", false)
	f.ipRange("Bergen", "129.177.0.0/16", false)
	f.ipRange("Bergen", "158.36.10.0/25", true)
	f.ipRange("Tromsø", "128.39.0.0/20", false)

	for _, l := range []string{"Oslo", "Bergen"} {
		f.subscribe(l, "Lovdata Pro", "2026-01-01", "2026-12-31")
		f.subscribe(l, "PressReader", "2026-01-01", "2026-12-31")
	}
	f.subscribe("Tromsø", "PressReader", "2025-01-01", "2025-12-31")
	f.subscribe("Tromsø", "Lovdata Pro", "2026-06-01", "2026-12-31")
	f.subscribe("Tromsø", "Atekst", "2026-01-01", "2026-12-31")
	f.subscribe("Oslo", "Atekst", "2026-01-01", "2026-12-31")
	f.subscribe("Oslo", "Atekst", "2025-01-01", "2025-12-31") // last year's, ended: this year's counts
	// Tromsø's agreement with Retriever expired in January; Oslo's holds.
	f.agreement("Tromsø", "Retriever", "2025-01-01", "2026-01-31")
	f.agreement("Oslo", "Retriever", "2025-01-01", "")
	f.accept("Oslo", "Lovdata Pro", 2)
	f.accept("Bergen", "Lovdata Pro", 1) // an old version: Bergen must accept again
	f.accept("Tromsø", "Lovdata Pro", 2)
	return f
}

func (f *fix) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.NewRaw(q, args...).Exec(f.ctx); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fix) vendor(name string) {
	f.t.Helper()
	v := &products.Vendor{Name: name, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(v).Exec(f.ctx); err != nil {
		f.t.Fatalf("vendor %s: %v", name, err)
	}
	f.vends[name] = v.ID
}

func (f *fix) product(vendor, name string, terms bool) {
	f.t.Helper()
	p := &products.Product{VendorID: f.vends[vendor], Slug: strings.ToLower(strings.ReplaceAll(name, " ", "-")), Name: name,
		RequiresTermsAcceptance: terms, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(p).Exec(f.ctx); err != nil {
		f.t.Fatalf("product %s: %v", name, err)
	}
	f.prods[name] = p.ID
}

func (f *fix) licence(product string, version int) {
	f.t.Helper()
	lv := &products.LicenceVersion{ProductID: f.prods[product], Version: version, Text: "Vilkår", TermsJSON: "{}", CreatedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(lv).Exec(f.ctx); err != nil {
		f.t.Fatalf("licence: %v", err)
	}
	f.lics[product+" v"+string(rune('0'+version))] = lv.ID
}

func (f *fix) accept(lib, product string, version int) {
	f.t.Helper()
	ta := &enrolment.TermsAcceptance{LibraryID: f.libs[lib], ProductID: f.prods[product],
		LicenceVersionID: f.lics[product+" v"+string(rune('0'+version))], UserID: f.user, AcceptedBy: "Kari", AcceptedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(ta).Exec(f.ctx); err != nil {
		f.t.Fatalf("accept: %v", err)
	}
}

func (f *fix) subscribe(lib, product, from, to string) {
	f.t.Helper()
	s := &enrolment.Subscription{LibraryID: f.libs[lib], ProductID: f.prods[product], StartsOn: calendar.Date(from), EndsOn: calendar.Date(to), CreatedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(s).Exec(f.ctx); err != nil {
		f.t.Fatalf("subscribe: %v", err)
	}
}

func (f *fix) agreement(lib, vendor, signed, expires string) {
	f.t.Helper()
	d := &enrolment.DataProcessingAgreement{LibraryID: f.libs[lib], VendorID: f.vends[vendor], SignedOn: calendar.Date(signed),
		ExpiresOn: calendar.Date(expires), SignedBy: "Kari", CreatedAt: time.Now().UTC()}
	if _, err := f.db.NewInsert().Model(d).Exec(f.ctx); err != nil {
		f.t.Fatalf("agreement: %v", err)
	}
}

func (f *fix) ipRange(lib, r string, shared bool) {
	f.t.Helper()
	if _, err := f.mem.AddIPRange(f.ctx, admin, f.libs[lib], members.IPInput{Range: r, ConfirmShared: shared}); err != nil {
		f.t.Fatalf("range %s for %s: %v", r, lib, err)
	}
}

func (f *fix) vendorActor(name string) auth.Actor {
	return auth.Actor{Name: name, Role: auth.RoleVendor, VendorID: f.vends[name]}
}

// summary renders a result as "Library[s]: Product=ok|reason; …" per library.
func summary(r *access.Result) string {
	var b strings.Builder
	for i, l := range r.Libraries {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(strings.TrimSuffix(l.Name, " bibliotek"))
		if l.Shared {
			b.WriteString("[s]")
		}
		b.WriteString(":")
		for j, p := range l.Products {
			if j > 0 {
				b.WriteString(";")
			}
			b.WriteString(" " + p.Name + "=")
			if p.Entitled {
				b.WriteString("ok")
			} else {
				b.WriteString(p.Reason)
			}
		}
	}
	return b.String()
}

func TestLookup(t *testing.T) {
	f := setup(t)
	if err := f.svc.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	lovdata, press := f.vendorActor("Lovdata"), f.vendorActor("PressReader")
	staff := auth.Actor{Name: "Staff", Role: auth.RoleStaff}
	for _, tc := range []struct {
		name string
		by   auth.Actor
		addr string
		want string
	}{
		{"ipv4 hit", admin, "193.157.1.7", "Oslo: Atekst=ok; Lovdata Pro=ok; PressReader=ok"},
		{"ipv6 hit", staff, "2001:700:100:5::1", "Oslo: Atekst=ok; Lovdata Pro=ok; PressReader=ok"},
		{"ipv4-mapped reads as ipv4", admin, "::ffff:193.157.1.7", "Oslo: Atekst=ok; Lovdata Pro=ok; PressReader=ok"},
		{"ipv4 miss", admin, "193.157.2.7", ""},
		{"ipv6 miss", admin, "2001:700:101::1", ""},
		// Bergen has accepted only an old licence version: its own Lovdata
		// is pending, and Oslo's Lovdata is withheld on the shared block.
		{"shared with a library without terms", admin, "158.36.10.5",
			"Oslo[s]: Atekst=ok; Lovdata Pro=terms_not_accepted_by_sharing_library; PressReader=ok | Bergen[s]: Lovdata Pro=terms_not_accepted; PressReader=ok"},
		// The registry marked Oslo's /24 shared when Bergen's /25 came, but
		// outside Bergen's half only Oslo's own acceptance counts.
		{"outside the shared half", admin, "158.36.10.200", "Oslo[s]: Atekst=ok; Lovdata Pro=ok; PressReader=ok"},
		{"own terms not accepted", admin, "129.177.40.1", "Bergen: Lovdata Pro=terms_not_accepted; PressReader=ok"},
		{"upcoming and ended", admin, "128.39.1.1", "Tromsø: Atekst=agreement_missing; Lovdata Pro=not_started; PressReader=ended"},
		{"vendor sees its own product", lovdata, "193.157.1.7", "Oslo: Lovdata Pro=ok"},
		{"other vendor sees its own product", press, "193.157.1.7", "Oslo: PressReader=ok"},
		{"vendor on shared block", lovdata, "158.36.10.5",
			"Oslo[s]: Lovdata Pro=terms_not_accepted_by_sharing_library | Bergen[s]: Lovdata Pro=terms_not_accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.svc.Lookup(f.ctx, tc.by, tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(r); got != tc.want {
				t.Errorf("%s:\n got %q\nwant %q", tc.addr, got, tc.want)
			}
		})
	}

	r, err := f.svc.Lookup(f.ctx, admin, "193.157.1.7")
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Libraries[0]; l.ID != f.libs["Oslo"] || l.ISIL != "NO-0030000" || r.Day != "2026-03-02" || r.Address != "193.157.1.7" {
		t.Errorf("result = %+v", r)
	}
}

func TestLookupVendorSeesNoOtherLibraries(t *testing.T) {
	f := setup(t)
	// A vendor with no product at Oslo learns nothing about Oslo.
	f.vendor("EBSCO")
	f.product("EBSCO", "Academic Search", false)
	ebsco := f.vendorActor("EBSCO")
	r, err := f.svc.Lookup(f.ctx, ebsco, "193.157.1.7")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Libraries) != 0 {
		t.Errorf("EBSCO sees %s", summary(r))
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"libraries":[]`) {
		t.Errorf("json = %s, want empty libraries list", js)
	}
	// The consortium sees a covered library even without products, with
	// an empty (not null) list.
	f.exec("DELETE FROM subscriptions WHERE library_id = ?", f.libs["Tromsø"])
	if err := f.svc.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.Lookup(f.ctx, admin, "128.39.1.1")
	if err != nil {
		t.Fatal(err)
	}
	js, _ = json.Marshal(r)
	if !strings.Contains(string(js), `"name":"Tromsø bibliotek","isil":"","shared":false,"products":[]`) {
		t.Errorf("json = %s", js)
	}
}

func TestLookupRejects(t *testing.T) {
	f := setup(t)
	for _, by := range []auth.Actor{
		{Role: auth.RoleLibrary, LibraryIDs: []int64{f.libs["Oslo"]}},
		{Role: auth.RoleCountyContact, Country: "NO", CountyNumber: "03"},
		{Role: auth.RoleVendor}, // a vendor user without a vendor
	} {
		if _, err := f.svc.Lookup(f.ctx, by, "193.157.1.7"); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: err = %v, want ErrForbidden", by.Role, err)
		}
		if _, err := f.svc.LookupMany(f.ctx, by, []string{"193.157.1.7"}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s batch: err = %v, want ErrForbidden", by.Role, err)
		}
	}
	for _, bad := range []string{"not-an-ip", "", "193.157.1.0/24", "fe80::1%eth0", "193.157.1.256"} {
		_, err := f.svc.Lookup(f.ctx, admin, bad)
		var ve *validate.Invalid
		if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Value != bad || ve.Problems[0].Code != validate.CodeIPSyntax {
			t.Errorf("%q: err = %v, want a validation error naming it", bad, err)
		}
	}
}

func TestLookupMany(t *testing.T) {
	f := setup(t)
	rs, err := f.svc.LookupMany(f.ctx, f.vendorActor("Lovdata"), []string{"193.157.1.7", "8.8.8.8", " 2001:700:100::9 "})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range rs {
		got = append(got, rs[i].Address+" → "+summary(&rs[i]))
	}
	want := "193.157.1.7 → Oslo: Lovdata Pro=ok, 8.8.8.8 → , 2001:700:100::9 → Oslo: Lovdata Pro=ok"
	if strings.Join(got, ", ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, ", "), want)
	}

	_, err = f.svc.LookupMany(f.ctx, admin, []string{"193.157.1.7", "x", "1.2.3", "::1"})
	var ve *validate.Invalid
	if !errors.As(err, &ve) || len(ve.Problems) != 2 || ve.Problems[0].Field != "addresses[1]" || ve.Problems[1].Value != "1.2.3" {
		t.Errorf("err = %v, want problems for addresses[1] and [2]", err)
	}
	many := make([]string, access.MaxBatch+1)
	for i := range many {
		many[i] = "193.157.1.7"
	}
	if _, err := f.svc.LookupMany(f.ctx, admin, many); !errors.As(err, &ve) || ve.Problems[0].Code != access.CodeTooMany {
		t.Errorf("err = %v, want %s", err, access.CodeTooMany)
	}
	if rs, err := f.svc.LookupMany(f.ctx, admin, many[:access.MaxBatch]); err != nil || len(rs) != access.MaxBatch {
		t.Errorf("%d results, err %v", len(rs), err)
	}
}

func TestRebuildShowsChanges(t *testing.T) {
	f := setup(t)
	if err := f.svc.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	before := f.svc.Current()
	addr := netip.MustParseAddr("185.12.4.9")
	if ms := before.Lookup(addr); len(ms) != 0 {
		t.Fatalf("before: %d matches", len(ms))
	}
	stamp, err := f.svc.Stamp(f.ctx)
	if err != nil || stamp != before.Stamp {
		t.Fatalf("stamp %d (err %v), index built at %d", stamp, err, before.Stamp)
	}
	f.ipRange("Tromsø", "185.12.4.0/22", false)
	if stamp, _ := f.svc.Stamp(f.ctx); stamp <= before.Stamp {
		t.Errorf("stamp did not move after adding a range: %d", stamp)
	}
	if ms := f.svc.Current().Lookup(addr); len(ms) != 0 {
		t.Fatal("the index changed before a rebuild")
	}
	if err := f.svc.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	ms := f.svc.Current().Lookup(addr)
	if len(ms) != 1 || ms[0].Library.ID != f.libs["Tromsø"] {
		t.Fatalf("after rebuild: %+v", ms)
	}
	if ms := before.Lookup(addr); len(ms) != 0 {
		t.Error("the old index was changed in place")
	}
}

func TestWatchRebuildsOnChangeAndMidnight(t *testing.T) {
	f := setup(t)
	var mu sync.Mutex
	clock := f.now
	f.svc.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { f.svc.Watch(ctx, 10*time.Millisecond, nil); close(done) }()
	defer func() { cancel(); <-done }()

	waitFor := func(what string, ok func(*access.Index) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if ix := f.svc.Current(); ix != nil && ok(ix) {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("watch never showed %s", what)
	}
	tromsø := netip.MustParseAddr("128.39.1.1")
	waitFor("the first index", func(ix *access.Index) bool { return len(ix.Lookup(tromsø)) == 1 })
	f.ipRange("Tromsø", "185.12.4.0/22", false)
	waitFor("the new range", func(ix *access.Index) bool { return len(ix.Lookup(netip.MustParseAddr("185.12.5.1"))) == 1 })

	// Tromsø's Lovdata starts on 1 June: nothing in the database changes,
	// only the date.
	mu.Lock()
	clock = calendar.MustParse("2026-06-01").Time().Add(time.Hour)
	mu.Unlock()
	waitFor("the new day", func(ix *access.Index) bool {
		ms := ix.Lookup(tromsø)
		return len(ms) == 1 && ix.Day == "2026-06-01" && ms[0].Products[1].Name == "Lovdata Pro" && ms[0].Products[1].Entitled
	})
}

// TestConcurrentLookupsDuringRebuild runs lookups while ranges are added and
// the index rebuilt: every snapshot a reader gets is whole.
func TestConcurrentLookupsDuringRebuild(t *testing.T) {
	f := setup(t)
	if err := f.svc.Rebuild(f.ctx); err != nil {
		t.Fatal(err)
	}
	oslo := netip.MustParseAddr("193.157.1.7")
	shared := netip.MustParseAddr("158.36.10.5")
	var stop atomic.Bool
	var lookups, failed atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				ix := f.svc.Current()
				ms := ix.Lookup(oslo)
				if len(ms) != 1 || ms[0].Library.Name != "Oslo bibliotek" || len(ms[0].Products) != 3 || !ms[0].Products[0].Entitled {
					errs <- "partial answer for Oslo"
					failed.Add(1)
					return
				}
				ms = ix.Lookup(shared)
				if len(ms) != 2 || ms[0].Products[1].Reason != access.ReasonSharingTerms {
					errs <- "partial answer for the shared block"
					failed.Add(1)
					return
				}
				lookups.Add(1)
			}
		})
	}
	for lookups.Load() == 0 && failed.Load() < 4 {
		time.Sleep(time.Millisecond)
	}
	for i := range 10 {
		f.ipRange("Tromsø", netip.PrefixFrom(netip.AddrFrom4([4]byte{185, 12, byte(i), 0}), 24).String(), false)
		if err := f.svc.Rebuild(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(f.svc.Current().Lookup(netip.MustParseAddr("185.12.4.1"))); n != 1 {
		t.Errorf("last range: %d matches", n)
	}
}

// TestStatesOnAgreesWithSubscriptionState checks the batch path (one checker,
// bulk-filled) against the one-by-one path the library pages use.
func TestStatesOnAgreesWithSubscriptionState(t *testing.T) {
	f := setup(t)
	for _, day := range []calendar.Date{"2025-06-01", "2026-01-15", "2026-03-02", "2026-06-01", "2027-01-01"} {
		f.now = day.Time().Add(12 * time.Hour)
		st, err := f.svc.Enrolment.StatesOn(f.ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := f.db.NewRaw("SELECT COUNT(*) FROM subscriptions").Scan(f.ctx, &n); err != nil {
			t.Fatal(err)
		}
		if len(st.Subscriptions) != n {
			t.Fatalf("%s: %d views of %d subscriptions", day, len(st.Subscriptions), n)
		}
		states := map[string]int{}
		for _, v := range st.Subscriptions {
			want, err := f.svc.Enrolment.SubscriptionState(f.ctx, f.db, v.Subscription)
			if err != nil {
				t.Fatal(err)
			}
			if v.State != want {
				t.Errorf("%s: subscription %d of %s to %s: batch %s, single %s", day, v.ID, v.LibraryName, v.ProductName, v.State, want)
			}
			if v.LibraryName == "" || v.ProductName == "" || v.VendorID == 0 {
				t.Errorf("view not filled: %+v", v)
			}
			states[v.State]++
		}
		if day == "2026-03-02" && (states[enrolment.StatePendingTerms] != 1 || states[enrolment.StatePendingAgreement] != 1 || states[enrolment.StateUpcoming] != 1) {
			t.Errorf("%s: states %v", day, states)
		}
	}
	st, _ := f.svc.Enrolment.StatesOn(f.ctx, "2026-03-02")
	if !st.TermsRequired[f.prods["Lovdata Pro"]] || st.TermsRequired[f.prods["PressReader"]] {
		t.Errorf("terms required = %v", st.TermsRequired)
	}
	if !st.Accepted[[2]int64{f.libs["Oslo"], f.prods["Lovdata Pro"]}] || st.Accepted[[2]int64{f.libs["Bergen"], f.prods["Lovdata Pro"]}] {
		t.Errorf("accepted = %v (Oslo accepted v2, Bergen only v1)", st.Accepted)
	}
}
