package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// The acceptance records the connection's address and, beside it, what a
// proxy says it forwarded for.
func TestAcceptTermsRecordsForwardedAddress(t *testing.T) {
	f := newEnrolFix(t)
	p := f.product("Lovdata Pro", true, false)
	_, offers := f.offers(p)
	w := f.window(offers...)
	f.answer(f.libToken, w, offers[0], map[string]any{"answer": "yes"}).must(t, http.StatusOK, nil)

	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/libraries/%d/terms/%d/accept", f.srv.URL, f.lib.ID, p.ID),
		bytes.NewReader([]byte(`{"licence_version": 1}`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.libToken)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var acc struct {
		RemoteAddr string `json:"remote_addr"`
	}
	if err := json.NewDecoder(res.Body).Decode(&acc); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v", res.StatusCode, err)
	}
	if acc.RemoteAddr != "127.0.0.1 (X-Forwarded-For: 203.0.113.7)" {
		t.Errorf("remote_addr %q", acc.RemoteAddr)
	}
	if got := f.states(f.libToken)[p.ID].State; got != "upcoming" {
		t.Errorf("state %q", got)
	}
}
