package members

import (
	"strings"
	"unicode"
)

// Spreadsheet columns for import and export: one row per library, with its
// primary contact and IP ranges in the same row, because that is how the
// consortium's spreadsheets look and a round trip (export, edit, import)
// must need nothing else.
var Columns = []string{"id", "name", "type", "country", "county_number", "municipality_number", "parent",
	"org_number", "isil", "latitude", "longitude", "population", "students", "fte", "website", "notes",
	"invoice_party", "invoice_org_number", "invoice_address", "einvoice_endpoint",
	"primary_contact_name", "primary_contact_email", "primary_contact_phone", "ip_ranges"}

// columnAliases maps the headers people actually write (Norwegian, Swedish,
// English, with or without spaces) to our columns.
var columnAliases = map[string]string{
	"navn": "name", "namn": "name", "bibliotek": "name", "library": "name",
	"bibliotektype": "type", "typ": "type", "library_type": "type",
	"land":  "country",
	"fylke": "county_number", "fylkesnummer": "county_number", "lan": "county_number", "län": "county_number", "county": "county_number", "lansnummer": "county_number", "länsnummer": "county_number",
	"kommune": "municipality_number", "kommunenummer": "municipality_number", "kommun": "municipality_number", "kommunnummer": "municipality_number", "municipality": "municipality_number",
	"overordnet": "parent", "moderbibliotek": "parent", "huvudbibliotek": "parent", "parent_isil": "parent", "parent_id": "parent",
	"orgnr": "org_number", "organisasjonsnummer": "org_number", "organisationsnummer": "org_number", "org_nr": "org_number", "organisation_number": "org_number",
	"isil_kode": "isil", "isil_kod": "isil", "isil_code": "isil",
	"lat": "latitude", "breddegrad": "latitude", "lon": "longitude", "lng": "longitude", "lengdegrad": "longitude", "langdgrad": "longitude", "längdgrad": "longitude",
	"befolkning": "population", "innbyggere": "population", "innbyggertall": "population", "folkmangd": "population", "folkmängd": "population", "invanare": "population", "invånare": "population",
	"elever": "students", "elevtall": "students", "antall_elever": "students", "antal_elever": "students",
	"arsverk": "fte", "årsverk": "fte", "heltidsekvivalenter": "fte",
	"nettside": "website", "hjemmeside": "website", "webbplats": "website", "url": "website",
	"merknad": "notes", "merknader": "notes", "notat": "notes", "anteckningar": "notes", "kommentar": "notes",
	"fakturamottaker": "invoice_party", "fakturamottagare": "invoice_party",
	"faktura_orgnr": "invoice_org_number", "fakturaadresse": "invoice_address", "fakturaadress": "invoice_address",
	"ehf": "einvoice_endpoint", "ehf_adresse": "einvoice_endpoint", "peppol": "einvoice_endpoint", "peppol_id": "einvoice_endpoint",
	"kontaktperson": "primary_contact_name", "primaerkontakt": "primary_contact_name", "primærkontakt": "primary_contact_name", "kontakt_navn": "primary_contact_name",
	"kontakt_epost": "primary_contact_email", "e_post": "primary_contact_email", "epost": "primary_contact_email", "e_postadresse": "primary_contact_email", "email": "primary_contact_email",
	"kontakt_telefon": "primary_contact_phone", "telefon": "primary_contact_phone", "phone": "primary_contact_phone",
	"ip": "ip_ranges", "ip_adresser": "ip_ranges", "ip_adresser_och_intervall": "ip_ranges", "ip_ranges_cidr": "ip_ranges", "ip_range": "ip_ranges",
}

// CanonicalColumn maps a header cell to one of Columns, or "" if unknown.
func CanonicalColumn(header string) string {
	key := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		case r == ' ' || r == '-' || r == '_' || r == '.' || r == '/':
			return '_'
		}
		return -1
	}, strings.TrimSpace(header))
	key = strings.Trim(key, "_")
	for strings.Contains(key, "__") {
		key = strings.ReplaceAll(key, "__", "_")
	}
	for _, c := range Columns {
		if key == c {
			return c
		}
	}
	return columnAliases[key]
}
