package ehf

import (
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// Test parties. The organisation numbers are made up but pass mod 11; the
// bank account passes the Norwegian mod-11 check.
func consortium() Party {
	return Party{
		Name:          "Bibliotek24 SA",
		OrgNumber:     "924187514",
		VATRegistered: true,
		Street:        "Henrik Ibsens gate 110",
		Postcode:      "0255",
		City:          "Oslo",
		Country:       "NO",
		ContactName:   "Kari Nordmann",
		Email:         "faktura@bibliotek24.example",
	}
}

func county() Party {
	return Party{
		Name:          "Innlandet fylkeskommune",
		OrgNumber:     "940 602 130", // as people paste it
		VATRegistered: true,
		Street:        "Postboks 4404 Bedriftssenteret",
		Postcode:      "2325",
		City:          "Hamar",
		Country:       "NO",
		ContactName:   "Ola Nordmann",
		Email:         "fylkesbiblioteket@innlandet.example",
	}
}

func library() Party {
	return Party{
		Name:      "Bergen Offentlige Bibliotek",
		OrgNumber: "974521806",
		Street:    "Strømgaten 6",
		Postcode:  "5015",
		City:      "Bergen",
		Country:   "NO",
		// The municipality receives invoices for all its units at one
		// Peppol address.
		EndpointScheme: "0192",
		EndpointID:     "991200444",
	}
}

// invoice is a one-line NOK invoice from the consortium to the county.
func invoice(lines ...Line) Document {
	return Document{
		Kind:           KindInvoice,
		Number:         "2027-0001",
		IssueDate:      calendar.MustParse("2027-01-04"),
		DueDate:        calendar.MustParse("2027-02-03"),
		Currency:       "NOK",
		BuyerReference: "4410 Fylkesbiblioteket",
		Seller:         consortium(),
		Buyer:          county(),
		BankAccount:    "1503.27.04120",
		PaymentID:      "20270001000018",
		Lines:          lines,
	}
}

func line(id, name string, minor int64, cat string, rate int64) Line {
	return Line{ID: id, Name: name, NetMinor: minor, VATCategory: cat, VATRateBP: rate}
}

// scenario is one generated document the official rules must accept.
type scenario struct {
	name string
	doc  Document
}

// scenarios are the documents Samla sends: one per price model and line
// kind, and each VAT category, currency and document kind.
func scenarios() []scenario {
	flat := invoice(Line{
		ID: "1", Name: "PressReader 2027", Description: "Tilgang til PressReader for alle lånere, 1.1.–31.12.2027",
		NetMinor: 1250000, VATCategory: VATStandard, VATRateBP: 2500,
		Note: "Fast pris per bibliotek: 12 500,00 NOK",
	})
	flat.Number = "2027-0001"

	tier := invoice(Line{
		ID: "1", Name: "EBSCO Academic Search Elite 2027",
		NetMinor: 1840000, VATCategory: VATStandard, VATRateBP: 2500,
		Note: "Trinn 2 (1 001–5 000 studenter): 4 812 studenter per 1.10.2026",
	})
	tier.Number = "2027-0002"

	rate := invoice(Line{
		ID: "1", Name: "Lovdata Pro 2027",
		NetMinor: 4320960, VATCategory: VATStandard, VATRateBP: 2500,
		Note: "0,35 NOK per innbygger × 123 456 innbyggere (SSB 1.1.2026)",
	})
	rate.Number = "2027-0003"
	rate.OrderReference = "PO-2026-118"

	shared := invoice(Line{
		ID: "1", Name: "PressReader nasjonal lisens 2027 – andel Innlandet",
		Description: "Nasjonal lisens 2 000 000,00 NOK fordelt på fylkene etter folketall",
		NetMinor:    14061237, VATCategory: VATStandard, VATRateBP: 2500,
		Note: "Andel 7,030619 % (folketall 1.1.2026), største rest-metoden",
	})
	shared.Number = "2027-0004"

	markup := invoice(
		Line{ID: "1", Name: "EBSCO eBook Academic Collection 2027", NetMinor: 4360446, VATCategory: VATStandard, VATRateBP: 2500,
			Note: "4 200,00 USD × 10,382015 (Norges Bank 2026-12-15)"},
		Line{ID: "2", Name: "Påslag 5 % for valutarisiko", NetMinor: 218022, VATCategory: VATStandard, VATRateBP: 2500,
			Note: "5 % av 43 604,46 NOK"},
	)
	markup.Number = "2027-0005"

	mixed := invoice(
		line("1", "PressReader 2027", 1250000, VATStandard, 2500),
		line("2", "Atekst/Retriever 2027", 2834562, VATStandard, 2500), // VAT 7 086,405 → 7 086,41
		line("3", "Kursavgift: opplæring i Atekst, 12.3.2027", 450000, VATExempt, 0),
		Line{ID: "4", Name: "Dekning av underskudd PressReader 2026 (andel)", NetMinor: 1999999, VATCategory: VATStandard, VATRateBP: 2500,
			Note: "Underskudd 199 999,99 NOK × 10 %"},
		Line{ID: "5", Name: "Kreditering: dobbeltfakturert Helsebiblioteket <2026>", NetMinor: -125050, VATCategory: VATStandard, VATRateBP: 2500,
			Description: "Fakturert både i 2026-0412 & 2026-0413"},
	)
	mixed.Number = "2027-0006"
	mixed.Note = "Samlefaktura for 2027 & avregning av 2026"
	mixed.ExemptionReason = "Unntatt etter merverdiavgiftsloven § 3-5 (undervisning)"

	credit := Document{
		Kind:            KindCreditNote,
		Number:          "K-2027-0001",
		IssueDate:       calendar.MustParse("2027-01-20"),
		Currency:        "NOK",
		BuyerReference:  "4410 Fylkesbiblioteket",
		PrecedingNumber: "2027-0006",
		PrecedingDate:   calendar.MustParse("2027-01-04"),
		Seller:          consortium(),
		Buyer:           county(),
		Note:            "Kreditnota: feil folketall brukt for Lovdata Pro",
		Lines: []Line{
			{ID: "1", Name: "Lovdata Pro 2027 – kreditering", NetMinor: 432096, VATCategory: VATStandard, VATRateBP: 2500,
				Note: "0,35 NOK × 12 345,6 innbyggere for mye"},
			line("2", "Kursavgift: opplæring i Atekst – avlyst", 450000, VATExempt, 0),
		},
	}

	eur := invoice(
		line("1", "Emerald Insight 2027", 1825000, VATStandard, 2500),
		Line{ID: "2", Name: "Påslag 5 % for valutarisiko", NetMinor: 91250, VATCategory: VATStandard, VATRateBP: 2500},
	)
	eur.Number = "2027-0007"
	eur.Currency = "EUR"
	eur.TaxCurrency = "NOK"
	eur.TaxRate = money.Rate(11_645_500) // 11,6455 NOK per EUR
	eur.BankAccount = "NO93 8601 1117 947"

	exempt := invoice(line("1", "Fagdag for skolebibliotekarer 2027", 300000, VATExempt, 0))
	exempt.Number = "2027-0008"

	zero := invoice(Line{ID: "1", Name: "Aviser i PressReader 2027", NetMinor: 980000, VATCategory: VATZero, VATRateBP: 0,
		Note: "Elektroniske nyhetstjenester, nullsats (merverdiavgiftsloven § 6-4)"})
	zero.Number = "2027-0009"
	zero.Buyer = library()

	notSubject := invoice(line("1", "Felles innkjøp biblioteksystem: andel prosjektkostnad", 2500000, VATNotSubject, 0))
	notSubject.Number = "2027-0010"
	notSubject.Seller.Name = "Bibliotekssamarbeidet i Troms og Finnmark"
	notSubject.Seller.OrgNumber = "910403036"
	notSubject.Seller.VATRegistered = false
	notSubject.ExemptionReason = ""

	return []scenario{
		{"flat-price", flat},
		{"tier-price", tier},
		{"rate-price", rate},
		{"shared-licence-share", shared},
		{"markup-line", markup},
		{"mixed-S-and-E", mixed},
		{"credit-note", credit},
		{"foreign-currency-EUR", eur},
		{"exempt-E", exempt},
		{"zero-rated-Z", zero},
		{"not-subject-O", notSubject},
	}
}
