package oidc

import (
	"sync"
	"time"
)

// usedSet remembers used states and nonces until their flows could no
// longer be valid anyway. Every entry lives the same time, so insertion
// order is expiry order and a FIFO queue prunes it. It is bounded: when an
// attacker fills it, the oldest entries go first, and a replay of one of
// those still fails at the provider, which accepts a code only once.
type usedSet struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	seen  map[string]time.Time
	queue []string
}

func newUsedSet(max int) *usedSet {
	return &usedSet{max: max, ttl: flowTTL + clockSkew, seen: make(map[string]time.Time)}
}

// add records key and reports whether it was new.
func (s *usedSet) add(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queue) > 0 && (len(s.queue) >= s.max || now.After(s.seen[s.queue[0]])) {
		delete(s.seen, s.queue[0])
		s.queue = s.queue[1:]
	}
	if until, ok := s.seen[key]; ok && !now.After(until) {
		return false
	}
	s.seen[key] = now.Add(s.ttl)
	s.queue = append(s.queue, key)
	return true
}

// has reports whether key is recorded and not yet expired.
func (s *usedSet) has(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.seen[key]
	return ok && !now.After(until)
}
