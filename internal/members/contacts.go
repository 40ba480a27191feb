package members

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/validate"
)

// ContactInput adds a person to a library in a role.
type ContactInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
	Role  string `json:"role"`
}

// Contacts lists a library's contacts, primary first.
func (s *Service) Contacts(ctx context.Context, by auth.Actor, libraryID int64) ([]LibraryContact, error) {
	if _, err := s.getActing(ctx, by, libraryID); err != nil {
		return nil, err
	}
	var lcs []LibraryContact
	err := s.DB.NewSelect().Model(&lcs).Relation("Contact").Where("lc.library_id = ?", libraryID).
		OrderExpr("CASE lc.role WHEN 'primary' THEN 0 WHEN 'county' THEN 1 ELSE 2 END, contact.name").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contacts of library %d: %w", libraryID, err)
	}
	return lcs, nil
}

// AddContact links a person (found or created by e-mail) to a library. A
// new primary contact replaces the old one, who stays on as "other", so a
// library always has at most one primary contact and never loses a person.
func (s *Service) AddContact(ctx context.Context, by auth.Actor, libraryID int64, in ContactInput) (*LibraryContact, error) {
	var lc *LibraryContact
	err := s.forLibrary(ctx, by, libraryID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		lc, err = s.addContactTx(ctx, tx, by, libraryID, in)
		return err
	})
	return lc, err
}

func (s *Service) addContactTx(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID int64, in ContactInput) (*LibraryContact, error) {
	var ps problems
	name := strings.TrimSpace(in.Name)
	if name == "" {
		ps.Addf("name", "members.contact.name_required", "", nil)
	}
	email, p := validate.Email(in.Email)
	// Contacts are found by e-mail (and logins matched to them), and no mail
	// system our members use has case-sensitive local parts.
	email = strings.ToLower(email)
	if p != nil {
		p.Field = "email"
	}
	ps.Add(p)
	role := strings.TrimSpace(in.Role)
	if role == "" {
		role = ContactOther
	}
	if role != ContactPrimary && role != ContactCounty && role != ContactOther {
		ps.Addf("role", "members.contact.role_unknown", in.Role, nil)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	c, err := s.upsertContact(ctx, tx, by, libraryID, name, email, strings.TrimSpace(in.Phone))
	if err != nil {
		return nil, err
	}
	existing := new(LibraryContact)
	err = tx.NewSelect().Model(existing).Where("library_id = ? AND contact_id = ? AND role = ?", libraryID, c.ID, role).Scan(ctx)
	if err == nil {
		existing.Contact = c
		return existing, nil
	}
	if !errors.Is(err, dbNoRows) {
		return nil, fmt.Errorf("find contact link: %w", err)
	}
	if role == ContactPrimary {
		if err := s.demotePrimary(ctx, tx, by, libraryID); err != nil {
			return nil, err
		}
	}
	lc := &LibraryContact{LibraryID: libraryID, ContactID: c.ID, Role: role, CreatedAt: time.Now().UTC(), Contact: c}
	if _, err := tx.NewInsert().Model(lc).Exec(ctx); err != nil {
		return nil, fmt.Errorf("link contact: %w", err)
	}
	return lc, audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "library_contact", EntityID: lc.ID, LibraryID: libraryID,
		Action: "create", Changes: []audit.Change{{Field: "contact", After: c.Name + " <" + c.Email + ">"}, {Field: "role", After: role}}})
}

// upsertContact finds a person by e-mail, updating name and phone when the
// caller gives new ones, or creates them.
func (s *Service) upsertContact(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID int64, name, email, phone string) (*Contact, error) {
	c := new(Contact)
	err := tx.NewSelect().Model(c).Where("email = ?", email).Scan(ctx)
	now := time.Now().UTC()
	switch {
	case errors.Is(err, dbNoRows):
		c = &Contact{Name: name, Email: email, Phone: phone, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return nil, fmt.Errorf("insert contact: %w", err)
		}
		return c, audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "contact", EntityID: c.ID, LibraryID: libraryID, Action: "create",
			Changes: []audit.Change{{Field: "name", After: name}, {Field: "email", After: email}, {Field: "phone", After: phone}}})
	case err != nil:
		return nil, fmt.Errorf("find contact: %w", err)
	}
	before := map[string]any{"name": c.Name, "phone": c.Phone}
	if name != "" {
		c.Name = name
	}
	if phone != "" {
		c.Phone = phone
	}
	changes := audit.Diff([]string{"name", "phone"}, before, map[string]any{"name": c.Name, "phone": c.Phone})
	if len(changes) == 0 {
		return c, nil
	}
	c.UpdatedAt = now
	if _, err := tx.NewUpdate().Model(c).Column("name", "phone", "updated_at").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("update contact: %w", err)
	}
	return c, audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "contact", EntityID: c.ID, LibraryID: libraryID, Action: "update", Changes: changes})
}

func (s *Service) demotePrimary(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID int64) error {
	old := new(LibraryContact)
	err := tx.NewSelect().Model(old).Relation("Contact").Where("lc.library_id = ? AND lc.role = 'primary'", libraryID).Scan(ctx)
	if errors.Is(err, dbNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find primary contact: %w", err)
	}
	// The person may already be linked as "other"; then the primary link simply goes.
	n, err := tx.NewSelect().Model((*LibraryContact)(nil)).Where("library_id = ? AND contact_id = ? AND role = 'other'", libraryID, old.ContactID).Count(ctx)
	if err != nil {
		return fmt.Errorf("demote primary contact: %w", err)
	}
	if n > 0 {
		_, err = tx.NewDelete().Model(old).WherePK().Exec(ctx)
	} else {
		_, err = tx.NewUpdate().Model(old).Set("role = 'other'").WherePK().Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("demote primary contact: %w", err)
	}
	return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "library_contact", EntityID: old.ID, LibraryID: libraryID, Action: "update",
		Changes: []audit.Change{{Field: "role", Before: ContactPrimary, After: ContactOther}}})
}

// RemoveContact unlinks a person from a library (the person stays in the
// registry: they may be a contact elsewhere).
func (s *Service) RemoveContact(ctx context.Context, by auth.Actor, libraryID, linkID int64) error {
	return s.forLibrary(ctx, by, libraryID, func(ctx context.Context, tx bun.Tx) error {
		lc := new(LibraryContact)
		if err := tx.NewSelect().Model(lc).Relation("Contact").Where("lc.id = ? AND lc.library_id = ?", linkID, libraryID).Scan(ctx); err != nil {
			return ErrNotFound
		}
		if _, err := tx.NewDelete().Model(lc).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("remove contact: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "library_contact", EntityID: lc.ID, LibraryID: libraryID, Action: "delete",
			Changes: []audit.Change{{Field: "contact", Before: lc.Contact.Name + " <" + lc.Contact.Email + ">"}, {Field: "role", Before: lc.Role}}})
	})
}
