package oidc

import (
	"fmt"
	"testing"
	"time"
)

func TestUsedSet(t *testing.T) {
	now := time.Date(2025, 10, 16, 9, 0, 0, 0, time.UTC)
	s := newUsedSet(3)
	if !s.add("a", now) || s.add("a", now) || !s.has("a", now) {
		t.Fatal("a second add of the same key must report false")
	}
	// Expired entries go, so the key may be used again.
	later := now.Add(flowTTL + clockSkew + time.Second)
	if s.has("a", later) || !s.add("a", later) {
		t.Fatal("an expired key must be forgotten")
	}
	// Bounded: a full set drops the oldest.
	for i := range 5 {
		s.add(fmt.Sprint(i), later)
	}
	if len(s.seen) != 3 || len(s.queue) != 3 || s.has("0", later) || !s.has("4", later) {
		t.Fatalf("set not bounded to 3 newest: %v", s.queue)
	}
}
