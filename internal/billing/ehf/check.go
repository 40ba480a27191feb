package ehf

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// ErrInvalid matches (errors.Is) every error Write returns for a Document it
// will not write.
var ErrInvalid = errors.New("invalid EHF document")

// InvalidError is one field of a Document that is missing or wrong. Field
// is the Go path of the field, "Seller.OrgNumber" or "Lines[2].VATRateBP".
// Err, when set, is the underlying problem (a *validate.Problem for org
// numbers, which the UI can translate).
type InvalidError struct {
	Field  string
	Reason string
	Err    error
}

func (e *InvalidError) Error() string { return "ehf: " + e.Field + ": " + e.Reason }

// Unwrap gives errors.Is and errors.As both the sentinel and the cause.
func (e *InvalidError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}

// checker collects every problem of a Document, so one call shows them all.
type checker struct{ errs []error }

func (c *checker) fail(field, format string, args ...any) {
	c.errs = append(c.errs, &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (c *checker) failErr(field, reason string, err error) {
	c.errs = append(c.errs, &InvalidError{Field: field, Reason: reason, Err: err})
}

func (c *checker) err() error { return errors.Join(c.errs...) }

// party is a Party checked and normalised: bare org number digits and the
// endpoint to write.
type party struct {
	Party
	org            string
	endpointScheme string
	endpointID     string
}

// doc is a Document checked and normalised, with its totals.
type doc struct {
	Document
	seller, buyer party
	totals        Totals
	taxTotal      bool // write TaxCurrencyCode and the VAT total in TaxCurrency
	taxVATMinor   int64
	notSubject    bool // every line is category O
}

// check validates d and returns what write needs. Every problem found is in
// the error, joined.
func check(d Document) (*doc, error) {
	var c checker
	out := &doc{Document: d}

	switch d.Kind {
	case KindInvoice, KindCreditNote:
	default:
		c.fail("Kind", "must be %q or %q, not %q", KindInvoice, KindCreditNote, d.Kind)
	}
	if strings.TrimSpace(d.Number) == "" {
		c.fail("Number", "is empty")
	}
	out.IssueDate = c.date("IssueDate", d.IssueDate, true)
	if d.Kind == KindInvoice {
		out.DueDate = c.date("DueDate", d.DueDate, true)
		if out.IssueDate != "" && out.DueDate != "" && out.DueDate.Before(out.IssueDate) {
			c.fail("DueDate", "%s is before the issue date %s", out.DueDate, out.IssueDate)
		}
	}
	if !money.KnownCurrency(d.Currency) {
		c.fail("Currency", "%q is not one of %s", d.Currency, strings.Join(money.Currencies, ", "))
	}
	if strings.TrimSpace(d.BuyerReference) == "" && strings.TrimSpace(d.OrderReference) == "" {
		c.fail("BuyerReference", "BuyerReference or OrderReference must be given (PEPPOL-EN16931-R003); public buyers route invoices by it")
	}
	if d.Kind == KindCreditNote {
		if strings.TrimSpace(d.PrecedingNumber) == "" {
			c.fail("PrecedingNumber", "a credit note must name the invoice it corrects")
		}
		out.PrecedingDate = c.date("PrecedingDate", d.PrecedingDate, false)
	}

	out.seller = c.party("Seller", d.Seller)
	out.buyer = c.party("Buyer", d.Buyer)

	if d.Kind == KindInvoice {
		if acct, ok := c.bankAccount(d.BankAccount); ok {
			out.BankAccount = acct
		}
	}

	c.lines(d.Lines)
	out.notSubject = c.categories(d)

	if d.TaxCurrency != "" && d.TaxCurrency != d.Currency {
		out.taxTotal = true
		if !money.KnownCurrency(d.TaxCurrency) {
			c.fail("TaxCurrency", "%q is not one of %s", d.TaxCurrency, strings.Join(money.Currencies, ", "))
		}
		if d.TaxRate <= 0 {
			c.fail("TaxRate", "must be positive when TaxCurrency %s differs from Currency %s", d.TaxCurrency, d.Currency)
		}
	}

	if err := c.err(); err != nil {
		return nil, err
	}
	t, err := compute(d.Lines)
	if err != nil {
		return nil, err
	}
	out.totals = t
	if out.taxTotal {
		v, err := money.Convert(t.VATMinor, d.TaxRate)
		if err != nil {
			return nil, fmt.Errorf("ehf: VAT total in %s: %w", d.TaxCurrency, err)
		}
		out.taxVATMinor = v
	}
	return out, nil
}

func (c *checker) date(field string, d calendar.Date, required bool) calendar.Date {
	if d.IsZero() {
		if required {
			c.fail(field, "is empty")
		}
		return ""
	}
	n, err := calendar.Parse(string(d))
	if err != nil {
		c.failErr(field, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", d), err)
		return ""
	}
	return n
}

// party checks a seller or buyer. Only Norwegian parties are written: the
// org number is the 0192 identifier in three places, and the rules for
// other countries' identifiers (Swedish 0007, F-skatt …) are not covered.
func (c *checker) party(field string, p Party) party {
	out := party{Party: p}
	if strings.TrimSpace(p.Name) == "" {
		c.fail(field+".Name", "is empty")
	}
	switch p.Country {
	case "":
		out.Country = "NO"
	case "NO":
	default:
		c.fail(field+".Country", "%q: only Norwegian parties (NO) are supported", p.Country)
	}
	org, prob := validate.OrgNumber("NO", p.OrgNumber)
	if prob != nil {
		c.failErr(field+".OrgNumber", fmt.Sprintf("%q is not a Norwegian organisation number (9 digits, mod 11)", p.OrgNumber), prob)
	}
	out.org = org

	scheme, id := strings.TrimSpace(p.EndpointScheme), strings.TrimSpace(p.EndpointID)
	switch {
	case scheme == "" && id == "":
		out.endpointScheme, out.endpointID = "0192", org
	case scheme == "" || id == "":
		c.fail(field+".EndpointScheme", "EndpointScheme and EndpointID go together (both or neither)")
	case len(scheme) != 4 || !allDigits(scheme):
		c.fail(field+".EndpointScheme", "%q is not a four-digit Peppol EAS code", scheme)
	case scheme == "0192":
		e, prob := validate.OrgNumber("NO", id)
		if prob != nil {
			c.failErr(field+".EndpointID", fmt.Sprintf("%q is not a Norwegian organisation number (scheme 0192)", id), prob)
		}
		out.endpointScheme, out.endpointID = scheme, e
	default:
		out.endpointScheme, out.endpointID = scheme, id
	}
	return out
}

func (c *checker) lines(lines []Line) {
	if len(lines) == 0 {
		c.fail("Lines", "a document needs at least one line")
	}
	ids := map[string]int{}
	for i, l := range lines {
		f := fmt.Sprintf("Lines[%d]", i)
		id := strings.TrimSpace(l.ID)
		if id == "" {
			c.fail(f+".ID", "is empty")
		} else if j, dup := ids[id]; dup {
			c.fail(f+".ID", "%q is also the id of Lines[%d]", id, j)
		} else {
			ids[id] = i
		}
		if strings.TrimSpace(l.Name) == "" {
			c.fail(f+".Name", "is empty")
		}
		switch l.VATCategory {
		case VATStandard:
			// Above 100 % is no VAT rate; it also keeps Compute from overflowing.
			if l.VATRateBP <= 0 || l.VATRateBP > 10000 {
				c.fail(f+".VATRateBP", "category S needs a rate above 0 and at most 10000 bp, not %d", l.VATRateBP)
			}
		case VATZero, VATExempt, VATNotSubject:
			if l.VATRateBP != 0 {
				c.fail(f+".VATRateBP", "category %s has rate 0, not %d bp", l.VATCategory, l.VATRateBP)
			}
		default:
			c.fail(f+".VATCategory", "%q: want S, Z, E or O", l.VATCategory)
		}
	}
}

// categories checks the mix of VAT categories against the seller's VAT
// registration and reports whether the document is "not subject to VAT".
//
// A seller that is not VAT-registered has no VAT id and must use category O
// on every line: O forbids a VAT id (BR-O-02) and cannot be mixed with other
// categories (BR-O-11). Only a seller in the VAT register may charge VAT or
// zero-rate, so S, Z and E need VATRegistered. That last rule is stricter
// than the Schematron: BR-S-02, BR-Z-02 and BR-E-02 accept any seller tax
// scheme id, and the "Foretaksregisteret" entry alone satisfies them.
func (c *checker) categories(d Document) bool {
	var o, other int
	for _, l := range d.Lines {
		switch l.VATCategory {
		case VATNotSubject:
			o++
		case VATStandard, VATZero, VATExempt:
			other++
		}
	}
	switch {
	case o > 0 && other > 0:
		c.fail("Lines", "category O (not subject to VAT) cannot be mixed with S, Z or E in one document (BR-O-11)")
	case o > 0 && d.Seller.VATRegistered:
		c.fail("Seller.VATRegistered", "a VAT-registered seller cannot invoice lines of category O (BR-O-02); use E or Z")
	case other > 0 && !d.Seller.VATRegistered:
		c.fail("Seller.VATRegistered", "categories S, Z and E need a seller in the VAT register; a seller outside it uses O")
	}
	return o > 0 && other == 0
}

// bankAccount checks the payment account: a Norwegian account number of
// 11 digits with its mod-11 check digit (dots and spaces allowed, as it is
// printed: 1234.56.78903), or an IBAN with its mod-97 check.
func (c *checker) bankAccount(s string) (string, bool) {
	v := strings.ToUpper(strings.NewReplacer(" ", "", ".", "", "\u00a0", "").Replace(s))
	switch {
	case v == "":
		c.fail("BankAccount", "is empty; an invoice needs the account to pay to")
	case allDigits(v):
		if len(v) != 11 || !accountMod11(v) {
			c.fail("BankAccount", "%q is not a Norwegian account number (11 digits, mod 11)", s)
			return "", false
		}
		return v, true
	case isIBAN(v):
		return v, true
	default:
		c.fail("BankAccount", "%q is neither a Norwegian account number nor an IBAN", s)
	}
	return "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// accountMod11 checks a Norwegian bank account number's last digit.
func accountMod11(v string) bool {
	weights := [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(v[i]-'0') * w
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(v[10]-'0')
}

// isIBAN checks the form and the ISO 13616 mod-97 check of an IBAN.
func isIBAN(v string) bool {
	if len(v) < 15 || len(v) > 34 {
		return false
	}
	if v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || !allDigits(v[2:4]) {
		return false
	}
	var digits strings.Builder
	for _, r := range v[4:] + v[:4] {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			fmt.Fprintf(&digits, "%d", r-'A'+10)
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// isIBANAccount tells write which payment means code fits the account.
func isIBANAccount(v string) bool { return v != "" && !allDigits(v) }
