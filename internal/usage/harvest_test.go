package usage_test

import (
	"context"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/usage/sushi"
	"github.com/samla-org/samla/internal/usage/sushi/sushitest"
)

// harvestWorld is three libraries on one platform served by a real SUSHI
// server over HTTP: two normal customers (counts ×1 and ×3) and one whose
// reports are queued twice before they come.
func harvestWorld(t *testing.T) (*world, *sushitest.Server, *usage.Endpoint) {
	t.Helper()
	w := newWorld(t, 4)
	srv := sushitest.New(t, sushitest.WithRetryAfter(time.Minute))
	srv.AddCustomer("lib-a", "key-a", sushitest.Normal, 1)
	srv.AddCustomer("lib-b", "key-b", sushitest.Normal, 3)
	srv.Add(sushitest.Customer{ID: "lib-c", APIKey: "key-c", Behaviour: sushitest.Queued, FailTimes: 2, Factor: 2})
	srv.AddCustomer("lib-d", "right-key", sushitest.Normal, 1)
	ctx := context.Background()
	ep, err := w.Svc.SaveEndpoint(ctx, admin, usage.EndpointInput{Platform: "Sample Platform", BaseURL: srv.URL51(), Reports: "TR"})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct{ customer, key string }{{"lib-a", "key-a"}, {"lib-b", "key-b"}, {"lib-c", "key-c"}, {"lib-d", "wrong-key"}} {
		if _, err := w.Svc.SaveCredential(ctx, admin, usage.CredentialInput{EndpointID: ep.ID, LibraryID: w.Libs[i], CustomerID: c.customer,
			RequestorID: "samla", APIKey: c.key}); err != nil {
			t.Fatal(err)
		}
	}
	return w, srv, ep
}

func statuses(t *testing.T, w *world, month string) map[string]string {
	t.Helper()
	log, err := w.Svc.HarvestLog(context.Background(), admin, month)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, h := range log {
		out[h.LibraryName] = h.Status
	}
	return out
}

// A harvest fills a month for several libraries; a queued report comes
// later; wrong credentials are an error that is not retried.
func TestHarvestFillsAMonthForSeveralLibraries(t *testing.T) {
	w, srv, _ := harvestWorld(t)
	ctx := context.Background()
	if n, err := w.Svc.PlanHarvest(ctx, admin, "2024-03", 0, false); err != nil || n != 4 {
		t.Fatalf("planned %d, %v; want 4", n, err)
	}
	if _, err := w.Svc.RunHarvests(ctx, &sushi.Client{}); err != nil {
		t.Fatal(err)
	}
	st := statuses(t, w, "2024-03")
	if st["Bibliotek A"] != usage.HarvestOK || st["Bibliotek B"] != usage.HarvestOK || st["Bibliotek C"] != usage.HarvestQueued || st["Bibliotek D"] != usage.HarvestError {
		t.Fatalf("after the first run: %v", st)
	}
	want := func(customer string) int64 {
		n, err := srv.Expected(sushitest.R51, "TR", customer, "Total_Item_Requests", "2024-03", "2024-03")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tab, err := w.Svc.Usage(ctx, admin, usage.Query{From: "2024-03", To: "2024-03", Report: "TR"}, "library")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range tab.Rows {
		got[r.Name] = r.Total
	}
	if got["Bibliotek A"] != want("lib-a") || got["Bibliotek B"] != want("lib-b") || got["Bibliotek B"] != 3*got["Bibliotek A"] || got["Bibliotek A"] == 0 {
		t.Errorf("March per library %v; want A %d, B %d", got, want("lib-a"), want("lib-b"))
	}

	// The queued report is asked for again when it is due, not before.
	if n, _ := w.Svc.RunHarvests(ctx, &sushi.Client{}); n != 0 {
		t.Errorf("ran %d harvests before the queued one was due", n)
	}
	for i := 0; i < 3 && statuses(t, w, "2024-03")["Bibliotek C"] != usage.HarvestOK; i++ {
		*w.Clock = w.Clock.Add(2 * time.Minute)
		if _, err := w.Svc.RunHarvests(ctx, &sushi.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	if st := statuses(t, w, "2024-03"); st["Bibliotek C"] != usage.HarvestOK || st["Bibliotek D"] != usage.HarvestError {
		t.Errorf("after waiting: %v", st)
	}
	// Wrong credentials were asked for once: retrying will not help.
	asked := 0
	for _, r := range srv.Requests() {
		if r.Customer == "lib-d" {
			asked++
		}
	}
	if asked != 1 {
		t.Errorf("lib-d with a wrong key was asked %d times, want 1", asked)
	}
}

// Harvesting a month again replaces exactly that month; a failed harvest
// leaves what was there.
func TestReharvestReplacesAndFailureKeeps(t *testing.T) {
	w, srv, _ := harvestWorld(t)
	ctx := context.Background()
	total := func() int64 {
		tab, err := w.Svc.Usage(ctx, admin, usage.Query{From: "2024-03", To: "2024-03", Report: "TR", LibraryID: w.Libs[0]}, "month")
		if err != nil {
			t.Fatal(err)
		}
		return tab.Total.Total
	}
	w.Svc.PlanHarvest(ctx, admin, "2024-03", 0, false)
	w.Svc.RunHarvests(ctx, &sushi.Client{})
	first, batches := total(), w.count(t, "usage_batches")
	if first == 0 {
		t.Fatal("nothing harvested")
	}
	w.Svc.PlanHarvest(ctx, admin, "2024-03", 0, true)
	w.Svc.RunHarvests(ctx, &sushi.Client{})
	if total() != first || w.count(t, "usage_batches") != batches {
		t.Errorf("re-harvest: total %d (was %d), %d batches (were %d)", total(), first, w.count(t, "usage_batches"), batches)
	}
	// The server now fails for lib-a: the month's numbers stay.
	srv.Add(sushitest.Customer{ID: "lib-a", APIKey: "key-a", Behaviour: sushitest.ServerError, FailTimes: -1})
	w.Svc.PlanHarvest(ctx, admin, "2024-03", 0, true)
	w.Svc.RunHarvests(ctx, &sushi.Client{})
	if st := statuses(t, w, "2024-03")["Bibliotek A"]; st != usage.HarvestRetry {
		t.Errorf("status after a server error: %s, want retry", st)
	}
	if total() != first {
		t.Errorf("a failed harvest changed the data: %d, was %d", total(), first)
	}
}

// Credentials are stored encrypted, and cannot be saved without a key.
func TestCredentialsAreEncrypted(t *testing.T) {
	w, _, ep := harvestWorld(t)
	ctx := context.Background()
	var enc []string
	if err := w.DB.NewSelect().Table("usage_sushi_credentials").Column("api_key_enc").Scan(ctx, &enc); err != nil {
		t.Fatal(err)
	}
	for _, e := range enc {
		if e == "" || e == "key-a" || len(e) < 20 {
			t.Errorf("stored api key %q is not encrypted", e)
		}
	}
	w.Svc.Key = nil
	if _, err := w.Svc.SaveCredential(ctx, admin, usage.CredentialInput{EndpointID: ep.ID, LibraryID: w.Libs[0], CustomerID: "x", APIKey: "k"}); err != usage.ErrNoKey {
		t.Errorf("saving without a key: %v, want ErrNoKey", err)
	}
}

// "No usage" is stored as such, whether the vendor sends an empty report
// with 3030 or a bare exception.
func TestHarvestNoUsage(t *testing.T) {
	w := newWorld(t, 2)
	ctx := context.Background()
	srv := sushitest.New(t)
	srv.AddCustomer("empty", "k", sushitest.NoUsage, 1)
	srv.Add(sushitest.Customer{ID: "bare", APIKey: "k", RawBody: []byte(`{"Code": 3030, "Severity": "Info", "Message": "No Usage Available for Requested Dates"}`)})
	ep, err := w.Svc.SaveEndpoint(ctx, admin, usage.EndpointInput{Platform: "Sample Platform", BaseURL: srv.URL51(), Reports: "TR"})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []string{"empty", "bare"} {
		if _, err := w.Svc.SaveCredential(ctx, admin, usage.CredentialInput{EndpointID: ep.ID, LibraryID: w.Libs[i], CustomerID: c, APIKey: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	w.Svc.PlanHarvest(ctx, admin, "2024-02", 0, false)
	if _, err := w.Svc.RunHarvests(ctx, &sushi.Client{}); err != nil {
		t.Fatal(err)
	}
	if st := statuses(t, w, "2024-02"); st["Bibliotek A"] != usage.HarvestNoUsage || st["Bibliotek B"] != usage.HarvestNoUsage {
		t.Fatalf("statuses %v, want no_usage for both", st)
	}
	tab, err := w.Svc.Usage(ctx, admin, usage.Query{From: "2024-02", To: "2024-02", Report: "TR"}, "library")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || tab.Rows[0].NoUsage != 1 || tab.Rows[1].NoUsage != 1 || tab.Total.Total != 0 {
		t.Errorf("table %+v: want both months marked no usage", tab.Rows)
	}
}
