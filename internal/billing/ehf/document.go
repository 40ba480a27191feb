// Package ehf writes invoices and credit notes as EHF / PEPPOL BIS Billing
// 3.0 documents (UBL 2.1 XML), the form Norwegian public buyers receive.
// It knows nothing of the database: billing fills a Document and calls
// Write.
package ehf

import (
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// Kind is the UBL document type.
type Kind string

const (
	KindInvoice    Kind = "invoice"     // UBL Invoice, type code 380
	KindCreditNote Kind = "credit_note" // UBL CreditNote, type code 381
)

// VAT categories (UNCL5305) Samla uses.
const (
	VATStandard   = "S" // standard rate (25 % in Norway)
	VATZero       = "Z" // zero-rated
	VATExempt     = "E" // exempt from VAT
	VATNotSubject = "O" // outside the scope of VAT (seller not VAT-registered)
)

// Party is a seller or buyer.
type Party struct {
	Name          string
	OrgNumber     string // 9 digits (NO); scheme 0192 in endpoint, identification and legal entity
	VATRegistered bool   // seller: writes the NO<orgnr>MVA VAT id; buyer: ignored unless set
	Street        string
	Postcode      string
	City          string
	Country       string // ISO 3166-1 alpha-2, "NO"
	// EndpointScheme and EndpointID are the PEPPOL electronic address
	// (BT-34/BT-49); when empty, 0192 and OrgNumber are used.
	EndpointScheme string
	EndpointID     string
	ContactName    string
	Email          string
}

// Line is one invoice line. Amounts are minor units in the document
// currency, with the sign they have in the document: a credit note's lines
// are positive amounts credited.
type Line struct {
	ID          string // line number, "1", "2", …
	Name        string // item name (BT-153)
	Description string // optional longer text (BT-154)
	NetMinor    int64  // line net amount (BT-131); quantity is always 1
	VATCategory string // S, Z, E or O
	VATRateBP   int64  // basis points: 2500 = 25 %; 0 for Z, E, O
	Note        string // optional line note (BT-127): how the amount was computed, the rate and date used
}

// Document is one invoice or credit note.
type Document struct {
	Kind           Kind
	Number         string
	IssueDate      calendar.Date
	DueDate        calendar.Date // invoice only
	Currency       string        // document currency (BT-5)
	BuyerReference string        // BT-10; public buyers route by it
	OrderReference string        // BT-13, optional
	Note           string        // one document note, optional
	// Credit notes name the invoice they correct (BT-25/BT-26).
	PrecedingNumber string
	PrecedingDate   calendar.Date

	Seller Party
	Buyer  Party

	BankAccount string // payment account (BT-84): Norwegian account number or IBAN
	PaymentID   string // optional remittance id / KID (BT-83)

	Lines []Line

	// When Currency is not the home currency (NOK), Norwegian bookkeeping
	// wants the VAT in NOK as well: TaxCurrency "NOK" and the rate, home
	// units per one document unit, used to convert the VAT total (BT-111).
	TaxCurrency string
	TaxRate     money.Rate

	// ExemptionReason is the text written for categories E and O (BR-E-10,
	// BR-O-10); a default is used when empty.
	ExemptionReason string
}

// Subtotal is the VAT breakdown for one category and rate (BG-23).
type Subtotal struct {
	Category     string
	RateBP       int64
	TaxableMinor int64
	VATMinor     int64
}

// Totals are the document totals (BG-22), in minor units.
type Totals struct {
	LineMinor  int64 // Σ line net amounts = tax exclusive amount (no document allowances)
	VATMinor   int64
	TotalMinor int64 // tax inclusive = payable
	Subtotals  []Subtotal
}
