package ehftest

import "testing"

func TestShortXPath(t *testing.T) {
	for in, want := range map[string]string{
		"/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]/*:TaxTotal[1]/*:TaxSubtotal[2]": "/Invoice/TaxTotal/TaxSubtotal[2]",
		"/*:CreditNote[namespace-uri()='x'][1]": "/CreditNote",
		"":                                      "",
	} {
		if got := ShortXPath(in); got != want {
			t.Errorf("ShortXPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResultSplitsFatalAndWarnings(t *testing.T) {
	r := Result{Failures: []Failure{
		{Rules: "PEPPOL", ID: "NO-R-001", Flag: "fatal"},
		{Rules: "CEN", ID: "BR-CO-16", Flag: "fatal"},
		{Rules: "PEPPOL", ID: "NO-R-001", Flag: "fatal", Location: "/Invoice/AccountingCustomerParty"},
		{Rules: "PEPPOL", ID: "PEPPOL-EN16931-R002", Flag: "warning"},
	}}
	if got := r.FatalIDs(); len(got) != 2 || got[0] != "BR-CO-16" || got[1] != "NO-R-001" {
		t.Errorf("FatalIDs %v", got)
	}
	if len(r.Fatal()) != 3 || len(r.Warnings()) != 1 || r.Warnings()[0].ID != "PEPPOL-EN16931-R002" {
		t.Errorf("fatal %v warnings %v", r.Fatal(), r.Warnings())
	}
}
