package members

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/validate"
)

// LibraryInput is what a form, an API call or an import row asks for.
// Version is the version the caller read; it must match on update.
type LibraryInput struct {
	Name               string   `json:"name"`
	Type               string   `json:"type"`
	Country            string   `json:"country,omitempty"`
	CountyNumber       string   `json:"county_number,omitempty"`
	MunicipalityNumber string   `json:"municipality_number,omitempty"`
	ParentID           *int64   `json:"parent_id,omitempty"`
	OrgNumber          string   `json:"org_number,omitempty"`
	ISIL               string   `json:"isil,omitempty"`
	Latitude           *float64 `json:"latitude,omitempty"`
	Longitude          *float64 `json:"longitude,omitempty"`
	Population         *int64   `json:"population,omitempty"`
	Students           *int64   `json:"students,omitempty"`
	FTE                *int64   `json:"fte,omitempty"`
	Website            string   `json:"website,omitempty"`
	Notes              string   `json:"notes,omitempty"`
	InvoiceParty       string   `json:"invoice_party,omitempty"`
	InvoiceOrgNumber   string   `json:"invoice_org_number,omitempty"`
	InvoiceAddress     string   `json:"invoice_address,omitempty"`
	EInvoiceEndpoint   string   `json:"einvoice_endpoint,omitempty"`
	Version            int64    `json:"version,omitempty"`
}

// InputFrom fills an input from an existing library, for edit forms.
func InputFrom(l *Library) LibraryInput {
	return LibraryInput{Name: l.Name, Type: l.Type, Country: l.Country, CountyNumber: l.CountyNumber,
		MunicipalityNumber: l.MunicipalityNumber, ParentID: l.ParentID, OrgNumber: l.OrgNumber, ISIL: l.ISILString(),
		Latitude: l.Latitude, Longitude: l.Longitude, Population: l.Population, Students: l.Students, FTE: l.FTE,
		Website: l.Website, Notes: l.Notes, InvoiceParty: l.InvoiceParty, InvoiceOrgNumber: l.InvoiceOrgNumber,
		InvoiceAddress: l.InvoiceAddress, EInvoiceEndpoint: l.EInvoiceEndpoint, Version: l.Version}
}

// ParseText turns text fields (a form post or a spreadsheet row) into an
// input; numbers that do not parse become problems on their field.
// Keys are the field names of libraryFields plus "version".
func ParseText(get func(field string) string) (LibraryInput, []*validate.Problem) {
	var ps problems
	in := LibraryInput{
		Name: strings.TrimSpace(get("name")), Type: strings.TrimSpace(get("type")),
		Country: strings.ToUpper(strings.TrimSpace(get("country"))), CountyNumber: strings.TrimSpace(get("county_number")),
		MunicipalityNumber: strings.TrimSpace(get("municipality_number")), OrgNumber: strings.TrimSpace(get("org_number")),
		ISIL: strings.TrimSpace(get("isil")), Website: strings.TrimSpace(get("website")), Notes: strings.TrimSpace(get("notes")),
		InvoiceParty: strings.TrimSpace(get("invoice_party")), InvoiceOrgNumber: strings.TrimSpace(get("invoice_org_number")),
		InvoiceAddress: strings.TrimSpace(get("invoice_address")), EInvoiceEndpoint: strings.TrimSpace(get("einvoice_endpoint")),
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"parent_id", &in.ParentID}, {"population", &in.Population}, {"students", &in.Students}, {"fte", &in.FTE}} {
		v := strings.TrimSpace(get(f.name))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(v), 10, 64)
		if err != nil || n < 0 {
			ps.Addf(f.name, "members.number.whole", v, nil)
			continue
		}
		*f.dst = &n
	}
	for _, f := range []struct {
		name string
		dst  **float64
	}{{"latitude", &in.Latitude}, {"longitude", &in.Longitude}} {
		v := strings.TrimSpace(get(f.name))
		if v == "" {
			continue
		}
		x, p := validate.ParseCoordinate(f.name, v)
		if p != nil {
			ps.Add(p)
			continue
		}
		*f.dst = &x
	}
	if v := strings.TrimSpace(get("version")); v != "" {
		in.Version, _ = strconv.ParseInt(v, 10, 64)
	}
	return in, ps
}

// peppolEndpoint is an ISO 6523 scheme and identifier: 0192 is a Norwegian
// organisation number, 0007 a Swedish one.
var peppolEndpoint = regexp.MustCompile(`^([0-9]{4}):([0-9A-Za-z\-]{1,50})$`)

// normalise validates in and turns it into library fields. existing is the
// library being changed, nil on create. Warnings do not stop a save.
func (s *Service) normalise(ctx context.Context, db bun.IDB, in LibraryInput, existing *Library) (*Library, []*validate.Problem, error) {
	var ps, warns problems
	l := &Library{}
	if existing != nil {
		*l = *existing
	}
	l.Name = strings.TrimSpace(in.Name)
	if l.Name == "" {
		ps.Addf("name", "members.name.required", "", nil)
	}
	if strings.TrimSpace(in.Type) == "" {
		ps.Addf("type", "members.type.required", "", nil)
	} else if t, p := validate.LibraryType(in.Type); p != nil {
		ps.Add(p)
	} else {
		l.Type = t
	}
	l.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if l.Country == "" {
		l.Country = "NO"
	}
	if l.Country != "NO" && l.Country != "SE" {
		ps.Addf("country", "members.country.unknown", in.Country, nil)
	}
	s.placeInRegion(&ps, l, in)

	l.OrgNumber = ""
	if in.OrgNumber != "" {
		n, p := validate.OrgNumber(l.Country, in.OrgNumber)
		ps.Add(p)
		l.OrgNumber = n
	}
	l.ISIL = nil
	if in.ISIL != "" {
		isil, p := validate.ISIL(in.ISIL)
		ps.Add(p)
		if p == nil {
			l.ISIL = &isil
			warns.Add(validate.ISILTypeWarning(isil, l.Type))
		}
	}
	l.Latitude, l.Longitude = in.Latitude, in.Longitude
	if (l.Latitude == nil) != (l.Longitude == nil) {
		ps.Addf("longitude", "members.coord.both", "", nil)
	} else if l.Latitude != nil {
		for _, p := range validate.Coordinates(*l.Latitude, *l.Longitude) {
			ps.Add(p)
		}
	}
	l.Population, l.Students, l.FTE = in.Population, in.Students, in.FTE
	for name, v := range map[string]*int64{"population": l.Population, "students": l.Students, "fte": l.FTE} {
		if v != nil && *v < 0 {
			ps.Addf(name, "members.number.whole", strconv.FormatInt(*v, 10), nil)
		}
	}
	l.Website = ""
	if in.Website != "" {
		w, p := validate.Website(in.Website)
		ps.Add(p)
		l.Website = w
	}
	l.Notes = oneLineEnd(in.Notes)
	s.invoiceFields(&ps, l, in)

	l.ParentID = in.ParentID
	if err := s.checkParent(ctx, db, &ps, l, existing); err != nil {
		return nil, nil, err
	}
	if l.ISIL != nil {
		other := new(Library)
		q := db.NewSelect().Model(other).Column("id", "name").Where("isil = ?", *l.ISIL)
		if existing != nil {
			q = q.Where("id <> ?", existing.ID)
		}
		if err := q.Limit(1).Scan(ctx); err == nil {
			ps.Addf("isil", "members.isil.taken", *l.ISIL, map[string]any{"Other": other.Name})
		}
	}
	if len(ps) > 0 {
		return nil, warns, ps.Err()
	}
	return l, warns, nil
}

// placeInRegion resolves county and municipality, deriving the county from
// the municipality so a spreadsheet need only give one of them.
func (s *Service) placeInRegion(ps *problems, l *Library, in LibraryInput) {
	l.CountyNumber, l.MunicipalityNumber = "", ""
	if in.MunicipalityNumber != "" {
		m, ok := refdata.FindMunicipality(l.Country, in.MunicipalityNumber)
		if !ok {
			ps.Addf("municipality_number", "members.municipality.unknown", in.MunicipalityNumber, map[string]any{"Country": l.Country})
		} else {
			l.MunicipalityNumber, l.CountyNumber = m.Number, m.CountyNumber
		}
	}
	if in.CountyNumber != "" {
		c, ok := refdata.FindCounty(l.Country, in.CountyNumber)
		switch {
		case !ok:
			ps.Addf("county_number", "members.county.unknown", in.CountyNumber, map[string]any{"Country": l.Country})
		case l.CountyNumber != "" && l.CountyNumber != c.Number:
			ps.Addf("municipality_number", "members.municipality.other_county", in.MunicipalityNumber, map[string]any{"County": c.Name})
		default:
			l.CountyNumber = c.Number
		}
	}
}

func (s *Service) invoiceFields(ps *problems, l *Library, in LibraryInput) {
	l.InvoiceParty = strings.TrimSpace(in.InvoiceParty)
	if l.InvoiceParty == "" {
		l.InvoiceParty = InvoiceSelf
	}
	known := false
	for _, p := range InvoiceParties {
		known = known || p == l.InvoiceParty
	}
	if !known {
		ps.Addf("invoice_party", "members.invoice_party.unknown", in.InvoiceParty, nil)
	}
	l.InvoiceOrgNumber = ""
	if in.InvoiceOrgNumber != "" {
		n, p := validate.OrgNumber(l.Country, in.InvoiceOrgNumber)
		if p != nil {
			p.Field = "invoice_org_number"
		}
		ps.Add(p)
		l.InvoiceOrgNumber = n
	} else if known && l.InvoiceParty != InvoiceSelf {
		ps.Addf("invoice_org_number", "members.invoice_org.required", "", nil)
	}
	l.InvoiceAddress = oneLineEnd(in.InvoiceAddress)
	l.EInvoiceEndpoint = strings.TrimSpace(in.EInvoiceEndpoint)
	if l.EInvoiceEndpoint != "" {
		m := peppolEndpoint.FindStringSubmatch(l.EInvoiceEndpoint)
		switch {
		case m == nil:
			ps.Addf("einvoice_endpoint", "members.einvoice.syntax", l.EInvoiceEndpoint, nil)
		case m[1] == "0192":
			if _, p := validate.OrgNumber("NO", m[2]); p != nil {
				ps.Addf("einvoice_endpoint", "members.einvoice.orgnr", l.EInvoiceEndpoint, nil)
			}
		case m[1] == "0007":
			if _, p := validate.OrgNumber("SE", m[2]); p != nil {
				ps.Addf("einvoice_endpoint", "members.einvoice.orgnr", l.EInvoiceEndpoint, nil)
			}
		}
	}
}

// checkParent refuses a parent that does not exist or would make a loop
// (a branch under itself, directly or through its own branches).
func (s *Service) checkParent(ctx context.Context, db bun.IDB, ps *problems, l *Library, existing *Library) error {
	if l.ParentID == nil {
		return nil
	}
	seen := map[int64]bool{}
	if existing != nil {
		seen[existing.ID] = true
	}
	id := *l.ParentID
	for depth := 0; id != 0 && depth < 50; depth++ {
		if seen[id] {
			ps.Addf("parent_id", "members.parent.loop", strconv.FormatInt(*l.ParentID, 10), nil)
			return nil
		}
		seen[id] = true
		p := new(Library)
		if err := db.NewSelect().Model(p).Column("id", "parent_id").Where("id = ?", id).Scan(ctx); err != nil {
			if depth == 0 {
				ps.Addf("parent_id", "members.parent.unknown", strconv.FormatInt(id, 10), nil)
			}
			return nil
		}
		id = 0
		if p.ParentID != nil {
			id = *p.ParentID
		}
	}
	return nil
}

// oneLineEnd stores line breaks as LF: browsers send a textarea's as CRLF and
// spreadsheets read them back as LF, and the two must compare equal or every
// re-import of an export would "change" the text.
func oneLineEnd(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}
