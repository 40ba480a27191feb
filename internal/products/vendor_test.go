package products_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/products"
)

func TestVendorValidation(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	cases := []struct {
		name string
		in   products.VendorInput
		want []string
	}{
		{"everything wrong", products.VendorInput{Country: "Norge", SupportEmail: "Ola <ola@x.no>", SupportURL: "ftp://x"},
			[]string{"name:vendor.name.required", "country:vendor.country.invalid", "support_email:validate.email.invalid", "support_url:validate.url.invalid"}},
		{"norwegian org number checked", products.VendorInput{Name: "Lovdata", Country: "NO", OrgNumber: "988077918"},
			[]string{"org_number:validate.orgnr.checksum"}},
		{"swedish org number checked", products.VendorInput{Name: "Mediearkivet", Country: "se", OrgNumber: "5560360794"},
			[]string{"org_number:validate.orgnr.checksum"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateVendor(ctx, admin, c.in)
			wantCodes(t, err, c.want...)
		})
	}
	v, err := s.CreateVendor(ctx, staff, products.VendorInput{Name: " Lovdata ", Country: "no", OrgNumber: "NO 988 077 917 MVA", SupportEmail: "kundeservice@LOVDATA.NO"})
	if err != nil || v.Name != "Lovdata" || v.Country != "NO" || v.OrgNumber != "988077917" || v.SupportEmail != "kundeservice@lovdata.no" || v.Version != 1 {
		t.Fatalf("normalised vendor %+v, %v", v, err)
	}
	// Any other country: the org number is kept as written.
	us, err := s.CreateVendor(ctx, admin, products.VendorInput{Name: "EBSCO", Country: "US", OrgNumber: "04-2513196", SupportURL: "support.ebsco.com"})
	if err != nil || us.OrgNumber != "04-2513196" || us.SupportURL != "https://support.ebsco.com" {
		t.Fatalf("foreign vendor %+v, %v", us, err)
	}
	_, err = s.CreateVendor(ctx, admin, products.VendorInput{Name: "Lovdata", Country: "NO"})
	wantCodes(t, err, "name:vendor.name.taken")
}

func TestVendorRolesAndVersions(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.CreateVendor(ctx, library, products.VendorInput{Name: "X", Country: "NO"}); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("library contact created a vendor: %v", err)
	}
	a := mustVendor(t, s, "PressReader")
	b := mustVendor(t, s, "Retriever")
	if _, err := s.CreateVendor(ctx, vendorActor(a.ID), products.VendorInput{Name: "Y", Country: "NO"}); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("vendor contact created a vendor: %v", err)
	}

	in := products.VendorInputFrom(a)
	in.Notes = "Faktureres i CAD."
	if _, err := s.UpdateVendor(ctx, vendorActor(a.ID), a.ID, in); !errors.Is(err, products.ErrForbidden) {
		t.Errorf("vendor contact changed its vendor: %v", err)
	}
	a2, err := s.UpdateVendor(ctx, staff, a.ID, in)
	if err != nil || a2.Version != 2 || a2.Notes != "Faktureres i CAD." {
		t.Fatalf("staff update: %+v %v", a2, err)
	}
	if _, err := s.UpdateVendor(ctx, staff, a.ID, in); !errors.Is(err, products.ErrConflict) {
		t.Errorf("save over a newer version: %v, want ErrConflict", err)
	}
	in = products.VendorInputFrom(a2)
	in.Name = "Retriever"
	_, err = s.UpdateVendor(ctx, admin, a.ID, in)
	wantCodes(t, err, "name:vendor.name.taken")

	// A vendor contact reads its own vendor only.
	if v, err := s.Vendor(ctx, vendorActor(a.ID), a.ID); err != nil || v.ID != a.ID {
		t.Errorf("own vendor: %v", err)
	}
	if _, err := s.Vendor(ctx, vendorActor(a.ID), b.ID); !errors.Is(err, products.ErrNotFound) {
		t.Errorf("other vendor: %v, want ErrNotFound", err)
	}
	if vs, err := s.Vendors(ctx, vendorActor(a.ID)); err != nil || len(vs) != 1 || vs[0].ID != a.ID {
		t.Errorf("vendor contact's list: %v %v", vs, err)
	}
	if vs, _ := s.Vendors(ctx, staff); len(vs) != 2 {
		t.Errorf("staff sees %d vendors, want 2", len(vs))
	}
	// A library contact sees the vendors of published products only.
	if vs, _ := s.Vendors(ctx, library); len(vs) != 0 {
		t.Errorf("library contact sees %v before anything is published", vs)
	}
	mustPublished(t, s, b.ID, "Atekst")
	if vs, _ := s.Vendors(ctx, library); len(vs) != 1 || vs[0].ID != b.ID {
		t.Errorf("library contact sees %v, want Retriever", vs)
	}

	es, err := audit.List(ctx, s.DB, audit.Query{Entity: "vendor", EntityID: a.ID})
	if err != nil || len(es) != 2 || es[0].Action != "update" || es[1].Action != "create" {
		t.Fatalf("vendor audit: %+v %v", es, err)
	}
	if cs := es[0].ChangeList(); len(cs) != 1 || cs[0].Field != "notes" || cs[0].After != "Faktureres i CAD." {
		t.Errorf("update recorded %+v", cs)
	}
}

func TestVendorMailSettings(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	bad := []struct {
		name string
		in   products.VendorInput
		want []string
	}{
		{"not a domain", products.VendorInput{Name: "EBSCO", Country: "US", MailDomains: "ebsco.com, ebsco, http://ebsco.com"},
			[]string{"mail_domains:vendor.mail_domains.invalid"}},
		{"a mail address is not a domain", products.VendorInput{Name: "EBSCO", Country: "US", MailDomains: "support@ebsco.com"},
			[]string{"mail_domains:vendor.mail_domains.invalid"}},
		{"pattern does not compile", products.VendorInput{Name: "EBSCO", Country: "US", TicketPattern: `\[SR-(\d+\]`},
			[]string{"ticket_pattern:vendor.ticket_pattern.invalid"}},
		{"pattern too long", products.VendorInput{Name: "EBSCO", Country: "US", TicketPattern: strings.Repeat("a", 201)},
			[]string{"ticket_pattern:vendor.ticket_pattern.invalid"}},
		{"both wrong", products.VendorInput{Name: "EBSCO", Country: "US", MailDomains: "-ebsco.com", TicketPattern: `(?P<x`},
			[]string{"mail_domains:vendor.mail_domains.invalid", "ticket_pattern:vendor.ticket_pattern.invalid"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateVendor(ctx, admin, c.in)
			wantCodes(t, err, c.want...)
		})
	}
	var ve *products.ValidationError
	_, err := s.CreateVendor(ctx, admin, products.VendorInput{Name: "EBSCO", Country: "US", MailDomains: "ebsco.com; bad_domain, x"})
	if !errors.As(err, &ve) || ve.Problems[0].Value != "bad_domain, x" {
		t.Fatalf("invalid domains named as %+v, want the two bad ones", err)
	}

	// Domains: lower case, no @, one each, in the order written; a pattern
	// is kept exactly as written (trimmed), and 200 characters are allowed.
	v, err := s.CreateVendor(ctx, admin, products.VendorInput{Name: "EBSCO", Country: "US",
		MailDomains: " @EBSCO.com,EbscoHost.COM\n ebsco.com;  mail.ebsco.com. ", TicketPattern: ` \[SR-(\d+)\] `})
	if err != nil {
		t.Fatal(err)
	}
	if v.MailDomains != "ebsco.com, ebscohost.com, mail.ebsco.com" || v.TicketPattern != `\[SR-(\d+)\]` {
		t.Fatalf("mail settings stored as %q and %q", v.MailDomains, v.TicketPattern)
	}
	got, err := s.Vendor(ctx, admin, v.ID)
	if err != nil || got.MailDomains != v.MailDomains || got.TicketPattern != v.TicketPattern {
		t.Fatalf("read back %+v, %v", got, err)
	}
	long := strings.Repeat("x", 200)
	in := products.VendorInputFrom(got)
	in.TicketPattern, in.MailDomains = long, ""
	v2, err := s.UpdateVendor(ctx, staff, v.ID, in)
	if err != nil || v2.TicketPattern != long || v2.MailDomains != "" || v2.Version != 2 {
		t.Fatalf("update to a 200-character pattern and no domains: %+v, %v", v2, err)
	}
	es, err := audit.List(ctx, s.DB, audit.Query{Entity: "vendor", EntityID: v.ID})
	if err != nil || len(es) != 2 {
		t.Fatalf("vendor audit: %+v %v", es, err)
	}
	fields := map[string]bool{}
	for _, c := range es[0].ChangeList() {
		fields[c.Field] = true
	}
	if !fields["mail_domains"] || !fields["ticket_pattern"] || len(fields) != 2 {
		t.Errorf("update recorded changes to %v, want mail_domains and ticket_pattern", fields)
	}
}
