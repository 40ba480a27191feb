package access

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
)

// entityIPRange is the audit entity members writes for IP ranges.
const entityIPRange = "ip_range"

// What happened to a range, as the feed and the digest tell vendors.
const (
	ActionAdded        = "added"
	ActionRemoved      = "removed"
	ActionMarkedShared = "marked_shared"
)

// Page sizes of the changes feed.
const (
	DefaultChangeLimit = 500
	MaxChangeLimit     = 5000
)

// RangeChange is one change to a subscriber's IP ranges.
type RangeChange struct {
	// Cursor is the audit record's id: pass the last one seen as since.
	Cursor  int64      `json:"cursor"`
	At      time.Time  `json:"at"`
	Library LibraryRef `json:"library"`
	Action  string     `json:"action" enum:"added,removed,marked_shared"`
	Range   string     `json:"range"`
	// Shared: the range is (or, for a removal, was) used by more than one
	// library.
	Shared bool `json:"shared"`
}

// ChangePage is one page of the feed.
type ChangePage struct {
	VendorID int64         `json:"vendor_id"`
	Changes  []RangeChange `json:"changes"`
	// Next is the since of the next call; unchanged when nothing was new.
	Next    int64 `json:"next"`
	HasMore bool  `json:"has_more"`
}

// Changes lists the IP-range changes of the vendor's subscribers (as of
// today) after the cursor since, oldest first, at most limit of them.
func (s *Service) Changes(ctx context.Context, by auth.Actor, vendorID, since int64, limit int) (*ChangePage, error) {
	v, err := s.vendorFor(ctx, by, vendorID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultChangeLimit
	}
	limit = min(limit, MaxChangeLimit)
	since = max(since, 0)
	ix, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	cs, next, more, err := s.changes(ctx, subscribers(ix, v.ID), since, 0, limit)
	if err != nil {
		return nil, err
	}
	return &ChangePage{VendorID: v.ID, Changes: cs, Next: next, HasMore: more}, nil
}

// changes reads the subscribers' ip_range audit records with since < id
// (and id ≤ upto when upto > 0), at most limit (all when limit is 0). next
// is the last record read, so records that say nothing to a vendor (a
// changed note) are passed over once, not read again at every poll.
func (s *Service) changes(ctx context.Context, subs map[int64]*subscriber, since, upto int64, limit int) ([]RangeChange, int64, bool, error) {
	out := []RangeChange{}
	if len(subs) == 0 {
		return out, since, false, nil
	}
	var es []audit.Entry
	q := s.DB.NewSelect().Model(&es).Where("entity = ?", entityIPRange).Where("id > ?", since).
		Where("library_id IN (?)", bun.In(slices.Sorted(maps.Keys(subs)))).OrderExpr("id ASC")
	if upto > 0 {
		q = q.Where("id <= ?", upto)
	}
	if limit > 0 {
		q = q.Limit(int64(limit + 1))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, since, false, fmt.Errorf("ip range changes after %d: %w", since, err)
	}
	more := limit > 0 && len(es) > limit
	if more {
		es = es[:limit]
	}
	if len(es) == 0 {
		return out, since, false, nil
	}
	hist, err := s.rangeHistory(ctx, es)
	if err != nil {
		return nil, since, false, err
	}
	for _, e := range es {
		c, ok := describe(e, hist[e.EntityID])
		if !ok {
			continue
		}
		l := subs[*e.LibraryID].lib
		c.Library = LibraryRef{ID: l.ID, Name: l.Name, ISIL: l.ISIL}
		out = append(out, c)
	}
	return out, es[len(es)-1].ID, more, nil
}

// rangeHistory loads every audit record of the ranges in es that need
// their past to be told: the record marking a range shared does not name
// the range, and the one deleting it does not say whether it was shared.
func (s *Service) rangeHistory(ctx context.Context, es []audit.Entry) (map[int64][]audit.Entry, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, e := range es {
		if e.Action != "create" && !seen[e.EntityID] {
			seen[e.EntityID] = true
			ids = append(ids, e.EntityID)
		}
	}
	out := map[int64][]audit.Entry{}
	if len(ids) == 0 {
		return out, nil
	}
	var hist []audit.Entry
	if err := s.DB.NewSelect().Model(&hist).Where("entity = ?", entityIPRange).Where("entity_id IN (?)", bun.In(ids)).
		OrderExpr("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("ip range history: %w", err)
	}
	for _, h := range hist {
		out[h.EntityID] = append(out[h.EntityID], h)
	}
	return out, nil
}

// describe turns one audit record into a change a vendor cares about, with
// the range's earlier records (hist, oldest first) to fill in what the
// record itself leaves out.
func describe(e audit.Entry, hist []audit.Entry) (RangeChange, bool) {
	c := RangeChange{Cursor: e.ID, At: e.At.UTC()}
	rng, shared, sharedSet := fields(e)
	switch e.Action {
	case "create":
		c.Action, c.Range, c.Shared = ActionAdded, rng, shared
	case "delete":
		c.Action, c.Range = ActionRemoved, rng
		for _, h := range hist {
			if h.ID >= e.ID {
				break
			}
			if _, sh, set := fields(h); set {
				c.Shared = sh
			}
		}
	case "update":
		if !sharedSet || !shared {
			return c, false
		}
		c.Action, c.Shared, c.Range = ActionMarkedShared, true, rng
		for _, h := range hist {
			if r, _, _ := fields(h); c.Range == "" && r != "" {
				c.Range = r
			}
		}
	default:
		return c, false
	}
	return c, c.Range != ""
}

// fields reads the range text (after a create, before a delete) and the
// shared flag (after) from a record's changes.
func fields(e audit.Entry) (rng string, shared, sharedSet bool) {
	for _, ch := range e.ChangeList() {
		switch ch.Field {
		case "range":
			if s, ok := ch.After.(string); ok && s != "" {
				rng = s
			} else if s, ok := ch.Before.(string); ok {
				rng = s
			}
		case "shared":
			if b, ok := ch.After.(bool); ok {
				shared, sharedSet = b, true
			} else {
				// omitempty drops an After of false: the flag was cleared.
				shared, sharedSet = false, true
			}
		}
	}
	return rng, shared, sharedSet
}
