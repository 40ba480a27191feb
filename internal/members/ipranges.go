package members

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/validate"
)

// IPInput adds one address range to a library. The two confirmations are
// honoured only for admins: a range wider than /16 (IPv4) or /32 (IPv6), and
// an overlap with another library that is a known shared address.
type IPInput struct {
	Range         string `json:"range"`
	Note          string `json:"note,omitempty"`
	ConfirmWide   bool   `json:"confirm_wide,omitempty"`
	ConfirmShared bool   `json:"confirm_shared,omitempty"`
}

// IPRanges lists a library's ranges in address order.
func (s *Service) IPRanges(ctx context.Context, by auth.Actor, libraryID int64) ([]IPRange, error) {
	if _, err := s.Get(ctx, by, libraryID); err != nil {
		return nil, err
	}
	var rs []IPRange
	if err := s.DB.NewSelect().Model(&rs).Where("library_id = ?", libraryID).OrderExpr("start_key").Scan(ctx); err != nil {
		return nil, fmt.Errorf("ip ranges of %d: %w", libraryID, err)
	}
	return rs, nil
}

// AddIPRange validates and stores a range.
func (s *Service) AddIPRange(ctx context.Context, by auth.Actor, libraryID int64, in IPInput) (*IPRange, error) {
	var r *IPRange
	err := s.forLibrary(ctx, by, libraryID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		r, err = s.addIPRangeTx(ctx, tx, by, libraryID, in)
		return err
	})
	return r, err
}

func (s *Service) addIPRangeTx(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID int64, in IPInput) (*IPRange, error) {
	// Problems name the input's own field, "range", wherever they come from.
	parsed, p := validate.ParseIPRange(in.Range)
	if p != nil {
		p.Field = "range"
		return nil, &ValidationError{Problems: []*validate.Problem{p}}
	}
	if p := parsed.CheckPublic(); p != nil {
		p.Field, p.Value = "range", in.Range
		return nil, &ValidationError{Problems: []*validate.Problem{p}}
	}
	admin := by.Role == auth.RoleAdmin
	if p := parsed.CheckWidth(); p != nil && !(admin && in.ConfirmWide) {
		p.Field, p.Value = "range", in.Range
		if admin {
			p.Code = "members.ip.too_wide_confirm"
		}
		return nil, &ValidationError{Problems: []*validate.Problem{p}}
	}
	start, end := parsed.Keys()
	var overlaps []IPRange
	if err := tx.NewSelect().Model(&overlaps).Where("start_key <= ? AND end_key >= ?", end, start).OrderExpr("start_key").Scan(ctx); err != nil {
		return nil, fmt.Errorf("overlap check: %w", err)
	}
	var others []IPRange
	for _, o := range overlaps {
		if o.LibraryID == libraryID {
			return nil, &ValidationError{Problems: []*validate.Problem{{Field: "range", Code: "members.ip.own_overlap", Value: in.Range,
				Args: map[string]any{"Range": o.RangeText}}}}
		}
		others = append(others, o)
	}
	shared := false
	if len(others) > 0 {
		if !(admin && in.ConfirmShared) {
			o := others[0]
			name := "#" + itoa(o.LibraryID)
			if other, err := getLibrary(ctx, tx, o.LibraryID); err == nil {
				name = other.Name
			}
			code := "members.ip.overlap"
			if admin {
				code = "members.ip.overlap_confirm"
			}
			return nil, &ValidationError{Problems: []*validate.Problem{{Field: "range", Code: code, Value: in.Range,
				Args: map[string]any{"Other": name, "Range": o.RangeText}}}}
		}
		shared = true
		for _, o := range others {
			if o.Shared {
				continue
			}
			if _, err := tx.NewUpdate().Model(&o).Set("shared = ?", true).WherePK().Exec(ctx); err != nil {
				return nil, fmt.Errorf("mark shared: %w", err)
			}
			if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "ip_range", EntityID: o.ID, LibraryID: o.LibraryID, Action: "update",
				Changes: []audit.Change{{Field: "shared", Before: false, After: true}}, Reason: "overlaps " + parsed.String()}); err != nil {
				return nil, err
			}
		}
	}
	r := &IPRange{LibraryID: libraryID, RangeText: parsed.String(), StartKey: start, EndKey: end, Shared: shared,
		Note: strings.TrimSpace(in.Note), CreatedAt: time.Now().UTC()}
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert ip range: %w", err)
	}
	changes := []audit.Change{{Field: "range", After: r.RangeText}}
	if shared {
		changes = append(changes, audit.Change{Field: "shared", After: true})
	}
	return r, audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "ip_range", EntityID: r.ID, LibraryID: libraryID, Action: "create", Changes: changes})
}

// RemoveIPRange deletes one range of a library.
func (s *Service) RemoveIPRange(ctx context.Context, by auth.Actor, libraryID, rangeID int64) error {
	return s.forLibrary(ctx, by, libraryID, func(ctx context.Context, tx bun.Tx) error {
		return s.removeIPRangeTx(ctx, tx, by, libraryID, rangeID)
	})
}

func (s *Service) removeIPRangeTx(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID, rangeID int64) error {
	r := new(IPRange)
	if err := tx.NewSelect().Model(r).Where("id = ? AND library_id = ?", rangeID, libraryID).Scan(ctx); err != nil {
		return ErrNotFound
	}
	if _, err := tx.NewDelete().Model(r).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("delete ip range: %w", err)
	}
	return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "ip_range", EntityID: r.ID, LibraryID: libraryID, Action: "delete",
		Changes: []audit.Change{{Field: "range", Before: r.RangeText}}})
}

// SharedAddress is a range known to be shared, with every library on it.
type SharedAddress struct {
	Range     IPRange   `json:"range"`
	Libraries []Library `json:"libraries"`
}

// SharedAddresses lists the ranges an admin has marked as shared, each with
// all libraries whose ranges overlap it: vendors cannot tell these apart.
func (s *Service) SharedAddresses(ctx context.Context, by auth.Actor) ([]SharedAddress, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var rs []IPRange
	if err := s.DB.NewSelect().Model(&rs).Where("shared = ?", true).OrderExpr("start_key, library_id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("shared ranges: %w", err)
	}
	var out []SharedAddress
	for _, r := range rs {
		var ls []Library
		err := s.DB.NewSelect().Model(&ls).Column("id", "name", "isil").
			Where("id IN (SELECT library_id FROM ip_ranges WHERE start_key <= ? AND end_key >= ?)", r.EndKey, r.StartKey).
			OrderExpr("name").Scan(ctx)
		if err != nil {
			return nil, fmt.Errorf("libraries on %s: %w", r.RangeText, err)
		}
		out = append(out, SharedAddress{Range: r, Libraries: ls})
	}
	return out, nil
}
