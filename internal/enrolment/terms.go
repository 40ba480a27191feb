package enrolment

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/products"
	"github.com/samla-org/samla/internal/validate"
)

// MailTermsNewVersion is the kind of the mail asking a library to accept a
// licence version (key terms-new:<licence version id>:<library id>).
const MailTermsNewVersion = "terms_new_version"

// Refusal is a refused action whose reason the user must read: the web and
// API layers show it translated by MessageID. It unwraps to ErrForbidden.
type Refusal struct {
	MessageID string
	Text      string // English, for logs and the CLI
}

func (r *Refusal) Error() string { return r.Text }

// Unwrap makes errors.Is(err, ErrForbidden) hold, so callers that know only
// the general errors still answer 403.
func (r *Refusal) Unwrap() error { return ErrForbidden }

// ErrNotYourLibraryToAccept refuses a terms acceptance by anyone but a
// library contact of that library: a consortium admin, staff, a county
// contact, a vendor, an import or an API token of any of them.
var ErrNotYourLibraryToAccept = &Refusal{MessageID: "obligations.accept.only_library",
	Text: "only a contact of the library itself may accept licence terms: the library is bound by them, and the vendor may claim damages from a library that breaks them, so nobody may accept on its behalf"}

// obMayAccept is the acceptance rule: a person logged in as a library
// contact of exactly this library.
func obMayAccept(by auth.Actor, libraryID int64) bool {
	if by.Role != auth.RoleLibrary || by.UserID == 0 {
		return false
	}
	for _, id := range by.LibraryIDs {
		if id == libraryID {
			return true
		}
	}
	return false
}

// AcceptTerms records that a library's own contact accepted the current
// version of a product's licence, with who, when, which version and from
// which address. Accepting the same version again returns the first
// acceptance. A stale version is refused with the current number.
func (s *Service) AcceptTerms(ctx context.Context, by auth.Actor, libraryID, productID int64, licenceVersion int, remoteAddr string) (*TermsAcceptance, error) {
	if !obMayAccept(by, libraryID) {
		return nil, ErrNotYourLibraryToAccept
	}
	var ta *TermsAcceptance
	var licenceID int64
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := obLibrary(ctx, tx, libraryID); err != nil {
			return err
		}
		p, err := newObChecker(tx, "").product(ctx, productID)
		if err != nil {
			return err
		}
		lv, err := obCurrentLicence(ctx, tx, productID)
		if err != nil {
			return err
		}
		if lv == nil {
			return &ValidationError{Problems: []*validate.Problem{{Field: "licence_version", Code: "obligations.accept.no_licence",
				Value: strconv.Itoa(licenceVersion), Args: map[string]any{"Product": p.Name}}}}
		}
		if lv.Version != licenceVersion {
			return &ValidationError{Problems: []*validate.Problem{{Field: "licence_version", Code: "obligations.accept.stale_version",
				Value: strconv.Itoa(licenceVersion), Args: map[string]any{"Current": lv.Version, "Given": licenceVersion}}}}
		}
		licenceID = lv.ID
		if ta, err = obAcceptance(ctx, tx, libraryID, lv.ID); err != nil || ta != nil {
			return err
		}
		who := strings.TrimSpace(by.Name)
		if who == "" {
			who = by.Email
		}
		ta = &TermsAcceptance{LibraryID: libraryID, ProductID: productID, LicenceVersionID: lv.ID, UserID: by.UserID,
			AcceptedBy: who, RemoteAddr: obClip(strings.TrimSpace(remoteAddr), 200), AcceptedAt: s.now().UTC()}
		if _, err := tx.NewInsert().Model(ta).Exec(ctx); err != nil {
			return fmt.Errorf("record terms acceptance: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "terms_acceptance", EntityID: ta.ID, LibraryID: libraryID, Action: "accept",
			Changes: []audit.Change{{Field: "product", After: p.Name}, {Field: "licence_version", After: lv.Version},
				{Field: "accepted_by", After: who}, {Field: "remote_addr", After: ta.RemoteAddr}}})
	})
	if err != nil && db.IsUniqueViolation(err) && licenceID != 0 {
		// Two clicks at once: the other one recorded it.
		return obAcceptance(ctx, s.DB, libraryID, licenceID)
	}
	if err != nil {
		return nil, err
	}
	return ta, nil
}

func obAcceptance(ctx context.Context, idb bun.IDB, libraryID, licenceID int64) (*TermsAcceptance, error) {
	ta := new(TermsAcceptance)
	err := idb.NewSelect().Model(ta).Where("library_id = ? AND licence_version_id = ?", libraryID, licenceID).Scan(ctx)
	if errors.Is(err, db.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("terms acceptance: %w", err)
	}
	return ta, nil
}

func obClip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// TermsStatus is where a library stands with a product's licence.
type TermsStatus struct {
	ProductID      int64            `json:"product_id"`
	Required       bool             `json:"required"`                  // the product requires active acceptance
	LicenceID      int64            `json:"licence_id,omitempty"`      // the current version's id; 0 when no licence text yet
	LicenceVersion int              `json:"licence_version,omitempty"` // the current version
	Accepted       *TermsAcceptance `json:"accepted,omitempty"`        // the library's acceptance of the current version
	Previous       *TermsAcceptance `json:"previous,omitempty"`        // its latest acceptance of an earlier version
	MayAccept      bool             `json:"may_accept"`                // the actor may accept for the library
}

// TermsStatus tells whether a library has accepted the current licence of
// a product, for the page where its contact accepts.
func (s *Service) TermsStatus(ctx context.Context, by auth.Actor, libraryID, productID int64) (*TermsStatus, error) {
	lib, err := obLibrary(ctx, s.DB, libraryID)
	if err != nil {
		return nil, err
	}
	if !by.Sees(lib.ID, lib.Country, lib.CountyNumber) {
		return nil, ErrNotFound
	}
	p, err := newObChecker(s.DB, "").product(ctx, productID)
	if err != nil {
		return nil, err
	}
	st := &TermsStatus{ProductID: p.ID, Required: p.RequiresTermsAcceptance, MayAccept: obMayAccept(by, libraryID)}
	lv, err := obCurrentLicence(ctx, s.DB, productID)
	if err != nil || lv == nil {
		return st, err
	}
	st.LicenceID, st.LicenceVersion = lv.ID, lv.Version
	if st.Accepted, err = obAcceptance(ctx, s.DB, libraryID, lv.ID); err != nil {
		return nil, err
	}
	prev := new(TermsAcceptance)
	err = s.DB.NewSelect().Model(prev).Where("ta.library_id = ? AND ta.product_id = ? AND ta.licence_version_id <> ?", libraryID, productID, lv.ID).
		OrderExpr("ta.accepted_at DESC").Limit(1).Scan(ctx)
	switch {
	case err == nil:
		st.Previous = prev
	case !errors.Is(err, db.ErrNoRows):
		return nil, fmt.Errorf("earlier terms acceptance: %w", err)
	}
	return st, nil
}

// PendingAcceptance is a subscribed library that has not accepted the
// current licence version.
type PendingAcceptance struct {
	LibraryID       int64         `json:"library_id"`
	LibraryName     string        `json:"library_name"`
	LicenceVersion  int           `json:"licence_version"`  // the version to accept
	AcceptedVersion int           `json:"accepted_version"` // the last version it accepted; 0 for none
	StartsOn        calendar.Date `json:"starts_on"`        // the first day of its earliest subscription that has not ended
	PrimaryContact  string        `json:"primary_contact"`  // e-mail, "" when the library has none
}

// PendingAcceptances lists, for a product that requires acceptance, the
// libraries with a subscription (not a trial, not ended) that have not
// accepted the current licence version. Empty when the product requires no
// acceptance or has no licence text yet. Consortium staff see all; county
// and library contacts their own libraries; a vendor contact its products.
func (s *Service) PendingAcceptances(ctx context.Context, by auth.Actor, productID int64) ([]PendingAcceptance, error) {
	p, err := newObChecker(s.DB, "").product(ctx, productID)
	if err != nil {
		return nil, err
	}
	if by.Role == auth.RoleVendor && p.VendorID != by.VendorID {
		return nil, ErrNotFound
	}
	pend, err := obPendingAcceptances(ctx, s.DB, p, today(s.now()))
	if err != nil {
		return nil, err
	}
	out := pend[:0]
	for _, pa := range pend {
		if by.Sees(pa.lib.ID, pa.lib.Country, pa.lib.CountyNumber) {
			out = append(out, pa)
		}
	}
	res := make([]PendingAcceptance, len(out))
	for i, pa := range out {
		res[i] = pa.PendingAcceptance
		if c, err := obPrimaryContact(ctx, s.DB, pa.LibraryID); err != nil {
			return nil, err
		} else if c != nil {
			res[i].PrimaryContact = c.Email
		}
	}
	return res, nil
}

type obPending struct {
	PendingAcceptance
	lib       obLib
	licenceID int64
}

type obLib struct {
	ID                          int64
	Name, Country, CountyNumber string
}

func obPendingAcceptances(ctx context.Context, idb bun.IDB, p *products.Product, day calendar.Date) ([]obPending, error) {
	if !p.RequiresTermsAcceptance {
		return nil, nil
	}
	lv, err := obCurrentLicence(ctx, idb, p.ID)
	if err != nil || lv == nil {
		return nil, err
	}
	var rows []struct {
		LibraryID    int64         `bun:"library_id"`
		Name         string        `bun:"name"`
		Country      string        `bun:"country"`
		CountyNumber string        `bun:"county_number"`
		StartsOn     calendar.Date `bun:"starts_on"`
	}
	err = idb.NewSelect().TableExpr("subscriptions AS s").
		ColumnExpr("s.library_id, l.name, l.country, l.county_number, MIN(s.starts_on) AS starts_on").
		Join("JOIN libraries AS l ON l.id = s.library_id").
		Where("s.product_id = ? AND s.trial_id IS NULL AND s.ends_on >= ?", p.ID, string(day)).
		Where("NOT EXISTS (SELECT 1 FROM terms_acceptances AS ta WHERE ta.library_id = s.library_id AND ta.licence_version_id = ?)", lv.ID).
		GroupExpr("s.library_id, l.name, l.country, l.county_number").OrderExpr("l.name").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("pending acceptances of product %d: %w", p.ID, err)
	}
	var accepted []struct {
		LibraryID int64 `bun:"library_id"`
		Version   int   `bun:"version"`
	}
	err = idb.NewSelect().TableExpr("terms_acceptances AS ta").ColumnExpr("ta.library_id, MAX(lv.version) AS version").
		Join("JOIN licence_versions AS lv ON lv.id = ta.licence_version_id").
		Where("ta.product_id = ?", p.ID).GroupExpr("ta.library_id").Scan(ctx, &accepted)
	if err != nil {
		return nil, fmt.Errorf("earlier acceptances of product %d: %w", p.ID, err)
	}
	last := map[int64]int{}
	for _, a := range accepted {
		last[a.LibraryID] = a.Version
	}
	out := make([]obPending, 0, len(rows))
	for _, r := range rows {
		out = append(out, obPending{
			PendingAcceptance: PendingAcceptance{LibraryID: r.LibraryID, LibraryName: r.Name, LicenceVersion: lv.Version,
				AcceptedVersion: last[r.LibraryID], StartsOn: r.StartsOn},
			lib: obLib{ID: r.LibraryID, Name: r.Name, Country: r.Country, CountyNumber: r.CountyNumber}, licenceID: lv.ID})
	}
	return out, nil
}

// NotifyNewLicenceVersion mails the primary contact of every library that
// must accept the product's current licence version (see
// PendingAcceptances). Each library gets one mail per version however often
// this runs: TickObligations calls it for every product.
func (s *Service) NotifyNewLicenceVersion(ctx context.Context, productID int64) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, err := newObChecker(tx, "").product(ctx, productID)
		if err != nil {
			return err
		}
		pend, err := obPendingAcceptances(ctx, tx, p, today(s.now()))
		if err != nil {
			return err
		}
		for _, pa := range pend {
			key := "terms-new:" + strconv.FormatInt(pa.licenceID, 10) + ":" + strconv.FormatInt(pa.LibraryID, 10)
			args := map[string]any{"Library": pa.LibraryName, "Product": p.Name, "Version": pa.LicenceVersion,
				"Due": pa.StartsOn}
			if err := obMailPrimary(ctx, tx, pa.LibraryID, pa.lib.Country, MailTermsNewVersion, key, "obligations.mail.terms_new", args); err != nil {
				return err
			}
		}
		return nil
	})
}

// TickObligations is the scheduler's share of obligations: lapse ended
// trials and ask their libraries whether to enrol, and ask libraries to
// accept new licence versions. It carries on past a failing product and
// returns every error.
func (s *Service) TickObligations(ctx context.Context) error {
	var errs []error
	if err := s.LapseTrials(ctx); err != nil {
		errs = append(errs, err)
	}
	var ids []int64
	err := s.DB.NewSelect().Model((*products.Product)(nil)).Column("id").
		Where("requires_terms_acceptance = ?", true).Scan(ctx, &ids)
	if err != nil {
		errs = append(errs, fmt.Errorf("products requiring acceptance: %w", err))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if err := s.NotifyNewLicenceVersion(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("licence notice for product %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
