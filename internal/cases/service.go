package cases

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/cases/mailmsg"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/i18n"
)

// Service runs the case desk. Every change is checked against the actor's
// role and written with its audit record in one transaction.
type Service struct {
	DB *db.DB
	// Now is the clock; tests set it. Nil means time.Now.
	Now func() time.Time

	// Address is the desk's own mailbox, e.g. "Konsortiet <post@konsortium.no>":
	// replies are sent from it, and mail to it (or to its plus-addresses)
	// is mail to the desk, never a participant.
	Address string
	// OtherAddresses are further addresses that deliver to the desk.
	OtherAddresses []string
	// PlusAddressing sends replies with a signed Reply-To such as
	// post+c12.<mac>@konsortium.no; only for mail servers that deliver
	// plus-addresses to the mailbox.
	PlusAddressing bool
	// MaxSize is the largest mail whose body is parsed; larger mail is kept
	// raw with a note. 0 means mailmsg.DefaultMaxSize.
	MaxSize int
	// Catalog translates the notices that tell owners and followers about
	// new mail; nil sends none.
	Catalog *i18n.Catalog
	// ReopenWindow is how long after closing a reply still reopens a case;
	// later mail opens a new case linked to it. 0 means 30 days.
	ReopenWindow time.Duration

	signerOnce sync.Once
	signer     mailmsg.Signer
	signerErr  error
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) reopenWindow() time.Duration {
	if s.ReopenWindow > 0 {
		return s.ReopenWindow
	}
	return 30 * 24 * time.Hour
}

// deskAddress is the desk's address without its display name.
func (s *Service) deskAddress() (name, addr string) {
	a, err := mail.ParseAddress(s.Address)
	if err != nil {
		return "", strings.ToLower(strings.TrimSpace(s.Address))
	}
	return a.Name, strings.ToLower(a.Address)
}

// isDesk reports whether addr reaches the desk: its own address, one of
// the others, or a plus-address of either.
func (s *Service) isDesk(addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return false
	}
	_, own := s.deskAddress()
	for _, d := range append([]string{own}, s.OtherAddresses...) {
		d = strings.ToLower(strings.TrimSpace(d))
		if a, err := mail.ParseAddress(d); err == nil {
			d = strings.ToLower(a.Address)
		}
		if d == "" {
			continue
		}
		if addr == d {
			return true
		}
		local, domain, ok := strings.Cut(d, "@")
		if ok && strings.HasSuffix(addr, "@"+domain) && strings.HasPrefix(addr, local+"+") {
			return true
		}
	}
	return false
}

// Signer returns the signer of the desk's references, making its key on
// first use. The key lives in the database so every instance of Samla, and
// every restart, signs and verifies alike.
func (s *Service) Signer(ctx context.Context) (mailmsg.Signer, error) {
	s.signerOnce.Do(func() {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			s.signerErr = err
			return
		}
		_, err := s.DB.NewInsert().Model(&secret{Name: "reference_key", Value: hex.EncodeToString(b[:])}).
			On("CONFLICT (name) DO NOTHING").Exec(ctx)
		if err != nil {
			s.signerErr = fmt.Errorf("case desk key: %w", err)
			return
		}
		var sec secret
		if err := s.DB.NewSelect().Model(&sec).Where("name = ?", "reference_key").Scan(ctx); err != nil {
			s.signerErr = fmt.Errorf("case desk key: %w", err)
			return
		}
		key, err := hex.DecodeString(sec.Value)
		if err != nil {
			s.signerErr = fmt.Errorf("case desk key is not hex: %w", err)
			return
		}
		_, addr := s.deskAddress()
		domain := "samla.invalid"
		if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
			domain = d
		}
		s.signer = mailmsg.Signer{Key: key, Domain: domain}
	})
	return s.signer, s.signerErr
}

type secret struct {
	bun.BaseModel `bun:"table:case_secrets"`

	Name  string `bun:"name,pk"`
	Value string `bun:"value"`
}

// mayWork is the rule of the desk: the consortium's staff work every case.
// Library contacts and vendors take part by e-mail.
func mayWork(by auth.Actor) error {
	if !by.IsConsortium() {
		return ErrForbidden
	}
	return nil
}

// caseByID reads a case through db (a transaction or the pool).
func caseByID(ctx context.Context, db bun.IDB, id int64) (*Case, error) {
	c := new(Case)
	if err := db.NewSelect().Model(c).Where("c.id = ?", id).Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("case %d: %w", id, err)
	}
	return c, nil
}

func isNoRows(err error) bool { return db.IsNoRows(err) }
