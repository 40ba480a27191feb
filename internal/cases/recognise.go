package cases

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// person is what the desk knows about an address.
type person struct {
	Email     string
	Name      string
	Kind      string
	LibraryID *int64
	VendorID  *int64
}

// publicDomains are mail providers shared by many people: an address there
// says nothing about which library or vendor someone works for.
var publicDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"icloud.com": true, "me.com": true, "yahoo.com": true, "online.no": true, "hotmail.no": true,
	"live.no": true, "hotmail.se": true, "telia.com": true, "proton.me": true, "protonmail.com": true,
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// recognise says who addr is: a user of Samla, a library's contact, a
// vendor by its support address or mail domains, or a library by a domain
// that only its contacts use. The first rule that knows wins.
func recognise(ctx context.Context, db bun.IDB, addr, name string) (person, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	p := person{Email: addr, Name: name, Kind: PartExternal}
	var u struct {
		Name      string `bun:"name"`
		Role      string `bun:"role"`
		LibraryID *int64 `bun:"library_id"`
		VendorID  *int64 `bun:"vendor_id"`
	}
	err := db.NewSelect().Table("users").Column("name", "role", "library_id", "vendor_id").
		Where("lower(email) = ?", addr).Where("disabled = ?", false).Limit(1).Scan(ctx, &u)
	switch {
	case err == nil:
		if p.Name == "" {
			p.Name = u.Name
		}
		switch {
		case u.Role == "admin" || u.Role == "staff":
			p.Kind = PartStaff
			return p, nil
		case u.VendorID != nil:
			p.Kind, p.VendorID = PartVendor, u.VendorID
			return p, nil
		case u.LibraryID != nil:
			p.Kind, p.LibraryID = PartLibrary, u.LibraryID
			return p, nil
		}
	case !isNoRows(err):
		return p, fmt.Errorf("recognise %s: %w", addr, err)
	}

	var libs []struct {
		LibraryID int64  `bun:"library_id"`
		Name      string `bun:"name"`
	}
	if err := db.NewSelect().Table("library_contacts").ColumnExpr("library_contacts.library_id, contacts.name").
		Join("JOIN contacts ON contacts.id = library_contacts.contact_id").
		Where("lower(contacts.email) = ?", addr).OrderExpr("library_contacts.role = 'primary' DESC, library_contacts.library_id").
		Scan(ctx, &libs); err != nil {
		return p, fmt.Errorf("recognise %s: %w", addr, err)
	}
	if len(libs) > 0 {
		id := libs[0].LibraryID
		p.Kind, p.LibraryID = PartLibrary, &id
		if p.Name == "" {
			p.Name = libs[0].Name
		}
		return p, nil
	}

	domain := domainOf(addr)
	vendors, err := vendorMailInfo(ctx, db)
	if err != nil {
		return p, err
	}
	for _, v := range vendors {
		if v.SupportEmail != "" && strings.EqualFold(v.SupportEmail, addr) {
			id := v.ID
			p.Kind, p.VendorID = PartVendor, &id
			return p, nil
		}
	}
	if domain == "" || publicDomains[domain] {
		return p, nil
	}
	for _, v := range vendors {
		if v.hasDomain(domain) {
			id := v.ID
			p.Kind, p.VendorID = PartVendor, &id
			return p, nil
		}
	}
	var libIDs []int64
	if err := db.NewSelect().Table("library_contacts").ColumnExpr("DISTINCT library_contacts.library_id").
		Join("JOIN contacts ON contacts.id = library_contacts.contact_id").
		Where("lower(contacts.email) LIKE ?", "%@"+domain).Limit(2).Scan(ctx, &libIDs); err != nil {
		return p, fmt.Errorf("recognise %s by domain: %w", addr, err)
	}
	if len(libIDs) == 1 {
		p.Kind, p.LibraryID = PartLibrary, &libIDs[0]
	}
	return p, nil
}

type vendorMail struct {
	ID            int64  `bun:"id"`
	Name          string `bun:"name"`
	SupportEmail  string `bun:"support_email"`
	MailDomains   string `bun:"mail_domains"`
	TicketPattern string `bun:"ticket_pattern"`
}

// hasDomain: the vendor's listed mail domains, or its support address's
// domain, match domain or a parent of it (mail.vendor.com is vendor.com).
func (v vendorMail) hasDomain(domain string) bool {
	ds := strings.FieldsFunc(strings.ToLower(v.MailDomains), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' })
	if d := domainOf(v.SupportEmail); d != "" && !publicDomains[d] {
		ds = append(ds, d)
	}
	for _, d := range ds {
		d = strings.TrimPrefix(strings.TrimSpace(d), "@")
		if d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return true
		}
	}
	return false
}

func vendorMailInfo(ctx context.Context, db bun.IDB) ([]vendorMail, error) {
	var vs []vendorMail
	if err := db.NewSelect().Table("vendors").Column("id", "name", "support_email", "mail_domains", "ticket_pattern").
		OrderExpr("id").Scan(ctx, &vs); err != nil {
		return nil, fmt.Errorf("vendors' mail settings: %w", err)
	}
	return vs, nil
}

// ticketPatterns compiles the vendors' ticket patterns, keyed by vendor id
// as a string (mailmsg matches by name; ids keep it unambiguous). A
// pattern that does not compile is skipped: it was checked when saved.
func ticketPatterns(vs []vendorMail) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, v := range vs {
		if strings.TrimSpace(v.TicketPattern) == "" {
			continue
		}
		if re, err := regexp.Compile(v.TicketPattern); err == nil {
			out[fmt.Sprintf("%020d", v.ID)] = re
		}
	}
	return out
}

// productFor guesses the product a case is about: the vendor's only
// product, or the one whose name the subject mentions (longest name first,
// so "Lovdata Pro" beats "Lovdata").
func productFor(ctx context.Context, db bun.IDB, vendorID *int64, subject string) (*int64, error) {
	var ps []struct {
		ID       int64  `bun:"id"`
		Name     string `bun:"name"`
		VendorID int64  `bun:"vendor_id"`
	}
	q := db.NewSelect().Table("products").Column("id", "name", "vendor_id")
	if vendorID != nil {
		q = q.Where("vendor_id = ?", *vendorID)
	}
	if err := q.Scan(ctx, &ps); err != nil {
		return nil, fmt.Errorf("products for a case: %w", err)
	}
	if vendorID != nil && len(ps) == 1 {
		return &ps[0].ID, nil
	}
	sort.Slice(ps, func(i, j int) bool { return len(ps[i].Name) > len(ps[j].Name) })
	low := strings.ToLower(subject)
	for _, p := range ps {
		if n := strings.ToLower(strings.TrimSpace(p.Name)); len(n) >= 3 && strings.Contains(low, n) {
			id := p.ID
			return &id, nil
		}
	}
	return nil, nil
}
