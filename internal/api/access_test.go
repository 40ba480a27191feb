package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/auth"
)

// The lookup answers over HTTP from the live registry: a range added
// through the API is found at once, in IPv4 and IPv6, one address or many.
func TestAccessLookupOverHTTP(t *testing.T) {
	e := newEnv(t)
	admin := e.role(auth.RoleAdmin)
	lib := e.create(admin, osloInput())
	for _, r := range []string{"158.36.10.0/24", "2001:700:100::/48"} {
		e.call(admin, "POST", fmt.Sprintf("/libraries/%d/ip-ranges", lib.ID), map[string]any{"range": r}).must(t, http.StatusCreated, nil)
	}
	type result struct {
		Address   string `json:"address"`
		Libraries []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
			ISIL string `json:"isil"`
		} `json:"libraries"`
	}
	var one result
	e.call(admin, "GET", "/access/ip/158.36.10.77", nil).must(t, http.StatusOK, &one)
	if len(one.Libraries) != 1 || one.Libraries[0].ID != lib.ID || one.Libraries[0].ISIL != "NO-2030000" {
		t.Fatalf("158.36.10.77: %+v", one)
	}
	var many []result
	e.call(admin, "POST", "/access/ip", map[string]any{"addresses": []string{"2001:700:100:5::1", "192.0.2.1"}}).must(t, http.StatusOK, &many)
	if len(many) != 2 || len(many[0].Libraries) != 1 || len(many[1].Libraries) != 0 {
		t.Errorf("batch: %+v", many)
	}
	// A range removed is gone from the next lookup.
	var ranges []struct {
		ID    int64  `json:"id"`
		Range string `json:"range"`
	}
	e.call(admin, "GET", fmt.Sprintf("/libraries/%d/ip-ranges", lib.ID), nil).must(t, http.StatusOK, &ranges)
	for _, r := range ranges {
		if r.Range == "158.36.10.0/24" {
			e.call(admin, "DELETE", fmt.Sprintf("/libraries/%d/ip-ranges/%d", lib.ID, r.ID), nil).must(t, http.StatusNoContent, nil)
		}
	}
	// The index follows the registry by watching for changes, as serve runs it.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go e.svc.Access.Watch(ctx, 20*time.Millisecond, slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.call(admin, "GET", "/access/ip/158.36.10.77", nil).must(t, http.StatusOK, &one)
		if len(one.Libraries) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the removed range still answers after 5 s: %+v", one)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := e.call(admin, "GET", "/access/ip/not-an-address", nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("garbage address: %d %s", r.Status, r.Body)
	}
	if r := e.call(e.role(auth.RoleLibrary), "GET", "/access/ip/158.36.10.77", nil); r.Status != http.StatusForbidden {
		t.Errorf("library contact: %d, want 403", r.Status)
	}
}
