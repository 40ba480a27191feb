package saml

import (
	"sync"
	"time"
)

const (
	// relayTTL is how long a started sign-in waits for the IdP's answer.
	relayTTL = 10 * time.Minute
	// maxPending bounds the pending sign-ins: anyone can start one, so an
	// unbounded map would be a memory leak on demand.
	maxPending = 10000
)

// pending is a sign-in started by GET /sso/saml/login.
type pending struct {
	requestID string
	next      string
	expires   time.Time
}

// relayStore maps RelayState to its pending sign-in; each entry is used
// at most once.
type relayStore struct {
	mu    sync.Mutex
	max   int
	items map[string]pending
}

func newRelayStore(max int) *relayStore {
	return &relayStore{max: max, items: make(map[string]pending)}
}

func (s *relayStore) put(now time.Time, relayState string, p pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) >= s.max {
		for k, v := range s.items {
			if !now.Before(v.expires) {
				delete(s.items, k)
			}
		}
	}
	if len(s.items) >= s.max {
		// Still full of live entries: drop the one closest to expiry
		// rather than refuse every new sign-in.
		var oldest string
		var at time.Time
		for k, v := range s.items {
			if oldest == "" || v.expires.Before(at) {
				oldest, at = k, v.expires
			}
		}
		delete(s.items, oldest)
	}
	s.items[relayState] = p
}

// take removes and returns the pending sign-in, if it exists and is live.
func (s *relayStore) take(now time.Time, relayState string) (pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.items[relayState]
	if !ok {
		return pending{}, false
	}
	delete(s.items, relayState)
	if !now.Before(p.expires) {
		return pending{}, false
	}
	return p, true
}

// replayStore remembers used assertion IDs until the assertion could no
// longer be accepted anyway. Only assertions that passed signature
// validation get here, so its size is bounded by real sign-ins.
type replayStore struct {
	mu        sync.Mutex
	seen      map[string]time.Time
	lastSweep time.Time
}

func newReplayStore() *replayStore {
	return &replayStore{seen: make(map[string]time.Time)}
}

// use records id as used until expires; it reports false if id was
// already used and is still remembered.
func (s *replayStore) use(now time.Time, id string, expires time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) > time.Minute {
		for k, exp := range s.seen {
			if !now.Before(exp) {
				delete(s.seen, k)
			}
		}
		s.lastSweep = now
	}
	if exp, ok := s.seen[id]; ok && now.Before(exp) {
		return false
	}
	s.seen[id] = expires
	return true
}
