package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// loginThrottle slows password guessing: after maxFailures failed logins for
// the same address and e-mail within window, further attempts are refused
// until the window has passed. It is in memory: a restart forgets it, which
// costs an attacker a restart per handful of guesses, and it needs no table.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	now      func() time.Time
}

const (
	maxFailures = 5
	window      = 15 * time.Minute
)

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{failures: map[string][]time.Time{}, now: time.Now}
}

func throttleKey(r *http.Request, email string) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host + "|" + strings.ToLower(strings.TrimSpace(email))
}

// blocked reports whether the key has used up its attempts.
func (t *loginThrottle) blocked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key)) >= maxFailures
}

func (t *loginThrottle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.recent(key), t.now())
	// Keep the map from growing without bound under a spray of addresses.
	if len(t.failures) > 10000 {
		for k := range t.failures {
			if len(t.recent(k)) == 0 {
				delete(t.failures, k)
			}
		}
	}
}

func (t *loginThrottle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

// recent drops failures older than the window; callers hold mu.
func (t *loginThrottle) recent(key string) []time.Time {
	cutoff := t.now().Add(-window)
	fs := t.failures[key]
	i := 0
	for i < len(fs) && fs[i].Before(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = fs
	return fs
}
