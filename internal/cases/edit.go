package cases

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/validate"
)

// CaseInput is what the case form or the API changes. Version is the
// version the caller read.
type CaseInput struct {
	Subject   string `json:"subject"`
	State     string `json:"state"`
	Priority  string `json:"priority"`
	LibraryID *int64 `json:"library_id,omitempty"`
	ProductID *int64 `json:"product_id,omitempty"`
	VendorID  *int64 `json:"vendor_id,omitempty"`
	OwnerID   *int64 `json:"owner_id,omitempty"`
	VendorRef string `json:"vendor_ref,omitempty"`
	Version   int64  `json:"version"`
}

// InputFrom fills an input from a case, for edit forms.
func InputFrom(c *Case) CaseInput {
	return CaseInput{Subject: c.Subject, State: c.State, Priority: c.Priority, LibraryID: c.LibraryID, ProductID: c.ProductID,
		VendorID: c.VendorID, OwnerID: c.OwnerID, VendorRef: c.VendorRef, Version: c.Version}
}

var caseFields = []string{"subject", "state", "priority", "library_id", "product_id", "vendor_id", "owner_id", "vendor_ref"}

func (c *Case) snapshot() map[string]any {
	return map[string]any{"subject": c.Subject, "state": c.State, "priority": c.Priority, "library_id": deref(c.LibraryID),
		"product_id": deref(c.ProductID), "vendor_id": deref(c.VendorID), "owner_id": deref(c.OwnerID), "vendor_ref": c.VendorRef}
}

// Update changes a case's fields.
func (s *Service) Update(ctx context.Context, by auth.Actor, id int64, in CaseInput) (*Case, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	var out *Case
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := caseByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != old.Version {
			return ErrConflict
		}
		c := *old
		var ps problems
		c.Subject = strings.Join(strings.Fields(in.Subject), " ")
		if c.Subject == "" {
			ps.Addf("subject", "cases.subject.required", "", nil)
		}
		if !contains(States, in.State) {
			ps.Addf("state", "cases.state.invalid", in.State, nil)
		}
		if !contains(Priorities, in.Priority) {
			ps.Addf("priority", "cases.priority.invalid", in.Priority, nil)
		}
		c.State, c.Priority, c.VendorRef = in.State, in.Priority, strings.TrimSpace(in.VendorRef)
		c.LibraryID, c.ProductID, c.VendorID, c.OwnerID = positive(in.LibraryID), positive(in.ProductID), positive(in.VendorID), positive(in.OwnerID)
		for _, ref := range []struct {
			field, table string
			id           *int64
			extra        string
		}{{"library_id", "libraries", c.LibraryID, ""}, {"product_id", "products", c.ProductID, ""},
			{"vendor_id", "vendors", c.VendorID, ""}, {"owner_id", "users", c.OwnerID, "role IN ('admin', 'staff')"}} {
			if ref.id == nil {
				continue
			}
			q := tx.NewSelect().Table(ref.table).Where("id = ?", *ref.id)
			if ref.extra != "" {
				q = q.Where(ref.extra)
			}
			ok, err := q.Exists(ctx)
			if err != nil {
				return fmt.Errorf("check %s: %w", ref.field, err)
			}
			if !ok {
				ps.Addf(ref.field, "cases.ref.unknown", fmt.Sprint(*ref.id), nil)
			}
		}
		if len(ps) > 0 {
			return &ValidationError{Problems: ps}
		}
		now := s.now()
		c.UpdatedAt, c.Version = now, old.Version+1
		q := tx.NewUpdate().Model(&c).Column("subject", "state", "priority", "library_id", "product_id", "vendor_id", "owner_id",
			"vendor_ref", "updated_at", "version").WherePK().Where("version = ?", old.Version)
		q = stateTimes(q, old.State, c.State, now)
		res, err := q.Exec(ctx)
		if err != nil {
			return fmt.Errorf("update case %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		changes := audit.Diff(caseFields, old.snapshot(), c.snapshot())
		out, err = caseByID(ctx, tx, id)
		if err != nil || len(changes) == 0 {
			return err
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: id, LibraryID: deref(c.LibraryID), Action: "updated", Changes: changes})
	})
	return out, err
}

// stateTimes stamps when a case was solved or closed, and clears the stamp
// when it opens again.
func stateTimes(q *bun.UpdateQuery, from, to string, now time.Time) *bun.UpdateQuery {
	if from == to {
		return q
	}
	switch to {
	case StateSolved:
		return q.Set("solved_at = ?", now).Set("closed_at = NULL")
	case StateClosed:
		q = q.Set("closed_at = ?", now)
		if from != StateSolved {
			q = q.Set("solved_at = ?", now)
		}
		return q
	default:
		return q.Set("solved_at = NULL").Set("closed_at = NULL")
	}
}

func positive(p *int64) *int64 {
	if p == nil || *p <= 0 {
		return nil
	}
	v := *p
	return &v
}

// NormalizeTags trims, lower-cases and de-duplicates tags, in order.
func NormalizeTags(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, raw := range in {
		for _, t := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			t = strings.ToLower(strings.Join(strings.Fields(t), " "))
			if t != "" && !seen[t] && len(t) <= 40 {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}

// SetTags replaces a case's tags.
func (s *Service) SetTags(ctx context.Context, by auth.Actor, id int64, tags []string) ([]string, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	tags = NormalizeTags(tags)
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := caseByID(ctx, tx, id)
		if err != nil {
			return err
		}
		before, err := tagsOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Table("case_tags").Where("case_id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("clear tags of case %d: %w", id, err)
		}
		for _, t := range tags {
			if _, err := tx.NewInsert().Model(&caseTag{CaseID: id, Tag: t}).Exec(ctx); err != nil {
				return fmt.Errorf("tag case %d: %w", id, err)
			}
		}
		if strings.Join(before, ",") == strings.Join(tags, ",") {
			return nil
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: id, LibraryID: deref(c.LibraryID), Action: "tagged",
			Changes: []audit.Change{{Field: "tags", Before: strings.Join(before, ", "), After: strings.Join(tags, ", ")}}})
	})
	return tags, err
}

func tagsOf(ctx context.Context, db bun.IDB, id int64) ([]string, error) {
	var tags []string
	if err := db.NewSelect().Table("case_tags").Column("tag").Where("case_id = ?", id).OrderExpr("tag").Scan(ctx, &tags); err != nil {
		return nil, fmt.Errorf("tags of case %d: %w", id, err)
	}
	return tags, nil
}

// Follow adds or removes the actor as a follower of a case.
func (s *Service) Follow(ctx context.Context, by auth.Actor, id int64, follow bool) error {
	if err := mayWork(by); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := caseByID(ctx, tx, id)
		if err != nil {
			return err
		}
		action := "followed"
		if follow {
			_, err = tx.NewInsert().Model(&caseFollower{CaseID: id, UserID: by.UserID}).
				On("CONFLICT (case_id, user_id) DO NOTHING").Exec(ctx)
		} else {
			action = "unfollowed"
			_, err = tx.NewDelete().Table("case_followers").Where("case_id = ?", id).Where("user_id = ?", by.UserID).Exec(ctx)
		}
		if err != nil {
			return fmt.Errorf("%s case %d: %w", action, id, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: id, LibraryID: deref(c.LibraryID), Action: action})
	})
}

// AddParticipant puts a person on a case; an external participant is
// copied on the replies from then on.
func (s *Service) AddParticipant(ctx context.Context, by auth.Actor, id int64, email, name string) (*Participant, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	addr, p := validate.Email(email)
	if p != nil {
		p.Field = "email"
		return nil, &ValidationError{Problems: []*validate.Problem{p}}
	}
	addr = strings.ToLower(addr)
	who, err := recognise(ctx, s.DB, addr, strings.TrimSpace(name))
	if err != nil {
		return nil, err
	}
	var out Participant
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := caseByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := addParticipant(ctx, tx, id, who, s.now()); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&out).Where("case_id = ?", id).Where("email = ?", addr).Scan(ctx); err != nil {
			return fmt.Errorf("participant %s: %w", addr, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: id, LibraryID: deref(c.LibraryID),
			Action: "participant_added", Changes: []audit.Change{{Field: "participant", After: addr}}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveParticipant takes a person off a case: they are copied no more.
func (s *Service) RemoveParticipant(ctx context.Context, by auth.Actor, id, participantID int64) error {
	if err := mayWork(by); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := caseByID(ctx, tx, id)
		if err != nil {
			return err
		}
		var p Participant
		if err := tx.NewSelect().Model(&p).Where("id = ?", participantID).Where("case_id = ?", id).Scan(ctx); err != nil {
			if isNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("participant %d: %w", participantID, err)
		}
		if _, err := tx.NewDelete().Model(&p).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("remove participant %d: %w", participantID, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case", EntityID: id, LibraryID: deref(c.LibraryID),
			Action: "participant_removed", Changes: []audit.Change{{Field: "participant", Before: p.Email}}})
	})
}

type caseTag struct {
	bun.BaseModel `bun:"table:case_tags"`

	CaseID int64  `bun:"case_id"`
	Tag    string `bun:"tag"`
}

type caseFollower struct {
	bun.BaseModel `bun:"table:case_followers"`

	CaseID int64 `bun:"case_id"`
	UserID int64 `bun:"user_id"`
}
