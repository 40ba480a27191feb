// Package demo fills an empty database with plausible, made-up member
// libraries so a new user can try Samla at once. No real people's names:
// contacts are drawn from invented first and last names.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/refdata"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/validate"
)

// Login is a user the demo created, with the password to print.
type Login struct {
	Role     auth.Role
	Email    string
	Password string
}

// counties the demo spreads its libraries over.
var counties = []struct{ country, number string }{{"NO", "03"}, {"NO", "46"}, {"NO", "55"}, {"NO", "56"}, {"NO", "34"}, {"SE", "10"}}

var firstNames = []string{"Ingrid", "Mats", "Sigrid", "Ola", "Tuva", "Einar", "Marit", "Håkon", "Linnea", "Per", "Solveig", "Jonas", "Astrid", "Erik", "Maja", "Lars"}
var lastNames = []string{"Bakkevik", "Fjellstad", "Nordvang", "Strømsli", "Lundqvist", "Haugland", "Eikrem", "Solberget", "Myrvold", "Sandnesjø", "Vikholt", "Åsgård"}

// Seed creates the demo registry and users. It refuses a database that
// already has libraries, so it can never mix demo data into real data.
func Seed(ctx context.Context, s *server.Services) ([]Login, error) {
	users, m := s.Users, s.Members
	existing, total, err := m.List(ctx, auth.System, members.Filter{Limit: 1})
	if err != nil {
		return nil, err
	}
	if total > 0 || len(existing) > 0 {
		return nil, fmt.Errorf("demo: the database already has %d libraries; demo data goes only into an empty database", total)
	}
	rng := mrand.New(mrand.NewPCG(2024, 11))
	by := auth.System
	var firstPublic, firstSchool int64
	libCount := 0
	for ci, c := range counties {
		county, _ := refdata.CountyByNumber(c.country, c.number)
		munis := refdata.MunicipalitiesIn(c.country, c.number)
		countyLib, _, err := m.Create(ctx, by, members.LibraryInput{
			Name: countyLibraryName(county), Type: validate.TypeCounty, Country: c.country, CountyNumber: c.number,
			MunicipalityNumber: munis[0].Number, OrgNumber: orgNumber(rng, c.country), ISIL: isil(c.country, 2, ci, 0),
			InvoiceParty: members.InvoiceSelf,
		})
		if err != nil {
			return nil, fmt.Errorf("demo county library %s: %w", county.Name, err)
		}
		libCount++
		if err := addPeople(ctx, m, by, rng, countyLib.ID, c.country); err != nil {
			return nil, err
		}
		n := min(len(munis), 9)
		for i, mu := range munis[:n] {
			pop := int64(mu.Population)
			in := members.LibraryInput{
				Name: publicLibraryName(c.country, mu.Name), Type: validate.TypePublic, Country: c.country,
				MunicipalityNumber: mu.Number, OrgNumber: orgNumber(rng, c.country), Population: &pop,
				ParentID: &countyLib.ID, InvoiceParty: members.InvoiceMunicipality, InvoiceOrgNumber: orgNumber(rng, c.country),
				InvoiceAddress: "Postboks " + fmt.Sprint(100+i) + ", " + mu.Name, Website: "https://" + slug(mu.Name) + ".bibliotek.example",
			}
			if i%4 != 3 { // some libraries still lack an ISIL, as in real registries
				in.ISIL = isil(c.country, 2, ci, i+1)
			}
			if c.country == "NO" {
				in.EInvoiceEndpoint = "0192:" + in.InvoiceOrgNumber
			}
			lat, lon := 58.0+float64(ci)*1.7+float64(i)*0.05, 6.0+float64(ci)*1.9+float64(i)*0.07
			if i%5 != 4 {
				in.Latitude, in.Longitude = &lat, &lon
			}
			l, _, err := m.Create(ctx, by, in)
			if err != nil {
				return nil, fmt.Errorf("demo library %s: %w", in.Name, err)
			}
			libCount++
			if firstPublic == 0 {
				firstPublic = l.ID
			}
			if i%3 != 2 {
				if err := addPeople(ctx, m, by, rng, l.ID, c.country); err != nil {
					return nil, err
				}
			}
			if i%4 != 1 {
				rangeText := fmt.Sprintf("158.%d.%d.0/24", 36+ci, 10+i)
				if _, err := m.AddIPRange(ctx, by, l.ID, members.IPInput{Range: rangeText}); err != nil {
					return nil, fmt.Errorf("demo ip range %s: %w", rangeText, err)
				}
				if i%2 == 0 {
					v6 := fmt.Sprintf("2001:700:%x::/48", 0x100+ci*16+i)
					if _, err := m.AddIPRange(ctx, by, l.ID, members.IPInput{Range: v6}); err != nil {
						return nil, fmt.Errorf("demo ip range %s: %w", v6, err)
					}
				}
			}
			if i == 1 && c.country == "NO" {
				students := int64(400 + rng.IntN(900))
				school, _, err := m.Create(ctx, by, members.LibraryInput{
					Name: mu.Name + " vidaregåande skule, biblioteket", Type: validate.TypeUpperSecondary, Country: c.country,
					MunicipalityNumber: mu.Number, OrgNumber: orgNumber(rng, c.country), Students: &students,
					ISIL: isil(c.country, 3, ci, i), InvoiceParty: members.InvoiceCounty, InvoiceOrgNumber: countyLib.OrgNumber,
				})
				if err != nil {
					return nil, fmt.Errorf("demo school: %w", err)
				}
				libCount++
				if firstSchool == 0 {
					firstSchool = school.ID
					// A municipal network shared by the public library and the school.
					shared := fmt.Sprintf("158.%d.%d.0/24", 36+ci, 10+i-1)
					if _, err := m.AddIPRange(ctx, auth.Actor{Name: "samla", Role: auth.RoleAdmin}, school.ID, members.IPInput{Range: shared, ConfirmShared: true, Note: "kommunalt nett"}); err != nil {
						return nil, fmt.Errorf("demo shared range: %w", err)
					}
				}
			}
		}
	}
	vendorID, err := seedProducts(ctx, s.Products, s.Enrolment, time.Now())
	if err != nil {
		return nil, err
	}
	if err := seedBilling(ctx, s, time.Now()); err != nil {
		return nil, err
	}
	pw := func() string { return password() }
	logins := []Login{
		{auth.RoleAdmin, "admin@samla.example", pw()},
		{auth.RoleStaff, "staff@samla.example", pw()},
		{auth.RoleCountyContact, "fylke@samla.example", pw()},
		{auth.RoleLibrary, "bibliotek@samla.example", pw()},
		{auth.RoleVendor, "leverandor@samla.example", pw()},
	}
	var staff auth.Actor
	for _, l := range logins {
		n := auth.NewUser{Email: l.Email, Name: roleName(l.Role), Password: l.Password, Role: l.Role}
		switch l.Role {
		case auth.RoleCountyContact:
			n.Country, n.CountyNumber = "NO", "46"
		case auth.RoleLibrary:
			n.LibraryID = &firstPublic
		case auth.RoleVendor:
			n.VendorID = &vendorID
		}
		u, err := users.Create(ctx, auth.System, n)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", l.Email, err)
		}
		if l.Role == auth.RoleStaff {
			staff = auth.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role}
		}
	}
	if err := seedCases(ctx, s, time.Now(), staff); err != nil {
		return nil, err
	}
	if err := seedUsage(ctx, s, time.Now()); err != nil {
		return nil, err
	}
	return logins, nil
}

func roleName(r auth.Role) string {
	switch r {
	case auth.RoleAdmin:
		return "Demo Admin"
	case auth.RoleStaff:
		return "Demo Sekretariat"
	case auth.RoleCountyContact:
		return "Demo Fylkeskontakt"
	case auth.RoleVendor:
		return "Demo Leverandør"
	}
	return "Demo Bibliotek"
}

func addPeople(ctx context.Context, m *members.Service, by auth.Actor, rng *mrand.Rand, libraryID int64, country string) error {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	email := fmt.Sprintf("%s.%s.%d@bibliotek.example", slug(first), slug(last), libraryID)
	phone := fmt.Sprintf("+47 %d %02d %02d %02d", 400+rng.IntN(500), rng.IntN(100), rng.IntN(100), rng.IntN(100))
	if country == "SE" {
		phone = fmt.Sprintf("+46 70 %03d %02d %02d", rng.IntN(1000), rng.IntN(100), rng.IntN(100))
	}
	_, err := m.AddContact(ctx, by, libraryID, members.ContactInput{Name: first + " " + last, Email: email, Phone: phone, Role: members.ContactPrimary})
	return err
}

func countyLibraryName(c refdata.County) string {
	if c.Country == "SE" {
		return "Regionbiblioteket " + strings.TrimSuffix(c.Name, " län")
	}
	return c.Name + " fylkesbibliotek"
}

func publicLibraryName(country, municipality string) string {
	if country == "SE" {
		return municipality + " folkbibliotek"
	}
	return municipality + " folkebibliotek"
}

// isil makes a syntactically valid, invented ISIL whose first digit fits the type.
func isil(country string, first, county, i int) string {
	if country == "SE" {
		return fmt.Sprintf("SE-D%02d%02d", county, i)
	}
	return fmt.Sprintf("NO-%d%02d%04d", first, 10+county, 100+i)
}

// orgNumber invents a number that passes the country's check digit.
func orgNumber(rng *mrand.Rand, country string) string {
	for {
		var s string
		if country == "SE" {
			s = fmt.Sprintf("2%08d", rng.IntN(100000000))
		} else {
			s = fmt.Sprintf("9%07d", rng.IntN(10000000))
		}
		for d := 0; d <= 9; d++ {
			if n, p := validate.OrgNumber(country, fmt.Sprintf("%s%d", s, d)); p == nil {
				return n
			}
		}
	}
}

func slug(s string) string {
	r := strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "ä", "a", "ö", "o", "Æ", "ae", "Ø", "o", "Å", "a", " ", "-", "á", "a")
	return strings.ToLower(r.Replace(s))
}

func password() string {
	b := make([]byte, 10)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(256))
		b[i] = byte(n.Int64())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
