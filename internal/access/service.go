package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/validate"
)

// Typed errors; the web and API layers map them to status codes.
var ErrForbidden = errors.New("not allowed for this role")

// ValidationError is the shared validation error type.
type ValidationError = validate.Invalid

// MaxBatch is the most addresses one LookupMany call answers.
const MaxBatch = 1000

// Codes of problems only this package produces.
const CodeTooMany = "access.too_many"

// Service keeps the current index and answers lookups from it.
type Service struct {
	DB        *db.DB
	Enrolment *enrolment.Service
	// Now is the clock; entitlements change at midnight in Europe/Oslo.
	Now func() time.Time
	// Changed, if set, is called when Watch sees the audit log move: the
	// server uses it to forget cached API tokens, which may have been
	// revoked by another process.
	Changed func()

	cur       atomic.Pointer[Index]
	rebuildMu sync.Mutex // one rebuild at a time; readers never take it
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Current is the index lookups read now, or nil before the first Rebuild.
func (s *Service) Current() *Index { return s.cur.Load() }

// Stamp is the cheap change marker: every change in Samla writes an audit
// record in its own transaction, so a new highest audit id means something
// may have changed.
func (s *Service) Stamp(ctx context.Context) (int64, error) {
	var n int64
	if err := s.DB.NewRaw("SELECT COALESCE(MAX(id), 0) FROM audit_log").Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("access change stamp: %w", err)
	}
	return n, nil
}

// Rebuild reads everything and swaps in a new index. Readers keep the old
// one until the swap and never wait. The stamp is read first, so a change
// made during the load shows as a newer stamp at the next poll.
func (s *Service) Rebuild(ctx context.Context) error {
	s.rebuildMu.Lock()
	defer s.rebuildMu.Unlock()
	stamp, err := s.Stamp(ctx)
	if err != nil {
		return err
	}
	ix, err := s.load(ctx, calendar.Today(s.now()))
	if err != nil {
		return err
	}
	ix.Stamp = stamp
	s.cur.Store(ix)
	return nil
}

func (s *Service) load(ctx context.Context, day calendar.Date) (*Index, error) {
	start := time.Now()
	var libs []members.Library
	if err := s.DB.NewSelect().Model(&libs).Column("id", "name", "isil").Scan(ctx); err != nil {
		return nil, fmt.Errorf("access index libraries: %w", err)
	}
	infos := make([]LibraryInfo, len(libs))
	for i, l := range libs {
		infos[i] = LibraryInfo{ID: l.ID, Name: l.Name}
		if l.ISIL != nil {
			infos[i].ISIL = *l.ISIL
		}
	}
	var rows []members.IPRange
	if err := s.DB.NewSelect().Model(&rows).Column("id", "library_id", "start_key", "end_key", "shared").Scan(ctx); err != nil {
		return nil, fmt.Errorf("access index ranges: %w", err)
	}
	ranges := make([]Range, 0, len(rows))
	for _, r := range rows {
		ipr, err := validate.FromKeys(r.StartKey, r.EndKey)
		if err != nil {
			return nil, fmt.Errorf("access index range %d: %w", r.ID, err)
		}
		ranges = append(ranges, Range{ID: r.ID, LibraryID: r.LibraryID, Range: ipr, Shared: r.Shared})
	}
	st, err := s.Enrolment.StatesOn(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("access index states: %w", err)
	}
	ix := Build(infos, ranges, st)
	ix.BuiltAt = time.Now()
	slog.Debug("access index built", "day", day, "libraries", len(infos), "ranges", len(ranges),
		"prefixes", ix.prefixes, "groups", ix.groups, "took", time.Since(start))
	return ix, nil
}

// upToDate says whether ix still answers for today: nothing was written
// since it was built (stamp) and the day it was built for has not passed.
func (s *Service) upToDate(ix *Index, stamp int64) bool {
	return ix.Stamp == stamp && ix.Day == calendar.Today(s.now())
}

// Watch polls the change stamp and the date every interval and rebuilds
// when either moved, until ctx ends. It builds the first index at once.
// A failed rebuild is logged and tried again at the next tick; lookups go
// on from the last good index meanwhile.
func (s *Service) Watch(ctx context.Context, every time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	check := func() {
		if ix := s.Current(); ix != nil {
			stamp, err := s.Stamp(ctx)
			if err != nil {
				log.Warn("access index: read change stamp", "err", err)
				return
			}
			if s.upToDate(ix, stamp) {
				return
			}
			if stamp != ix.Stamp && s.Changed != nil {
				s.Changed()
			}
		}
		if err := s.Rebuild(ctx); err != nil && ctx.Err() == nil {
			log.Error("access index: rebuild", "err", err)
		}
	}
	check()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check()
		}
	}
}

// Result answers one address.
type Result struct {
	Address   string          `json:"address"`
	Day       calendar.Date   `json:"day"`
	Libraries []LibraryResult `json:"libraries"`
}

// LibraryResult is one library whose ranges cover the address.
type LibraryResult struct {
	ID       int64           `json:"id"`
	Name     string          `json:"name"`
	ISIL     string          `json:"isil"`
	Shared   bool            `json:"shared"`
	Products []ProductResult `json:"products"`
}

// ProductResult is one product of the library for the address.
type ProductResult struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Entitled bool   `json:"entitled"`
	Reason   string `json:"reason,omitempty"`
}

// Lookup answers which libraries addr belongs to and what each is entitled
// to today. A vendor contact sees only its own products, and only the
// libraries that hold one of them; the consortium sees everything; other
// roles may not ask.
func (s *Service) Lookup(ctx context.Context, by auth.Actor, addr string) (*Result, error) {
	if err := allowed(by); err != nil {
		return nil, err
	}
	a, p := parseAddr(addr, "address")
	if p != nil {
		return nil, &ValidationError{Problems: []*validate.Problem{p}}
	}
	ix, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	r := answer(ix, by, a)
	return &r, nil
}

// LookupMany answers up to MaxBatch addresses from one index, in order.
// Every unreadable address is reported at once.
func (s *Service) LookupMany(ctx context.Context, by auth.Actor, addrs []string) ([]Result, error) {
	if err := allowed(by); err != nil {
		return nil, err
	}
	var probs validate.List
	if len(addrs) > MaxBatch {
		probs.Addf("addresses", CodeTooMany, fmt.Sprint(len(addrs)), map[string]any{"Max": MaxBatch})
		return nil, probs.Err()
	}
	parsed := make([]netip.Addr, len(addrs))
	for i, s := range addrs {
		a, p := parseAddr(s, fmt.Sprintf("addresses[%d]", i))
		probs.Add(p)
		parsed[i] = a
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	ix, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(parsed))
	for i, a := range parsed {
		out[i] = answer(ix, by, a)
	}
	return out, nil
}

// index is the current index, built on first use when Watch has not run yet.
func (s *Service) index(ctx context.Context) (*Index, error) {
	if ix := s.Current(); ix != nil {
		return ix, nil
	}
	if err := s.Rebuild(ctx); err != nil {
		return nil, err
	}
	return s.Current(), nil
}

func allowed(by auth.Actor) error {
	switch {
	case by.IsConsortium():
		return nil
	case by.Role == auth.RoleVendor && by.VendorID != 0:
		return nil
	}
	return ErrForbidden
}

// parseAddr reads one IPv4 or IPv6 address; IPv4-mapped IPv6 reads as IPv4,
// as the registry stores it.
func parseAddr(s, field string) (netip.Addr, *validate.Problem) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, &validate.Problem{Field: field, Code: validate.CodeIPSyntax, Value: s}
	}
	return a.Unmap(), nil
}

func answer(ix *Index, by auth.Actor, a netip.Addr) Result {
	r := Result{Address: a.String(), Day: ix.Day, Libraries: []LibraryResult{}}
	vendor := by.Role == auth.RoleVendor
	for _, m := range ix.Lookup(a) {
		lr := LibraryResult{ID: m.Library.ID, Name: m.Library.Name, ISIL: m.Library.ISIL, Shared: m.Shared, Products: []ProductResult{}}
		for _, e := range m.Products {
			if vendor && e.VendorID != by.VendorID {
				continue
			}
			lr.Products = append(lr.Products, ProductResult{ID: e.ProductID, Name: e.Name, Entitled: e.Entitled, Reason: e.Reason})
		}
		if vendor && len(lr.Products) == 0 {
			continue // a library with none of the vendor's products is none of its business
		}
		r.Libraries = append(r.Libraries, lr)
	}
	return r
}
