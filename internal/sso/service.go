package sso

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
)

// Typed errors; the web layer turns them into messages on the login page.
var (
	// ErrNotAllowed: no user has this identity or e-mail, and the e-mail's
	// domain is not one an admin has allowed to create users.
	ErrNotAllowed = errors.New("no Samla user for this identity, and its e-mail domain may not create one")
	// ErrDisabled: the identity belongs to a user who has been disabled.
	ErrDisabled  = errors.New("the user is disabled")
	ErrForbidden = errors.New("not allowed for this role")
	ErrNotFound  = errors.New("no such sign-in domain")
)

// LinkedIdentity is one provider identity of a user.
type LinkedIdentity struct {
	bun.BaseModel `bun:"table:sso_identities"`

	ID          int64     `bun:"id,pk,autoincrement" json:"id"`
	UserID      int64     `bun:"user_id" json:"user_id"`
	Provider    string    `bun:"provider" json:"provider"`
	Subject     string    `bun:"subject" json:"subject"`
	Email       string    `bun:"email" json:"email"`
	CreatedAt   time.Time `bun:"created_at" json:"created_at"`
	LastLoginAt time.Time `bun:"last_login_at" json:"last_login_at"`
}

// Domain lets the people of one e-mail domain create their user at first
// sign-in, with the role (and library or vendor) an admin chose.
type Domain struct {
	bun.BaseModel `bun:"table:sso_domains"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	Domain    string    `bun:"domain" json:"domain"`
	Role      auth.Role `bun:"role" json:"role"`
	LibraryID *int64    `bun:"library_id" json:"library_id,omitempty"`
	VendorID  *int64    `bun:"vendor_id" json:"vendor_id,omitempty"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
}

// Service maps identities to users and keeps the allowed domains.
type Service struct {
	DB    *db.DB
	Users *auth.Service
}

// SignIn finds or makes the user an identity stands for:
//  1. the user already linked to this provider's subject;
//  2. else the user with the e-mail the provider vouches for, now linked;
//  3. else, if an admin allowed the e-mail's domain, a new user.
//
// An e-mail the provider does not vouch for is never matched: anyone can
// type any address into a social account.
func (s *Service) SignIn(ctx context.Context, id Identity) (*auth.User, error) {
	if id.Provider == "" || id.Subject == "" {
		return nil, fmt.Errorf("sign-in without provider or subject: %w", ErrNotAllowed)
	}
	now := time.Now().UTC()
	var userID int64
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		li := new(LinkedIdentity)
		err := tx.NewSelect().Model(li).Where("provider = ? AND subject = ?", id.Provider, id.Subject).Scan(ctx)
		if err == nil {
			userID = li.UserID
			_, err = tx.NewUpdate().Model(li).Set("last_login_at = ?", now).Set("email = ?", strings.ToLower(id.Email)).WherePK().Exec(ctx)
			return err
		}
		if !db.IsNoRows(err) {
			return fmt.Errorf("find identity: %w", err)
		}
		email := strings.ToLower(strings.TrimSpace(id.Email))
		if email == "" || !id.EmailVerified {
			return ErrNotAllowed
		}
		who := audit.Who{Name: "sign-in (" + id.Provider + ")"}
		var u auth.User
		err = tx.NewSelect().Model(&u).Where("email = ?", email).Scan(ctx)
		switch {
		case err == nil:
			userID = u.ID
		case db.IsNoRows(err):
			if userID, err = s.createFromDomain(ctx, tx, who, email, id.Name); err != nil {
				return err
			}
		default:
			return fmt.Errorf("find user %s: %w", email, err)
		}
		li = &LinkedIdentity{UserID: userID, Provider: id.Provider, Subject: id.Subject, Email: email, CreatedAt: now, LastLoginAt: now}
		if _, err := tx.NewInsert().Model(li).Exec(ctx); err != nil {
			return fmt.Errorf("link identity: %w", err)
		}
		return audit.Write(ctx, tx, audit.Who{UserID: userID, Name: who.Name}, audit.Record{Entity: "sso_identity", EntityID: li.ID, Action: "create",
			Changes: []audit.Change{{Field: "provider", After: id.Provider}, {Field: "subject", After: id.Subject}, {Field: "user_id", After: userID}}})
	})
	if err != nil {
		return nil, err
	}
	u, err := s.Users.ByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("signed-in user %d: %w", userID, err)
	}
	if u.Disabled {
		return nil, ErrDisabled
	}
	return u, nil
}

func (s *Service) createFromDomain(ctx context.Context, tx bun.Tx, who audit.Who, email, name string) (int64, error) {
	_, host, _ := strings.Cut(email, "@")
	d := new(Domain)
	if err := tx.NewSelect().Model(d).Where("domain = ?", host).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return 0, ErrNotAllowed
		}
		return 0, fmt.Errorf("sign-in domain %s: %w", host, err)
	}
	if strings.TrimSpace(name) == "" {
		name = email
	}
	// The user signs in through the provider; a random password nobody
	// knows keeps the password login closed until an admin sets one.
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return 0, err
	}
	u, err := auth.CreateTx(ctx, tx, who, auth.NewUser{Email: email, Name: name, Password: hex.EncodeToString(raw),
		Role: d.Role, LibraryID: d.LibraryID, VendorID: d.VendorID}, "sign-in domain "+d.Domain)
	if err != nil {
		return 0, fmt.Errorf("create user %s: %w", email, err)
	}
	return u.ID, nil
}

// DomainInput is what an admin gives to allow a domain.
type DomainInput struct {
	Domain    string    `json:"domain"`
	Role      auth.Role `json:"role"`
	LibraryID *int64    `json:"library_id,omitempty"`
	VendorID  *int64    `json:"vendor_id,omitempty"`
}

// Domains lists the allowed domains; admins only.
func (s *Service) Domains(ctx context.Context, by auth.Actor) ([]Domain, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	var ds []Domain
	if err := s.DB.NewSelect().Model(&ds).OrderExpr("domain").Scan(ctx); err != nil {
		return nil, fmt.Errorf("sign-in domains: %w", err)
	}
	return ds, nil
}

// Problems an admin can make when allowing a domain.
var (
	ErrBadDomain    = errors.New("not an e-mail domain")
	ErrDomainExists = errors.New("this domain is already allowed")
	ErrNeedsLibrary = errors.New("a library contact domain needs a library")
)

// AllowDomain lets people with addresses at in.Domain create their user.
func (s *Service) AllowDomain(ctx context.Context, by auth.Actor, in DomainInput) (*Domain, error) {
	if by.Role != auth.RoleAdmin {
		return nil, ErrForbidden
	}
	host := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.Domain), "@")))
	if host == "" || strings.ContainsAny(host, "@ /") || !strings.Contains(host, ".") {
		return nil, ErrBadDomain
	}
	if !in.Role.Valid() {
		return nil, fmt.Errorf("role %q: want one of %v", in.Role, auth.Roles)
	}
	if in.Role == auth.RoleLibrary && in.LibraryID == nil {
		return nil, ErrNeedsLibrary
	}
	if in.Role == auth.RoleVendor && in.VendorID == nil {
		return nil, auth.ErrNeedsVendor
	}
	if in.Role != auth.RoleLibrary {
		in.LibraryID = nil
	}
	if in.Role != auth.RoleVendor {
		in.VendorID = nil
	}
	d := &Domain{Domain: host, Role: in.Role, LibraryID: in.LibraryID, VendorID: in.VendorID, CreatedAt: time.Now().UTC()}
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return ErrDomainExists
			}
			return fmt.Errorf("allow domain %s: %w", host, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "sso_domain", EntityID: d.ID, LibraryID: deref(d.LibraryID), Action: "create",
			Changes: []audit.Change{{Field: "domain", After: d.Domain}, {Field: "role", After: string(d.Role)}}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// RemoveDomain stops a domain creating users; users it made stay.
func (s *Service) RemoveDomain(ctx context.Context, by auth.Actor, id int64) error {
	if by.Role != auth.RoleAdmin {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d := new(Domain)
		if err := tx.NewSelect().Model(d).Where("id = ?", id).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("sign-in domain %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model(d).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("remove domain %s: %w", d.Domain, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "sso_domain", EntityID: d.ID, LibraryID: deref(d.LibraryID), Action: "delete",
			Changes: []audit.Change{{Field: "domain", Before: d.Domain}}})
	})
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
