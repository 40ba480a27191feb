package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/db"
)

// User is someone who can log in.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           int64     `bun:"id,pk,autoincrement" json:"id"`
	Email        string    `bun:"email" json:"email"`
	Name         string    `bun:"name" json:"name"`
	PasswordHash string    `bun:"password_hash" json:"-"`
	Role         Role      `bun:"role" json:"role"`
	LibraryID    *int64    `bun:"library_id" json:"library_id,omitempty"`
	Country      string    `bun:"country" json:"country,omitempty"`
	CountyNumber string    `bun:"county_number" json:"county_number,omitempty"`
	VendorID     *int64    `bun:"vendor_id" json:"vendor_id,omitempty"`
	Locale       string    `bun:"locale" json:"locale,omitempty"`
	Disabled     bool      `bun:"disabled" json:"disabled"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
}

// APIToken is a per-user bearer token; only its hash is kept.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	UserID     int64      `bun:"user_id" json:"user_id"`
	Name       string     `bun:"name" json:"name"`
	TokenHash  string     `bun:"token_hash" json:"-"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at,omitempty"`
}

var (
	ErrBadCredentials = errors.New("wrong e-mail or password")
	ErrUserExists     = errors.New("a user with this e-mail already exists")
	ErrForbidden      = errors.New("not allowed for this role")
	ErrNeedsCounty    = errors.New("a county contact needs a country and county number")
	ErrNeedsVendor    = errors.New("a vendor contact needs a vendor")
)

// LibraryScope finds the libraries a library contact acts for: the members
// registry answers it from its contacts, so access follows the registry.
type LibraryScope func(ctx context.Context, email string) ([]int64, error)

// VendorScope finds the libraries that subscribe to a vendor's products,
// which its contacts may see (the enrolment domain answers it).
type VendorScope func(ctx context.Context, vendorID int64) ([]int64, error)

// Service manages users, passwords and tokens.
type Service struct {
	DB          *db.DB
	Scope       LibraryScope
	VendorScope VendorScope

	tokens tokenCache
}

// NewUser is what an admin (or `samla user add`) gives to create a user.
type NewUser struct {
	Email, Name, Password string
	Role                  Role
	LibraryID             *int64
	VendorID              *int64
	Country, CountyNumber string
}

// Create adds a user; only admins (or the system) may.
func (s *Service) Create(ctx context.Context, by Actor, n NewUser) (*User, error) {
	if !by.CanManageUsers() {
		return nil, ErrForbidden
	}
	var u *User
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		u, err = CreateTx(ctx, tx, by.Who(), n, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CreateTx checks and inserts a user inside the caller's transaction, with
// its audit record (reason may be empty). The caller has checked that who
// may create users: an admin, or single sign-on from an allowed domain.
func CreateTx(ctx context.Context, tx bun.IDB, who audit.Who, n NewUser, reason string) (*User, error) {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	if n.Email == "" || !strings.Contains(n.Email, "@") {
		return nil, fmt.Errorf("user e-mail %q: not an e-mail address", n.Email)
	}
	if !n.Role.Valid() {
		return nil, fmt.Errorf("user role %q: want one of %v", n.Role, Roles)
	}
	if n.Role == RoleCountyContact && (n.Country == "" || n.CountyNumber == "") {
		return nil, ErrNeedsCounty
	}
	if n.Role == RoleVendor && n.VendorID == nil {
		return nil, ErrNeedsVendor
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: n.Email, Name: strings.TrimSpace(n.Name), PasswordHash: hash, Role: n.Role,
		LibraryID: n.LibraryID, VendorID: n.VendorID, Country: n.Country, CountyNumber: n.CountyNumber, CreatedAt: time.Now().UTC()}
	if _, err := tx.NewInsert().Model(u).Exec(ctx); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, ErrUserExists
		}
		return nil, fmt.Errorf("insert user: %w", err)
	}
	rec := audit.Record{Entity: "user", EntityID: u.ID, Action: "create", Reason: reason,
		Changes: []audit.Change{{Field: "email", After: u.Email}, {Field: "role", After: string(u.Role)}}}
	if u.LibraryID != nil {
		rec.LibraryID = *u.LibraryID
	}
	return u, audit.Write(ctx, tx, who, rec)
}

// List returns all users, by name.
func (s *Service) List(ctx context.Context) ([]User, error) {
	var us []User
	if err := s.DB.NewSelect().Model(&us).OrderExpr("name, email").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// ByID loads one user.
func (s *Service) ByID(ctx context.Context, id int64) (*User, error) {
	u := new(User)
	if err := s.DB.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// ByEmail loads one user by e-mail address.
func (s *Service) ByEmail(ctx context.Context, email string) (*User, error) {
	u := new(User)
	if err := s.DB.NewSelect().Model(u).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Scan(ctx); err != nil {
		return nil, fmt.Errorf("user %s: %w", email, err)
	}
	return u, nil
}

// dummyHash is checked when no user matches, so a login for an unknown
// address takes as long as one with a wrong password. It is made on first
// use: hashing at start-up would slow every command for nothing.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password")
	return h
})

// Login checks an e-mail and password.
func (s *Service) Login(ctx context.Context, email, password string) (*User, error) {
	u := new(User)
	err := s.DB.NewSelect().Model(u).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		if db.IsNoRows(err) {
			_, _ = CheckPassword(dummyHash(), password)
			return nil, ErrBadCredentials
		}
		return nil, fmt.Errorf("login: %w", err)
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil || !ok || u.Disabled {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// SetLocale stores the user's language choice.
func (s *Service) SetLocale(ctx context.Context, userID int64, lang string) error {
	_, err := s.DB.NewUpdate().Model((*User)(nil)).Set("locale = ?", lang).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set locale: %w", err)
	}
	return nil
}

// Actor resolves a user to the actor the domain services check.
func (s *Service) Actor(ctx context.Context, u *User) (Actor, error) {
	a := Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Country: u.Country, CountyNumber: u.CountyNumber}
	if u.Role == RoleLibrary {
		if u.LibraryID != nil {
			a.LibraryIDs = append(a.LibraryIDs, *u.LibraryID)
		}
		if s.Scope != nil {
			ids, err := s.Scope(ctx, u.Email)
			if err != nil {
				return a, fmt.Errorf("library scope of %s: %w", u.Email, err)
			}
			a.LibraryIDs = append(a.LibraryIDs, ids...)
		}
	}
	if u.Role == RoleVendor && u.VendorID != nil {
		a.VendorID = *u.VendorID
		if s.VendorScope != nil {
			ids, err := s.VendorScope(ctx, a.VendorID)
			if err != nil {
				return a, fmt.Errorf("subscribers of vendor %d: %w", a.VendorID, err)
			}
			a.LibraryIDs = ids
		}
	}
	return a, nil
}

// Who is the actor as the audit log names them.
func (a Actor) Who() audit.Who { return audit.Who{UserID: a.UserID, Name: a.Name} }

// tokenPrefix makes a leaked token recognisable to secret scanners.
const tokenPrefix = "samla_"

// CreateToken makes a new API token for the actor and returns it in clear,
// the only time it is ever shown.
func (s *Service) CreateToken(ctx context.Context, by Actor, name string) (string, *APIToken, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	clear := tokenPrefix + hex.EncodeToString(raw)
	t := &APIToken{UserID: by.UserID, Name: strings.TrimSpace(name), TokenHash: hashToken(clear), CreatedAt: time.Now().UTC()}
	if t.Name == "" {
		t.Name = "API"
	}
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "api_token", EntityID: t.ID, Action: "create",
			Changes: []audit.Change{{Field: "name", After: t.Name}}})
	})
	if err != nil {
		return "", nil, err
	}
	return clear, t, nil
}

// Tokens lists a user's tokens.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var ts []APIToken
	if err := s.DB.NewSelect().Model(&ts).Where("user_id = ?", userID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken deletes one of the actor's own tokens.
func (s *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*APIToken)(nil)).Where("id = ? AND user_id = ?", id, by.UserID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNoRows
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "api_token", EntityID: id, Action: "delete"})
	})
}

// userForToken finds the user behind a bearer token, and the token.
func (s *Service) userForToken(ctx context.Context, clear string) (*User, *APIToken, error) {
	if !strings.HasPrefix(clear, tokenPrefix) {
		return nil, nil, ErrBadCredentials
	}
	t := new(APIToken)
	if err := s.DB.NewSelect().Model(t).Where("token_hash = ?", hashToken(clear)).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, nil, ErrBadCredentials
		}
		return nil, nil, fmt.Errorf("token lookup: %w", err)
	}
	u, err := s.ByID(ctx, t.UserID)
	if err != nil || u.Disabled {
		return nil, nil, ErrBadCredentials
	}
	return u, t, nil
}

// Tokens are long random strings, so a fast hash is enough: there is
// nothing to brute-force that a slow hash would protect.
func hashToken(clear string) string {
	sum := sha256.Sum256([]byte(clear))
	return hex.EncodeToString(sum[:])
}
