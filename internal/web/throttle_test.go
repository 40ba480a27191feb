package web

import (
	"testing"
	"time"
)

func TestLoginThrottle(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	th := newLoginThrottle()
	th.now = func() time.Time { return now }
	for i := 0; i < maxFailures; i++ {
		if th.blocked("a") {
			t.Fatalf("blocked after %d failures", i)
		}
		th.fail("a")
	}
	if !th.blocked("a") {
		t.Fatal("not blocked after the limit")
	}
	if th.blocked("b") {
		t.Error("another key is blocked too")
	}
	now = now.Add(window + time.Second)
	if th.blocked("a") {
		t.Error("still blocked after the window")
	}
	th.fail("a")
	th.succeed("a")
	if len(th.failures) != 0 {
		t.Errorf("success did not clear failures: %v", th.failures)
	}
}
