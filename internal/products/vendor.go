package products

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// VendorInput is what a form or an API call asks for. Version is the
// version the caller read; it must match on update.
type VendorInput struct {
	Name          string `json:"name"`
	OrgNumber     string `json:"org_number,omitempty"`
	Country       string `json:"country" doc:"Two-letter country code, e.g. NO, SE, US"`
	SupportEmail  string `json:"support_email,omitempty"`
	SupportURL    string `json:"support_url,omitempty"`
	Notes         string `json:"notes,omitempty"`
	MailDomains   string `json:"mail_domains,omitempty" doc:"Domains the vendor's mail comes from, comma-separated, e.g. ebsco.com, ebscohost.com"`
	TicketPattern string `json:"ticket_pattern,omitempty" doc:"Go regular expression for the vendor's ticket number in subjects, e.g. \\[SR-(\\d+)\\]; the first capture group, if any, is the reference"`
	Version       int64  `json:"version,omitempty"`
}

// VendorInputFrom fills an input from a vendor, for edit forms.
func VendorInputFrom(v *Vendor) VendorInput {
	return VendorInput{Name: v.Name, OrgNumber: v.OrgNumber, Country: v.Country, SupportEmail: v.SupportEmail,
		SupportURL: v.SupportURL, Notes: v.Notes, MailDomains: v.MailDomains, TicketPattern: v.TicketPattern, Version: v.Version}
}

var vendorFields = []string{"name", "org_number", "country", "support_email", "support_url", "notes", "mail_domains", "ticket_pattern"}

func (v *Vendor) snapshot() map[string]any {
	return map[string]any{"name": v.Name, "org_number": v.OrgNumber, "country": v.Country,
		"support_email": v.SupportEmail, "support_url": v.SupportURL, "notes": v.Notes,
		"mail_domains": v.MailDomains, "ticket_pattern": v.TicketPattern}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// mailDomain is a lower-case DNS name with at least two labels and a
// top-level domain of letters (or an IDN's xn-- form).
var mailDomain = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$`)

// maxTicketPattern keeps a pattern something a person can read and check;
// Go's regexp runs in linear time, so length is the only cost to cap.
const maxTicketPattern = 200

// normaliseMailDomains reads domains separated by commas, semicolons or
// white space (as the case desk does), lower-cases them and drops a
// leading @; it returns them joined by ", " and the ones that are not
// domains.
func normaliseMailDomains(s string) (string, []string) {
	var out, bad []string
	seen := map[string]bool{}
	for _, d := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	}) {
		d = strings.TrimSuffix(strings.TrimLeft(d, "@"), ".")
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		if len(d) > 253 || !mailDomain.MatchString(d) {
			bad = append(bad, d)
			continue
		}
		out = append(out, d)
	}
	return strings.Join(out, ", "), bad
}

// normaliseVendor validates in onto a copy of existing (nil on create).
func normaliseVendor(in VendorInput, existing *Vendor) (*Vendor, error) {
	var ps problems
	v := &Vendor{}
	if existing != nil {
		*v = *existing
	}
	v.Name = strings.Join(strings.Fields(in.Name), " ")
	if v.Name == "" {
		ps.Addf("name", "vendor.name.required", "", nil)
	}
	v.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if !countryCode.MatchString(v.Country) {
		ps.Addf("country", "vendor.country.invalid", in.Country, nil)
	}
	v.OrgNumber = strings.TrimSpace(in.OrgNumber)
	if v.OrgNumber != "" && (v.Country == "NO" || v.Country == "SE") {
		n, p := validate.OrgNumber(v.Country, v.OrgNumber)
		ps.Add(p)
		v.OrgNumber = n
	}
	v.SupportEmail = ""
	if s := strings.TrimSpace(in.SupportEmail); s != "" {
		e, p := validate.Email(s)
		if p != nil {
			p.Field = "support_email"
		}
		ps.Add(p)
		v.SupportEmail = e
	}
	v.SupportURL = ""
	if s := strings.TrimSpace(in.SupportURL); s != "" {
		u, p := validate.Website(s)
		if p != nil {
			p.Field = "support_url"
		}
		ps.Add(p)
		v.SupportURL = u
	}
	v.Notes = oneLineEnd(in.Notes)
	domains, bad := normaliseMailDomains(in.MailDomains)
	v.MailDomains = domains
	if len(bad) > 0 {
		ps.Addf("mail_domains", "vendor.mail_domains.invalid", strings.Join(bad, ", "), map[string]any{"Domains": strings.Join(bad, ", ")})
	}
	v.TicketPattern = strings.TrimSpace(in.TicketPattern)
	if v.TicketPattern != "" {
		if len(v.TicketPattern) > maxTicketPattern {
			ps.Addf("ticket_pattern", "vendor.ticket_pattern.invalid", v.TicketPattern, map[string]any{"Max": maxTicketPattern, "Reason": fmt.Sprintf("%d > %d", len(v.TicketPattern), maxTicketPattern)})
		} else if _, err := regexp.Compile(v.TicketPattern); err != nil {
			ps.Addf("ticket_pattern", "vendor.ticket_pattern.invalid", v.TicketPattern, map[string]any{"Max": maxTicketPattern, "Reason": strings.TrimPrefix(err.Error(), "error parsing regexp: ")})
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return v, nil
}

func nameTaken(name string) error {
	return &ValidationError{Problems: []*validate.Problem{{Field: "name", Code: "vendor.name.taken", Value: name}}}
}

// CreateVendor adds a vendor; consortium admins and staff only.
func (s *Service) CreateVendor(ctx context.Context, by auth.Actor, in VendorInput) (*Vendor, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	v, err := normaliseVendor(in, nil)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	v.CreatedAt, v.UpdatedAt, v.Version = now, now, 1
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return nameTaken(v.Name)
			}
			return fmt.Errorf("insert vendor: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "vendor", EntityID: v.ID, Action: "create",
			Changes: audit.Diff(vendorFields, nil, v.snapshot())})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateVendor changes a vendor; in.Version must be the version the caller
// read, or the save is refused with ErrConflict.
func (s *Service) UpdateVendor(ctx context.Context, by auth.Actor, id int64, in VendorInput) (*Vendor, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out *Vendor
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getVendor(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != old.Version {
			return ErrConflict
		}
		v, err := normaliseVendor(in, old)
		if err != nil {
			return err
		}
		changes := audit.Diff(vendorFields, old.snapshot(), v.snapshot())
		if len(changes) == 0 {
			out = old
			return nil
		}
		v.UpdatedAt, v.Version = time.Now().UTC(), old.Version+1
		res, err := tx.NewUpdate().Model(v).ExcludeColumn("id", "created_at").
			Where("id = ? AND version = ?", old.ID, old.Version).Exec(ctx)
		if err != nil {
			if db.IsUniqueViolation(err) {
				return nameTaken(v.Name)
			}
			return fmt.Errorf("update vendor %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		out = v
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "vendor", EntityID: v.ID, Action: "update", Changes: changes})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func getVendor(ctx context.Context, idb bun.IDB, id int64) (*Vendor, error) {
	v := new(Vendor)
	if err := idb.NewSelect().Model(v).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("vendor %d: %w", id, err)
	}
	return v, nil
}

// VendorByID loads a vendor without an access check, for other domain
// services (enrolment, agreements) that have checked access themselves.
func (s *Service) VendorByID(ctx context.Context, id int64) (*Vendor, error) {
	return getVendor(ctx, s.DB, id)
}

// seesVendor: the consortium sees every vendor, a vendor contact only its
// own, and other users the vendors of published products.
func (s *Service) seesVendor(ctx context.Context, by auth.Actor, v *Vendor) (bool, error) {
	switch {
	case by.IsConsortium():
		return true, nil
	case by.Role == auth.RoleVendor:
		return by.VendorID != 0 && by.VendorID == v.ID, nil
	case by.Role == "":
		return false, nil
	}
	n, err := s.DB.NewSelect().Model((*Product)(nil)).Where("vendor_id = ? AND published = ?", v.ID, true).Count(ctx)
	return n > 0, err
}

// Vendor loads a vendor the actor may see; others are ErrNotFound, so a
// vendor contact cannot learn which ids exist.
func (s *Service) Vendor(ctx context.Context, by auth.Actor, id int64) (*Vendor, error) {
	v, err := getVendor(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.seesVendor(ctx, by, v)
	if err != nil {
		return nil, fmt.Errorf("vendor %d: %w", id, err)
	}
	if !ok {
		return nil, ErrNotFound
	}
	return v, nil
}

// Vendors lists the vendors the actor may see, by name.
func (s *Service) Vendors(ctx context.Context, by auth.Actor) ([]Vendor, error) {
	vs := []Vendor{}
	q := s.DB.NewSelect().Model(&vs).OrderExpr("name")
	switch {
	case by.IsConsortium():
	case by.Role == auth.RoleVendor:
		q = q.Where("id = ?", by.VendorID)
	case by.Role == "":
		return vs, nil
	default:
		q = q.Where("id IN (SELECT vendor_id FROM products WHERE published = ?)", true)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list vendors: %w", err)
	}
	return vs, nil
}
