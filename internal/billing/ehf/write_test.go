package ehf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// elem is a parsed element: local name, attributes, text and children.
type elem struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*elem
}

func parse(t *testing.T, data []byte) *elem {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*elem
	var root *elem
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &elem{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	return root
}

// all finds the elements at a path of local names below e: "TaxTotal/TaxAmount".
func (e *elem) all(path string) []*elem {
	cur := []*elem{e}
	for _, step := range strings.Split(path, "/") {
		var next []*elem
		for _, c := range cur {
			for _, k := range c.kids {
				if k.name == step {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// texts are the trimmed texts at a path.
func (e *elem) texts(path string) []string {
	var out []string
	for _, x := range e.all(path) {
		out = append(out, strings.TrimSpace(x.text))
	}
	return out
}

func (e *elem) one(t *testing.T, path string) string {
	t.Helper()
	got := e.texts(path)
	if len(got) != 1 {
		t.Fatalf("%s: %d elements %q, want one", path, len(got), got)
	}
	return got[0]
}

func (e *elem) walk(f func(*elem)) {
	f(e)
	for _, k := range e.kids {
		k.walk(f)
	}
}

func write(t *testing.T, d Document) *elem {
	t.Helper()
	data, err := Write(d)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return parse(t, data)
}

func scenarioDoc(t *testing.T, name string) Document {
	t.Helper()
	for _, s := range scenarios() {
		if s.name == name {
			return s.doc
		}
	}
	t.Fatalf("no scenario %q", name)
	return Document{}
}

func TestWriteInvoice(t *testing.T) {
	x := write(t, scenarioDoc(t, "flat-price"))
	checks := []struct{ path, want string }{
		{"CustomizationID", CustomizationID},
		{"ProfileID", ProfileID},
		{"InvoiceTypeCode", "380"},
		{"DueDate", "2027-02-03"},
		{"AccountingSupplierParty/Party/EndpointID", "924187514"},
		{"AccountingSupplierParty/Party/PartyLegalEntity/CompanyID", "924187514"},
		{"AccountingCustomerParty/Party/EndpointID", "940602130"}, // "940 602 130" normalised
		{"AccountingCustomerParty/Party/PartyTaxScheme/CompanyID", "NO940602130MVA"},
		{"PaymentMeans/PaymentMeansCode", "30"},
		{"PaymentMeans/PaymentID", "20270001000018"},
		{"PaymentMeans/PayeeFinancialAccount/ID", "15032704120"},
		{"PaymentTerms/Note", "Netto 30 dager"},
		{"TaxTotal/TaxAmount", "3125.00"},
		{"TaxTotal/TaxSubtotal/TaxCategory/Percent", "25"},
		{"LegalMonetaryTotal/LineExtensionAmount", "12500.00"},
		{"LegalMonetaryTotal/TaxInclusiveAmount", "15625.00"},
		{"LegalMonetaryTotal/PayableAmount", "15625.00"},
		{"InvoiceLine/InvoicedQuantity", "1"},
		{"InvoiceLine/Note", "Fast pris per bibliotek: 12 500,00 NOK"},
		{"InvoiceLine/Item/Description", "Tilgang til PressReader for alle lånere, 1.1.–31.12.2027"},
		{"InvoiceLine/Price/PriceAmount", "12500.00"},
	}
	for _, c := range checks {
		if got := x.one(t, c.path); got != c.want {
			t.Errorf("%s = %q, want %q", c.path, got, c.want)
		}
	}
	if got := x.texts("AccountingSupplierParty/Party/PartyTaxScheme/CompanyID"); !reflect.DeepEqual(got, []string{"NO924187514MVA", "Foretaksregisteret"}) {
		t.Errorf("seller tax schemes %q, want the VAT id and Foretaksregisteret", got)
	}
	if got := x.all("AccountingSupplierParty/Party/EndpointID")[0].attrs["schemeID"]; got != "0192" {
		t.Errorf("seller endpoint scheme %q, want 0192", got)
	}
	if len(x.all("BillingReference")) != 0 || len(x.all("TaxCurrencyCode")) != 0 {
		t.Error("an invoice in NOK has no billing reference and no tax currency")
	}
}

func TestWriteCreditNote(t *testing.T) {
	x := write(t, scenarioDoc(t, "credit-note"))
	if x.name != "CreditNote" {
		t.Fatalf("root %s, want CreditNote", x.name)
	}
	for path, want := range map[string]string{
		"CreditNoteTypeCode":                                  "381",
		"BillingReference/InvoiceDocumentReference/ID":        "2027-0006",
		"BillingReference/InvoiceDocumentReference/IssueDate": "2027-01-04",
		"LegalMonetaryTotal/PayableAmount":                    "9901.20", // 4 320,96 + 25 % + 4 500,00 exempt
	} {
		if got := x.one(t, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if got := x.texts("CreditNoteLine/CreditedQuantity"); !reflect.DeepEqual(got, []string{"1", "1"}) {
		t.Errorf("credited quantities %q, want 1 and 1 (credited amounts are positive)", got)
	}
	for _, absent := range []string{"DueDate", "PaymentMeans", "PaymentTerms", "InvoiceLine", "InvoiceTypeCode"} {
		if len(x.all(absent)) != 0 {
			t.Errorf("credit note has %s", absent)
		}
	}
}

// A negative line (a correction inside an invoice) has quantity −1 and a
// positive price: prices may not be negative (BR-27) and net = qty × price
// (PEPPOL-EN16931-R120).
func TestWriteNegativeLine(t *testing.T) {
	x := write(t, scenarioDoc(t, "mixed-S-and-E"))
	last := x.all("InvoiceLine")[4]
	if q := last.one(t, "InvoicedQuantity"); q != "-1" {
		t.Errorf("quantity %s, want -1", q)
	}
	if p := last.one(t, "Price/PriceAmount"); p != "1250.50" {
		t.Errorf("price %s, want 1250.50", p)
	}
	if n := last.one(t, "LineExtensionAmount"); n != "-1250.50" {
		t.Errorf("net %s, want -1250.50", n)
	}
	if got := last.one(t, "Item/Name"); got != "Kreditering: dobbeltfakturert Helsebiblioteket <2026>" {
		t.Errorf("name did not survive escaping: %q", got)
	}
	if got := x.one(t, "Note"); got != "Samlefaktura for 2027 & avregning av 2026" {
		t.Errorf("note did not survive escaping: %q", got)
	}
	reasons := x.texts("TaxTotal/TaxSubtotal/TaxCategory/TaxExemptionReason")
	if !reflect.DeepEqual(reasons, []string{"Unntatt etter merverdiavgiftsloven § 3-5 (undervisning)"}) {
		t.Errorf("exemption reasons %q, want only the E subtotal's", reasons)
	}
}

func TestWriteNotSubjectToVAT(t *testing.T) {
	d := scenarioDoc(t, "not-subject-O")
	d.Buyer.VATRegistered = true // still no buyer VAT id: BR-O-02
	x := write(t, d)
	if got := x.all("AccountingSupplierParty/Party/PartyTaxScheme"); len(got) != 1 || got[0].one(t, "CompanyID") != "Foretaksregisteret" {
		t.Errorf("seller outside the VAT register has tax schemes %v, want only Foretaksregisteret", x.texts("AccountingSupplierParty/Party/PartyTaxScheme/CompanyID"))
	}
	if got := x.all("AccountingCustomerParty/Party/PartyTaxScheme"); len(got) != 0 {
		t.Error("document of category O has a buyer VAT id (BR-O-02)")
	}
	if got := x.all("InvoiceLine/Item/ClassifiedTaxCategory/Percent"); len(got) != 0 {
		t.Error("line of category O has a VAT rate (BR-O-05)")
	}
	if got := x.all("TaxTotal/TaxSubtotal/TaxCategory/Percent"); len(got) != 0 {
		t.Error("subtotal of category O has a VAT rate")
	}
	if got := x.one(t, "TaxTotal/TaxSubtotal/TaxCategory/TaxExemptionReasonCode"); got != "VATEX-EU-O" {
		t.Errorf("exemption code %q", got)
	}
	if got := x.one(t, "TaxTotal/TaxSubtotal/TaxCategory/TaxExemptionReason"); got != DefaultNotSubjectReason {
		t.Errorf("exemption reason %q, want the default", got)
	}
}

func TestWriteForeignCurrency(t *testing.T) {
	x := write(t, scenarioDoc(t, "foreign-currency-EUR"))
	if got := x.one(t, "TaxCurrencyCode"); got != "NOK" {
		t.Errorf("TaxCurrencyCode %q", got)
	}
	totals := x.all("TaxTotal")
	if len(totals) != 2 {
		t.Fatalf("%d TaxTotal, want 2", len(totals))
	}
	// 18 250,00 + 912,50 EUR at 25 % = 4 790,625 → 4 790,63 EUR;
	// × 11,6455 = 55 789,2816… → 55 789,28 NOK.
	if got := totals[0].one(t, "TaxAmount"); got != "4790.63" {
		t.Errorf("VAT %s EUR, want 4790.63", got)
	}
	nok := totals[1].all("TaxAmount")
	if len(nok) != 1 || strings.TrimSpace(nok[0].text) != "55789.28" || nok[0].attrs["currencyID"] != "NOK" {
		t.Errorf("VAT in NOK %+v, want 55789.28 NOK", nok)
	}
	if len(totals[1].all("TaxSubtotal")) != 0 {
		t.Error("the TaxTotal in tax currency has subtotals")
	}
	if got := x.one(t, "PaymentMeans/PaymentMeansCode"); got != "58" {
		t.Errorf("payment means %s for an IBAN in EUR, want 58", got)
	}
	// Every other currencyID is the document currency (PEPPOL-EN16931-R051).
	n := 0
	x.walk(func(e *elem) {
		if c, ok := e.attrs["currencyID"]; ok && c != "EUR" {
			n++
		}
	})
	if n != 1 {
		t.Errorf("%d amounts not in EUR, want only the VAT total in NOK", n)
	}
}

func TestWriteEndpointOverride(t *testing.T) {
	x := write(t, scenarioDoc(t, "zero-rated-Z"))
	if got := x.one(t, "AccountingCustomerParty/Party/EndpointID"); got != "991200444" {
		t.Errorf("buyer endpoint %s, want the given 991200444", got)
	}
	if got := x.one(t, "AccountingCustomerParty/Party/PartyIdentification/ID"); got != "974521806" {
		t.Errorf("buyer identification %s, want its own org number", got)
	}
	if got := x.one(t, "InvoiceLine/Item/ClassifiedTaxCategory/Percent"); got != "0" {
		t.Errorf("zero-rated line Percent %q, want 0 (BR-Z-05)", got)
	}
}

// Every scenario: no empty element (PEPPOL-EN16931-R008), and the written
// totals are Compute's, so a stored invoice and its EHF agree.
func TestWriteAgreesWithComputeAndHasNoEmptyElements(t *testing.T) {
	for _, s := range scenarios() {
		x := write(t, s.doc)
		x.walk(func(e *elem) {
			if len(e.kids) == 0 && strings.TrimSpace(e.text) == "" {
				t.Errorf("%s: empty element %s", s.name, e.name)
			}
		})
		tot := Compute(s.doc.Lines)
		if got := x.one(t, "LegalMonetaryTotal/PayableAmount"); got != money.Plain(tot.TotalMinor) {
			t.Errorf("%s: payable %s, Compute says %s", s.name, got, money.Plain(tot.TotalMinor))
		}
		if got := x.texts("TaxTotal/TaxSubtotal/TaxAmount"); len(got) != len(tot.Subtotals) {
			t.Errorf("%s: %d subtotals, Compute has %d", s.name, len(got), len(tot.Subtotals))
		}
	}
}

func TestWriteOptionalPartsLeftOut(t *testing.T) {
	d := invoice(line("1", "PressReader 2027", 1250000, VATStandard, 2500))
	d.PaymentID = ""
	d.Buyer.ContactName, d.Buyer.Email, d.Buyer.Street = "", "", ""
	d.BuyerReference, d.OrderReference = "", "PO-77"
	x := write(t, d)
	for _, absent := range []string{"PaymentMeans/PaymentID", "AccountingCustomerParty/Party/Contact",
		"AccountingCustomerParty/Party/PostalAddress/StreetName", "BuyerReference", "Note"} {
		if len(x.all(absent)) != 0 {
			t.Errorf("%s written though empty", absent)
		}
	}
	if got := x.one(t, "OrderReference/ID"); got != "PO-77" {
		t.Errorf("order reference %q", got)
	}
}

func TestWriteErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		field string
		edit  func(*Document)
	}{
		{"kind", "Kind", func(d *Document) { d.Kind = "receipt" }},
		{"number", "Number", func(d *Document) { d.Number = " " }},
		{"issue date", "IssueDate", func(d *Document) { d.IssueDate = "" }},
		{"bad issue date", "IssueDate", func(d *Document) { d.IssueDate = "2027-02-30" }},
		{"due date", "DueDate", func(d *Document) { d.DueDate = "" }},
		{"due before issue", "DueDate", func(d *Document) { d.DueDate = "2027-01-03" }},
		{"currency", "Currency", func(d *Document) { d.Currency = "nok" }},
		{"no reference", "BuyerReference", func(d *Document) { d.BuyerReference, d.OrderReference = "", "" }},
		{"seller name", "Seller.Name", func(d *Document) { d.Seller.Name = "" }},
		{"seller org", "Seller.OrgNumber", func(d *Document) { d.Seller.OrgNumber = "123456789" }},
		{"buyer org", "Buyer.OrgNumber", func(d *Document) { d.Buyer.OrgNumber = "" }},
		{"buyer country", "Buyer.Country", func(d *Document) { d.Buyer.Country = "SE" }},
		{"endpoint half", "Buyer.EndpointScheme", func(d *Document) { d.Buyer.EndpointID = "991200444" }},
		{"endpoint scheme", "Buyer.EndpointScheme", func(d *Document) { d.Buyer.EndpointScheme, d.Buyer.EndpointID = "NO", "991200444" }},
		{"endpoint org", "Buyer.EndpointID", func(d *Document) { d.Buyer.EndpointScheme, d.Buyer.EndpointID = "0192", "991200445" }},
		{"bank account", "BankAccount", func(d *Document) { d.BankAccount = "" }},
		{"bank check digit", "BankAccount", func(d *Document) { d.BankAccount = "1503.27.04121" }},
		{"bad IBAN", "BankAccount", func(d *Document) { d.BankAccount = "NO9486011117947" }},
		{"no lines", "Lines", func(d *Document) { d.Lines = nil }},
		{"line id", "Lines[0].ID", func(d *Document) { d.Lines[0].ID = "" }},
		{"duplicate line id", "Lines[1].ID", func(d *Document) { d.Lines = append(d.Lines, d.Lines[0]) }},
		{"line name", "Lines[0].Name", func(d *Document) { d.Lines[0].Name = "" }},
		{"category", "Lines[0].VATCategory", func(d *Document) { d.Lines[0].VATCategory = "AE" }},
		{"S without rate", "Lines[0].VATRateBP", func(d *Document) { d.Lines[0].VATRateBP = 0 }},
		{"S above 100 %", "Lines[0].VATRateBP", func(d *Document) { d.Lines[0].VATRateBP = 10001 }},
		{"E with rate", "Lines[0].VATRateBP", func(d *Document) { d.Lines[0].VATCategory = VATExempt }},
		{"O with registered seller", "Seller.VATRegistered", func(d *Document) {
			d.Lines[0].VATCategory, d.Lines[0].VATRateBP = VATNotSubject, 0
		}},
		{"S with unregistered seller", "Seller.VATRegistered", func(d *Document) { d.Seller.VATRegistered = false }},
		{"O mixed with S", "Lines", func(d *Document) {
			d.Seller.VATRegistered = false
			d.Lines = append(d.Lines, line("2", "x", 100, VATNotSubject, 0))
		}},
		{"tax currency", "TaxCurrency", func(d *Document) { d.Currency, d.TaxCurrency, d.TaxRate = "EUR", "XYZ", 11_000_000 }},
		{"tax rate", "TaxRate", func(d *Document) { d.Currency, d.TaxCurrency = "EUR", "NOK" }},
		{"credit note without invoice", "PrecedingNumber", func(d *Document) { d.Kind = KindCreditNote }},
		{"credit note bad preceding date", "PrecedingDate", func(d *Document) {
			d.Kind, d.PrecedingNumber, d.PrecedingDate = KindCreditNote, "2027-0001", "4.1.27"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := invoice(line("1", "PressReader 2027", 1250000, VATStandard, 2500))
			c.edit(&d)
			data, err := Write(d)
			if err == nil {
				t.Fatalf("Write accepted it:\n%s", data)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			if !hasField(err, c.field) {
				t.Errorf("error %q does not name %s", err, c.field)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("message %q does not name %s", err, c.field)
			}
		})
	}
}

func hasField(err error, field string) bool {
	var fields []string
	var walk func(error)
	walk = func(e error) {
		if ie, ok := e.(*InvalidError); ok {
			fields = append(fields, ie.Field)
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	for _, f := range fields {
		if f == field {
			return true
		}
	}
	return false
}

// One call reports every problem, and an org number problem carries the
// validate.Problem the UI can translate.
func TestWriteReportsAllProblems(t *testing.T) {
	d := invoice(line("1", "", 100, "X", 0))
	d.Number, d.Seller.OrgNumber, d.Currency = "", "12345678", "ABC"
	_, err := Write(d)
	for _, f := range []string{"Number", "Currency", "Seller.OrgNumber", "Lines[0].Name", "Lines[0].VATCategory"} {
		if !hasField(err, f) {
			t.Errorf("error %q does not name %s", err, f)
		}
	}
	var p *validate.Problem
	if !errors.As(err, &p) || p.Code != validate.CodeOrgLength {
		t.Errorf("errors.As(*validate.Problem) = %v, want the org number length problem", p)
	}
}

func TestPercent(t *testing.T) {
	for bp, want := range map[int64]string{2500: "25", 1500: "15", 1200: "12", 1250: "12.5", 1111: "11.11", 1510: "15.1", 5: "0.05", 0: "0"} {
		if got := money.PercentText(bp, "en"); got != want {
			t.Errorf("PercentText(%d, en) = %q, want %q", bp, got, want)
		}
	}
}

func TestBankAccount(t *testing.T) {
	for in, want := range map[string]string{
		"1503.27.04120":          "15032704120",
		"1503 27 04120":          "15032704120",
		"86011117947":            "86011117947",
		"NO93 8601 1117 947":     "NO9386011117947",
		"no9386011117947":        "NO9386011117947",
		"DE89370400440532013000": "DE89370400440532013000",
		"15032704121":            "", // check digit
		"1503270412":             "", // 10 digits
		"NO9486011117947":        "", // IBAN check
		"konto 1503":             "",
	} {
		var c checker
		got, _ := c.bankAccount(in)
		if got != want || (want == "") != (c.err() != nil) {
			t.Errorf("bankAccount(%q) = %q, %v; want %q", in, got, c.err(), want)
		}
	}
}

func TestDatesNormalised(t *testing.T) {
	d := invoice(line("1", "PressReader 2027", 1250000, VATStandard, 2500))
	d.IssueDate, d.DueDate = calendar.Date("4.1.2027"), calendar.Date("03.02.2027")
	x := write(t, d)
	if got := x.one(t, "IssueDate") + " " + x.one(t, "DueDate"); got != "2027-01-04 2027-02-03" {
		t.Errorf("dates %s, want ISO (PEPPOL-EN16931-F001)", got)
	}
}
