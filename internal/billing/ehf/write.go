package ehf

import (
	"fmt"
	"strings"

	"github.com/samla-org/samla/internal/money"
)

// Identifiers of the specification and the business process (BT-24, BT-23):
// PEPPOL BIS Billing 3.0, which EHF Billing 3.0 is.
const (
	CustomizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	ProfileID       = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
)

// Texts written into the document when the Document gives none. EHF goes to
// Norwegian buyers, so they are in Norwegian, whatever the user's language.
const (
	DefaultExemptReason     = "Unntatt fra merverdiavgift"
	DefaultNotSubjectReason = "Ikke merverdiavgiftspliktig"
)

const (
	nsInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCAC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

// Write renders d as a UBL 2.1 Invoice (type code 380) or CreditNote (381)
// that follows PEPPOL BIS Billing 3.0 and its Norwegian rules. The totals
// and VAT breakdown are Compute(d.Lines). A Document that is incomplete or
// would break a rule is refused with an error listing every wrong field
// (each an *InvalidError; errors.Is(err, ErrInvalid) holds).
//
// What is written, beyond the fields themselves:
//   - both parties with endpoint (0192 + org number unless the Party names
//     another), party identification and legal entity (scheme 0192);
//   - the seller's VAT id NO<orgnr>MVA when VAT-registered and, for a
//     Norwegian seller, "Foretaksregisteret" (NO-R-002); the buyer's VAT id
//     when VAT-registered, except in a document of category O, where
//     BR-O-02 forbids every VAT id;
//   - invoices: payment means 30 (credit transfer) to BankAccount, or 58
//     (SEPA credit transfer) when the account is an IBAN and the currency is
//     EUR, with PaymentID as the KID; payment terms "Netto N dager".
//     Credit notes carry no payment means, terms or due date;
//   - every line has quantity 1 (−1 when its amount is negative, since a
//     price may not be negative, BR-27), unit code EA, and a price equal to
//     the absolute net amount;
//   - when TaxCurrency differs from Currency: TaxCurrencyCode and a second
//     TaxTotal with the VAT total converted at TaxRate (BT-111).
func Write(d Document) ([]byte, error) {
	c, err := check(d)
	if err != nil {
		return nil, err
	}
	return c.build().marshal(), nil
}

// build assembles the document in UBL schema order.
func (d *doc) build() *node {
	invoice := d.Kind == KindInvoice
	root := el("Invoice")
	root.attrs = [][2]string{{"xmlns", nsInvoice}, {"xmlns:cac", nsCAC}, {"xmlns:cbc", nsCBC}}
	if !invoice {
		root.name = "CreditNote"
		root.attrs[0][1] = nsCreditNote
	}
	root.add(
		leaf("cbc:CustomizationID", CustomizationID),
		leaf("cbc:ProfileID", ProfileID),
		leaf("cbc:ID", d.Number),
		leaf("cbc:IssueDate", d.IssueDate.String()),
	)
	if invoice {
		root.add(leaf("cbc:DueDate", d.DueDate.String()), leaf("cbc:InvoiceTypeCode", "380"))
	} else {
		root.add(leaf("cbc:CreditNoteTypeCode", "381"))
	}
	root.add(leaf("cbc:Note", d.Note), leaf("cbc:DocumentCurrencyCode", d.Currency))
	if d.taxTotal {
		root.add(leaf("cbc:TaxCurrencyCode", d.TaxCurrency))
	}
	root.add(
		leaf("cbc:BuyerReference", d.BuyerReference),
		el("cac:OrderReference", leaf("cbc:ID", d.OrderReference)),
	)
	if !invoice {
		root.add(el("cac:BillingReference", el("cac:InvoiceDocumentReference",
			leaf("cbc:ID", d.PrecedingNumber),
			leaf("cbc:IssueDate", d.PrecedingDate.String()),
		)))
	}
	root.add(
		el("cac:AccountingSupplierParty", d.partyNode(d.seller, true)),
		el("cac:AccountingCustomerParty", d.partyNode(d.buyer, false)),
	)
	if invoice {
		root.add(d.paymentMeans(), el("cac:PaymentTerms",
			leaf("cbc:Note", fmt.Sprintf("Netto %d dager", d.IssueDate.DaysUntil(d.DueDate)))))
	}
	root.add(d.taxTotalNode())
	if d.taxTotal {
		root.add(el("cac:TaxTotal", d.amount("cbc:TaxAmount", d.taxVATMinor, d.TaxCurrency)))
	}
	t := d.totals
	root.add(el("cac:LegalMonetaryTotal",
		d.amount("cbc:LineExtensionAmount", t.LineMinor, ""),
		d.amount("cbc:TaxExclusiveAmount", t.LineMinor, ""),
		d.amount("cbc:TaxInclusiveAmount", t.TotalMinor, ""),
		d.amount("cbc:PayableAmount", t.TotalMinor, ""),
	))
	for _, l := range d.Lines {
		root.add(d.lineNode(l))
	}
	return root
}

// amount is an amount element with two decimals in the document currency,
// or in currency when given.
func (d *doc) amount(name string, minor int64, currency string) *node {
	if currency == "" {
		currency = d.Currency
	}
	return leaf(name, money.Plain(minor), "currencyID", currency)
}

func (d *doc) partyNode(p party, seller bool) *node {
	n := el("cac:Party",
		leaf("cbc:EndpointID", p.endpointID, "schemeID", p.endpointScheme),
		el("cac:PartyIdentification", leaf("cbc:ID", p.org, "schemeID", "0192")),
		el("cac:PartyName", leaf("cbc:Name", p.Name)),
		el("cac:PostalAddress",
			leaf("cbc:StreetName", p.Street),
			leaf("cbc:CityName", p.City),
			leaf("cbc:PostalZone", p.Postcode),
			el("cac:Country", leaf("cbc:IdentificationCode", p.Country)),
		),
	)
	if p.VATRegistered && !d.notSubject {
		n.add(taxScheme("NO"+p.org+"MVA", "VAT"))
	}
	if seller && p.Country == "NO" {
		n.add(taxScheme("Foretaksregisteret", "TAX"))
	}
	n.add(
		el("cac:PartyLegalEntity",
			leaf("cbc:RegistrationName", p.Name),
			leaf("cbc:CompanyID", p.org, "schemeID", "0192"),
		),
		el("cac:Contact",
			leaf("cbc:Name", p.ContactName),
			leaf("cbc:ElectronicMail", p.Email),
		),
	)
	return n
}

func taxScheme(companyID, scheme string) *node {
	return el("cac:PartyTaxScheme",
		leaf("cbc:CompanyID", companyID),
		el("cac:TaxScheme", leaf("cbc:ID", scheme)),
	)
}

func (d *doc) paymentMeans() *node {
	code := "30"
	if isIBANAccount(d.BankAccount) && d.Currency == "EUR" {
		code = "58"
	}
	return el("cac:PaymentMeans",
		leaf("cbc:PaymentMeansCode", code),
		leaf("cbc:PaymentID", d.PaymentID),
		el("cac:PayeeFinancialAccount", leaf("cbc:ID", d.BankAccount)),
	)
}

func (d *doc) taxTotalNode() *node {
	n := el("cac:TaxTotal", d.amount("cbc:TaxAmount", d.totals.VATMinor, ""))
	for _, s := range d.totals.Subtotals {
		n.add(el("cac:TaxSubtotal",
			d.amount("cbc:TaxableAmount", s.TaxableMinor, ""),
			d.amount("cbc:TaxAmount", s.VATMinor, ""),
			d.taxCategory("cac:TaxCategory", s.Category, s.RateBP, true),
		))
	}
	return n
}

// taxCategory is a subtotal's TaxCategory or a line's ClassifiedTaxCategory.
// Category O has no rate (BR-O-05, BR-O-06 … its rate "shall not" be
// given); Z and E have rate 0 (BR-Z-05, BR-E-05). Only a subtotal of E or
// O carries the exemption reason (BR-E-10, BR-O-10); S and Z must not.
func (d *doc) taxCategory(name, cat string, rateBP int64, subtotal bool) *node {
	n := el(name, leaf("cbc:ID", cat))
	if cat != VATNotSubject {
		n.add(leaf("cbc:Percent", money.PercentText(rateBP, "en")))
	}
	if subtotal {
		switch cat {
		case VATExempt:
			n.add(leaf("cbc:TaxExemptionReason", reasonOr(d.ExemptionReason, DefaultExemptReason)))
		case VATNotSubject:
			n.add(
				leaf("cbc:TaxExemptionReasonCode", "VATEX-EU-O"),
				leaf("cbc:TaxExemptionReason", reasonOr(d.ExemptionReason, DefaultNotSubjectReason)),
			)
		}
	}
	return n.add(el("cac:TaxScheme", leaf("cbc:ID", "VAT")))
}

func reasonOr(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func (d *doc) lineNode(l Line) *node {
	lineName, qtyName := "cac:InvoiceLine", "cbc:InvoicedQuantity"
	if d.Kind == KindCreditNote {
		lineName, qtyName = "cac:CreditNoteLine", "cbc:CreditedQuantity"
	}
	qty, price := "1", l.NetMinor
	if l.NetMinor < 0 {
		qty, price = "-1", -l.NetMinor
	}
	return el(lineName,
		leaf("cbc:ID", l.ID),
		leaf("cbc:Note", l.Note),
		leaf(qtyName, qty, "unitCode", "EA"),
		d.amount("cbc:LineExtensionAmount", l.NetMinor, ""),
		el("cac:Item",
			leaf("cbc:Description", l.Description),
			leaf("cbc:Name", l.Name),
			d.taxCategory("cac:ClassifiedTaxCategory", l.VATCategory, l.VATRateBP, false),
		),
		el("cac:Price", d.amount("cbc:PriceAmount", price, "")),
	)
}
