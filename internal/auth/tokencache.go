package auth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Resolving a token costs three queries and a write (token, user, the
// actor's scope, last use). A vendor's IP lookups come thousands a second
// with the same token, so the resolved actor is kept for a short while.
const (
	// An entry holds while this process commits nothing (any change may
	// touch a user, a token or a scope) and for at most tokenCacheTTL,
	// which bounds how long a change made by another process (a separate
	// `serve --access-only`) can go unseen; the server also calls
	// ForgetTokens whenever it sees the audit log move, within seconds.
	tokenCacheTTL = 30 * time.Second
	// lastUsedEvery throttles the last-use write: it is for spotting dead
	// tokens, for which a minute's precision is plenty.
	lastUsedEvery = time.Minute
	// tokenCacheMax keeps a flood of distinct tokens from growing memory.
	tokenCacheMax = 10000
)

type cachedToken struct {
	actor    Actor
	tokenID  int64
	commits  int64 // the database's commit count when the actor was read
	expires  time.Time
	lastUsed time.Time
}

type tokenCache struct {
	mu      sync.RWMutex
	entries map[string]*cachedToken
}

// ActorForToken resolves a bearer token to the actor behind it, from the
// cache when it can. Unknown tokens are never cached, so a new token works
// at once.
func (s *Service) ActorForToken(ctx context.Context, clear string) (Actor, error) {
	hash := hashToken(clear)
	now := time.Now()
	// Read before the actor is loaded: a change committed meanwhile makes
	// the entry stale at once rather than hiding behind the old count.
	commits := s.DB.Commits()
	s.tokens.mu.RLock()
	e := s.tokens.entries[hash]
	s.tokens.mu.RUnlock()
	if e != nil && e.commits == commits && now.Before(e.expires) {
		if now.Sub(e.lastUsed) >= lastUsedEvery {
			s.touchToken(ctx, e, now)
		}
		return e.actor, nil
	}
	u, t, err := s.userForToken(ctx, clear)
	if err != nil {
		return Actor{}, err
	}
	a, err := s.Actor(ctx, u)
	if err != nil {
		return Actor{}, fmt.Errorf("actor for token %d: %w", t.ID, err)
	}
	s.tokens.mu.Lock()
	if s.tokens.entries == nil || len(s.tokens.entries) >= tokenCacheMax {
		s.tokens.entries = map[string]*cachedToken{}
	}
	s.tokens.entries[hash] = &cachedToken{actor: a, tokenID: t.ID, commits: commits, expires: now.Add(tokenCacheTTL), lastUsed: now}
	s.tokens.mu.Unlock()
	return a, nil
}

func (s *Service) touchToken(ctx context.Context, e *cachedToken, now time.Time) {
	s.tokens.mu.Lock()
	stale := now.Sub(e.lastUsed) >= lastUsedEvery
	if stale {
		e.lastUsed = now
	}
	s.tokens.mu.Unlock()
	if stale {
		// A failed update must not block the request.
		_, _ = s.DB.NewUpdate().Model((*APIToken)(nil)).Set("last_used_at = ?", now.UTC()).Where("id = ?", e.tokenID).Exec(ctx)
	}
}

// ForgetTokens empties the token cache: after a revocation, or when the
// audit log shows that something (a user, a subscription) has changed.
func (s *Service) ForgetTokens() {
	s.tokens.mu.Lock()
	s.tokens.entries = nil
	s.tokens.mu.Unlock()
}
