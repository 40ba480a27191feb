// Package validate holds the pure validation rules of the member registry:
// library types, ISIL, organisation numbers, coordinates, contact addresses
// and IP ranges. Nothing here touches the database or HTTP, so the web forms,
// the API and the spreadsheet import all share one set of rules.
//
// Every failure is a *Problem whose Code is a message ID. The translations
// live in internal/i18n/locales/validate.{nb,sv,en}.toml; the tests keep
// those files, Codes and the English texts below in step.
package validate

import (
	"fmt"
	"strings"
	"text/template"
)

// Problem is one validation failure (or warning) on one field. The UI and API
// translate it by Code; Args feed the message template.
type Problem struct {
	Field string         `json:"field"`          // e.g. "isil", "org_number", "ip_range", "latitude"
	Code  string         `json:"code"`           // message ID, e.g. "validate.isil.charset"
	Value string         `json:"value"`          // the offending input, as given
	Args  map[string]any `json:"args,omitempty"` // template data, e.g. {"Max": 16}
}

// Error renders the English text, so a Problem that escapes untranslated
// (logs, CLI, tests) still reads as a sentence rather than a message ID.
func (p *Problem) Error() string {
	text := strings.TrimSuffix(render(p.Code, p.Args), ".")
	return fmt.Sprintf("%s: %s (value %q)", p.Field, text, p.Value)
}

func problem(field, code, value string, args map[string]any) *Problem {
	return &Problem{Field: field, Code: code, Value: value, Args: args}
}

// Message IDs. Codes lists every one the package can return; the tests check
// that each has a translation in all three locale files and that each is
// actually produced somewhere.
const (
	CodeTypeUnknown = "validate.type.unknown"

	CodeISILEmpty        = "validate.isil.empty"
	CodeISILTooLong      = "validate.isil.too_long"
	CodeISILCharset      = "validate.isil.charset"
	CodeISILPrefix       = "validate.isil.prefix"
	CodeISILNoForm       = "validate.isil.no_form"
	CodeISILTypeMismatch = "validate.isil.type_mismatch"

	CodeOrgEmpty    = "validate.orgnr.empty"
	CodeOrgLength   = "validate.orgnr.length"
	CodeOrgDigits   = "validate.orgnr.digits"
	CodeOrgChecksum = "validate.orgnr.checksum"
	CodeOrgCountry  = "validate.orgnr.country"

	CodeLatitude    = "validate.coord.latitude"
	CodeLongitude   = "validate.coord.longitude"
	CodeCoordNumber = "validate.coord.number"

	CodeEmail = "validate.email.invalid"
	CodeURL   = "validate.url.invalid"

	CodeIPEmpty     = "validate.ip.empty"
	CodeIPSyntax    = "validate.ip.syntax"
	CodeIPFamilyMix = "validate.ip.family_mix"
	CodeIPReversed  = "validate.ip.reversed"
	CodeIPHostBits  = "validate.ip.host_bits"
	CodeIPNotPublic = "validate.ip.not_public"
	CodeIPTooWide   = "validate.ip.too_wide"
)

// Codes is every message ID this package can put in a Problem.
var Codes = []string{
	CodeTypeUnknown,
	CodeISILEmpty, CodeISILTooLong, CodeISILCharset, CodeISILPrefix, CodeISILNoForm, CodeISILTypeMismatch,
	CodeOrgEmpty, CodeOrgLength, CodeOrgDigits, CodeOrgChecksum, CodeOrgCountry,
	CodeLatitude, CodeLongitude, CodeCoordNumber,
	CodeEmail, CodeURL,
	CodeIPEmpty, CodeIPSyntax, CodeIPFamilyMix, CodeIPReversed, CodeIPHostBits, CodeIPNotPublic, CodeIPTooWide,
}

// english is the text Error uses. It must equal validate.en.toml (a test
// checks), so that a log line and the English UI say the same thing.
var english = map[string]string{
	CodeTypeUnknown: "Unknown library type. Choose public, county, upper secondary school, primary school, academic, special or other library.",

	CodeISILEmpty:        "ISIL is missing.",
	CodeISILTooLong:      "An ISIL can have at most {{.Max}} characters (this one has {{.Len}}).",
	CodeISILCharset:      "An ISIL may contain only the letters A–Z (no Æ, Ø, Å, Ä, Ö), digits and the characters - / : (found “{{.Char}}”).",
	CodeISILPrefix:       "An ISIL starts with a country code or other prefix of 1–4 letters, then a hyphen and the identifier, e.g. NO-0030000.",
	CodeISILNoForm:       "A Norwegian ISIL is NO- followed by seven digits, e.g. NO-0030000.",
	CodeISILTypeMismatch: "ISILs beginning NO-{{.Digit}} are not usually used for this type of library. Check the ISIL and the library type.",

	CodeOrgEmpty:    "Organisation number is missing.",
	CodeOrgLength:   "The organisation number must have {{.Want}} digits.",
	CodeOrgDigits:   "The organisation number may contain only digits.",
	CodeOrgChecksum: "This is not a valid organisation number: the check digit does not match. Check for typing errors.",
	CodeOrgCountry:  "Organisation numbers can only be checked for Norway (NO) and Sweden (SE), not “{{.Country}}”.",

	CodeLatitude:    "Latitude must be a number between {{.Min}} and {{.Max}} degrees.",
	CodeLongitude:   "Longitude must be a number between {{.Min}} and {{.Max}} degrees.",
	CodeCoordNumber: "The coordinate must be a decimal number of degrees, e.g. 59.9139.",

	CodeEmail: "This is not a valid e-mail address. Give the address alone, e.g. post@library.no.",
	CodeURL:   "This is not a valid web address. Give an http or https address, e.g. https://www.library.no.",

	CodeIPEmpty:     "IP range is missing.",
	CodeIPSyntax:    "This is not an IP address or range. Write a single address (193.157.1.10), a range (193.157.1.10-193.157.1.99) or a CIDR block (193.157.0.0/16).",
	CodeIPFamilyMix: "The start and end of a range must both be IPv4 or both IPv6.",
	CodeIPReversed:  "The range ends before it starts. Put the lower address first.",
	CodeIPHostBits:  "The address does not fit the prefix length (its host bits are not zero). Did you mean {{.Suggest}}?",
	CodeIPNotPublic: "The range includes addresses that are not public on the internet (reserved block {{.Block}}).",
	CodeIPTooWide:   "The range is too wide. It may cover at most a {{.Max}} block.",
}

// render fills a message template. A template that fails to parse or run
// falls back to the raw text: an error message must never itself fail.
func render(code string, args map[string]any) string {
	text, ok := english[code]
	if !ok {
		return code
	}
	return Fill(code, text, args)
}

// Fill executes a message template with args; a template that fails to
// parse or run gives its raw text. Packages with their own English message
// tables (rates) fill them with it too.
func Fill(name, text string, args map[string]any) string {
	t, err := template.New(name).Option("missingkey=zero").Parse(text)
	if err != nil {
		return text
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		return text
	}
	return b.String()
}
