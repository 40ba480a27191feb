package members

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// Service applies the registry's rules; every change is checked against the
// actor's role and written with its audit record in one transaction.
type Service struct {
	DB *db.DB
}

// Get loads a library the actor may see.
func (s *Service) Get(ctx context.Context, by auth.Actor, id int64) (*Library, error) {
	l, err := getLibrary(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !by.Sees(l.ID, l.Country, l.CountyNumber) {
		// Not found rather than forbidden: a library contact must not learn which ids exist.
		return nil, ErrNotFound
	}
	return l, nil
}

func getLibrary(ctx context.Context, db bun.IDB, id int64) (*Library, error) {
	l := new(Library)
	if err := db.NewSelect().Model(l).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, dbNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("library %d: %w", id, err)
	}
	return l, nil
}

var dbNoRows = db.ErrNoRows

// forLibrary runs fn in one transaction after checking that the actor acts
// for the library; every change to a library's contacts and ranges goes
// through it, so the scope check cannot be forgotten.
func (s *Service) forLibrary(ctx context.Context, by auth.Actor, libraryID int64, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		l, err := getLibrary(ctx, tx, libraryID)
		if err != nil {
			return err
		}
		if !by.ActsFor(l.ID, l.Country, l.CountyNumber) {
			return ErrNotFound
		}
		return fn(ctx, tx)
	})
}

// Create adds a library. Warnings (such as an ISIL that hints at another
// library type) are returned alongside a successful save.
func (s *Service) Create(ctx context.Context, by auth.Actor, in LibraryInput) (*Library, []*validate.Problem, error) {
	var l *Library
	var warns []*validate.Problem
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		l, warns, err = s.createTx(ctx, tx, by, in)
		return err
	})
	return l, warns, err
}

func (s *Service) createTx(ctx context.Context, tx bun.IDB, by auth.Actor, in LibraryInput) (*Library, []*validate.Problem, error) {
	if !by.CanCreateLibraries() {
		return nil, nil, ErrForbidden
	}
	l, warns, err := s.normalise(ctx, tx, in, nil)
	if err != nil {
		return nil, warns, err
	}
	if err := lockedCheck(by, nil, l); err != nil {
		return nil, warns, err
	}
	now := time.Now().UTC()
	l.CreatedAt, l.UpdatedAt, l.Version = now, now, 1
	if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, warns, &ValidationError{Problems: []*validate.Problem{{Field: "isil", Code: "members.isil.taken", Value: l.ISILString()}}}
		}
		return nil, warns, fmt.Errorf("insert library: %w", err)
	}
	err = audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "library", EntityID: l.ID, LibraryID: l.ID, Action: "create",
		Changes: audit.Diff(libraryFields, nil, l.snapshot())})
	return l, warns, err
}

// Update changes a library. in.Version must be the version the caller read:
// a save over someone else's newer change is refused with ErrConflict.
func (s *Service) Update(ctx context.Context, by auth.Actor, id int64, in LibraryInput) (*Library, []*validate.Problem, error) {
	var l *Library
	var warns []*validate.Problem
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		l, warns, _, err = s.updateTx(ctx, tx, by, id, in)
		return err
	})
	return l, warns, err
}

// updateTx returns the changes it made (none means nothing was written).
func (s *Service) updateTx(ctx context.Context, tx bun.IDB, by auth.Actor, id int64, in LibraryInput) (*Library, []*validate.Problem, []audit.Change, error) {
	old, err := getLibrary(ctx, tx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if !by.ActsFor(old.ID, old.Country, old.CountyNumber) {
		return nil, nil, nil, ErrNotFound
	}
	// The version is required: a caller that did not say what it read
	// cannot show that it is not overwriting someone else's change.
	if in.Version != old.Version {
		return nil, nil, nil, ErrConflict
	}
	l, warns, err := s.normalise(ctx, tx, in, old)
	if err != nil {
		return nil, warns, nil, err
	}
	if err := lockedCheck(by, old, l); err != nil {
		return nil, warns, nil, err
	}
	// A county contact must not move a library out of the county it acts for.
	if !by.ActsFor(l.ID, l.Country, l.CountyNumber) {
		return nil, warns, nil, &ValidationError{Problems: []*validate.Problem{{Field: "county_number", Code: "members.county.outside_scope", Value: l.CountyNumber}}}
	}
	changes := audit.Diff(libraryFields, old.snapshot(), l.snapshot())
	if len(changes) == 0 {
		return old, warns, nil, nil
	}
	l.UpdatedAt = time.Now().UTC()
	l.Version = old.Version + 1
	res, err := tx.NewUpdate().Model(l).ExcludeColumn("id", "created_at").
		Where("id = ? AND version = ?", old.ID, old.Version).Exec(ctx)
	if err != nil {
		if db.IsUniqueViolation(err) {
			return nil, warns, nil, &ValidationError{Problems: []*validate.Problem{{Field: "isil", Code: "members.isil.taken", Value: l.ISILString()}}}
		}
		return nil, warns, nil, fmt.Errorf("update library %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, warns, nil, ErrConflict
	}
	err = audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "library", EntityID: l.ID, LibraryID: l.ID, Action: "update", Changes: changes})
	return l, warns, changes, err
}

// lockedCheck refuses a change to a locked field by anyone but an admin.
func lockedCheck(by auth.Actor, old, l *Library) error {
	if by.CanChangeLocked() {
		return nil
	}
	var ps problems
	var before map[string]any
	if old != nil {
		before = old.snapshot()
	}
	for _, c := range audit.Diff(LockedFields, before, l.snapshot()) {
		ps.Addf(c.Field, "members.locked", fmt.Sprint(c.After), map[string]any{"Field": c.Field})
	}
	return ps.Err()
}

// Delete removes a library with its contacts links and IP ranges; admins only.
func (s *Service) Delete(ctx context.Context, by auth.Actor, id int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getLibrary(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Library)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete library %d: %w", id, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "library", EntityID: id, LibraryID: id, Action: "delete",
			Changes: audit.Diff(libraryFields, old.snapshot(), nil)})
	})
}

// getActing loads a library the actor may change, not just see: contacts and
// history are for those who act for the library, never for a vendor.
func (s *Service) getActing(ctx context.Context, by auth.Actor, id int64) (*Library, error) {
	l, err := getLibrary(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !by.ActsFor(l.ID, l.Country, l.CountyNumber) {
		return nil, ErrNotFound
	}
	return l, nil
}

// History returns the audit trail of a library and everything attached to it.
func (s *Service) History(ctx context.Context, by auth.Actor, id int64) ([]audit.Entry, error) {
	if _, err := s.getActing(ctx, by, id); err != nil {
		return nil, err
	}
	return audit.List(ctx, s.DB, audit.Query{LibraryID: id})
}

// Children lists the branches and libraries that have this one as parent.
func (s *Service) Children(ctx context.Context, by auth.Actor, id int64) ([]Library, error) {
	var ls []Library
	if err := s.DB.NewSelect().Model(&ls).Where("parent_id = ?", id).OrderExpr("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("children of %d: %w", id, err)
	}
	out := ls[:0]
	for _, l := range ls {
		if by.Sees(l.ID, l.Country, l.CountyNumber) {
			out = append(out, l)
		}
	}
	return out, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
