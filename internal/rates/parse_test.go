package rates_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/rates"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obs(c, date, freq string, rate money.Rate, line int) rates.Observation {
	return rates.Observation{Currency: c, Date: calendar.Date(date), Frequency: freq, Rate: rate, Line: line}
}

func sameObs(t *testing.T, got, want []rates.Observation) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("observations:\n got %+v\nwant %+v", got, want)
	}
}

// problemAt asserts err is a *FileError whose first problem is at line and
// field with code, and that its English text names the line and field.
func problemAt(t *testing.T, err error, line int, field, code string) rates.Problem {
	t.Helper()
	var fe *rates.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("want *rates.FileError, got %v", err)
	}
	p := fe.Problems[0]
	if p.Line != line || p.Field != field || p.Code != code {
		t.Errorf("problem = %+v, want line %d field %q code %s", p, line, field, code)
	}
	if line > 0 && !strings.Contains(err.Error(), "Line "+strconv.Itoa(line)) {
		t.Errorf("error %q does not name line %d", err, line)
	}
	if field != "" && !strings.Contains(err.Error(), field) {
		t.Errorf("error %q does not name field %s", err, field)
	}
	return p
}

func TestNorgesBankRealAnnualSEK(t *testing.T) {
	data := readFile(t, "norges-bank-EXR-A-SEK-NOK-no.csv")
	got, err := rates.ParseNorgesBank("nb.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	// 100,19 NOK per 100 SEK is 1.0019 NOK per SEK; an annual average is
	// dated the year's last day.
	sameObs(t, got, []rates.Observation{
		obs("SEK", "2021-12-31", "A", 1_001_900, 2),
		obs("SEK", "2022-12-31", "A", 950_300, 3),
	})
	if got[0].Rate.String() != "1.001900" || got[1].Rate.String() != "0.950300" {
		t.Errorf("rates %s %s", got[0].Rate, got[1].Rate)
	}
}

// The English-locale file is made by hand after the real Norwegian one
// (see testdata/README.md): English labels, decimal points, a BOM, CRLF.
func TestNorgesBankEnglishLocale(t *testing.T) {
	got, err := rates.ParseNorgesBank("en.csv", readFile(t, "norges-bank-EXR-BMA-en.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sameObs(t, got, []rates.Observation{
		obs("EUR", "2021-05-03", "B", 10_021_300, 2),
		obs("SEK", "2021-05-03", "B", 987_600, 3),
		obs("USD", "2021-05-03", "B", 8_312_700, 4),
		// line 5 is JPY: read and checked, but Samla does not price in it.
		obs("EUR", "2021-05-31", "B", 10_192_500, 6),
		// line 7, May's EUR average, is dated 2021-05-31 too: the day's own rate wins.
		obs("SEK", "2021-05-31", "M", 994_180, 8),
		obs("SEK", "2021-12-31", "A", 1_001_900, 9),
	})
}

func TestNorgesBankColumnsByName(t *testing.T) {
	// Columns in another order, no label columns, a quoted value, a
	// monthly period ending in February of a leap year.
	csv := "OBS_VALUE;TIME_PERIOD;UNIT_MULT;QUOTE_CUR;BASE_CUR;FREQ\n" +
		"\"10,5\";2024-02;0;NOK;USD;M\n" +
		";2024-03;0;NOK;USD;M\n" + // no observation
		"NaN;2024-04;0;NOK;USD;M\n"
	got, err := rates.ParseNorgesBank("x.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	sameObs(t, got, []rates.Observation{obs("USD", "2024-02-29", "M", 10_500_000, 2)})
}

const nbHeader = "FREQ;Frekvens;BASE_CUR;Basisvaluta;QUOTE_CUR;Kvoteringsvaluta;TENOR;Løpetid;DECIMALS;CALCULATED;UNIT_MULT;Multiplikator;COLLECTION;Innsamlingstidspunkt;TIME_PERIOD;OBS_VALUE\n"

func nbRow(freq, base, quote, mult, period, value string) string {
	return strings.Join([]string{freq, "x", base, "x", quote, "x", "SP", "Spot", "2", "false", mult, "x", "A", "x", period, value}, ";") + "\n"
}

func TestNorgesBankBadInput(t *testing.T) {
	tests := []struct {
		name, csv   string
		line        int
		field, code string
		text        string // in the English message
	}{
		{"wrong header", strings.Replace(nbHeader, "OBS_VALUE", "VALUE", 1) + nbRow("A", "SEK", "NOK", "2", "2021", "100,19"),
			1, "OBS_VALUE", rates.CodeColumnMissing, "no column OBS_VALUE"},
		{"bad number", nbHeader + nbRow("A", "SEK", "NOK", "2", "2021", "100,19") + nbRow("A", "SEK", "NOK", "2", "2022", "95,O3"),
			3, "OBS_VALUE", rates.CodeRate, "“95,O3” is not an exchange rate"},
		{"two decimal commas", nbHeader + nbRow("A", "SEK", "NOK", "2", "2021", "1,00,19"),
			2, "OBS_VALUE", rates.CodeRate, "1,00,19"},
		{"negative", nbHeader + nbRow("A", "SEK", "NOK", "2", "2021", "-100,19"),
			2, "OBS_VALUE", rates.CodeRate, "-100,19"},
		{"quote currency", nbHeader + nbRow("A", "SEK", "EUR", "2", "2021", "9,50"),
			2, "QUOTE_CUR", rates.CodeQuoteCurrency, "quoted in EUR"},
		{"unit multiplier", nbHeader + nbRow("A", "SEK", "NOK", "hundre", "2021", "100,19"),
			2, "UNIT_MULT", rates.CodeUnitMult, "“hundre”"},
		{"frequency", nbHeader + nbRow("W", "SEK", "NOK", "2", "2021-W05", "100,19"),
			2, "FREQ", rates.CodeFrequency, "“W”"},
		{"period does not fit", nbHeader + nbRow("M", "SEK", "NOK", "2", "2021", "100,19"),
			2, "TIME_PERIOD", rates.CodePeriod, "want YYYY-MM"},
		{"currency", nbHeader + nbRow("B", "kr", "NOK", "2", "2021-05-03", "100,19"),
			2, "BASE_CUR", rates.CodeCurrency, "“kr”"},
		{"short line", nbHeader + "A;x;SEK\n", 2, "", rates.CodeFieldCount, "Line 2 has 3 fields; the header has 16"},
		{"same day twice", nbHeader + nbRow("B", "SEK", "NOK", "2", "2021-05-03", "98,76") + nbRow("B", "SEK", "NOK", "2", "2021-05-03", "98,77"),
			3, "", rates.CodeDuplicate, "has another rate on line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rates.ParseNorgesBank("nb.csv", []byte(tc.csv))
			problemAt(t, err, tc.line, tc.field, tc.code)
			if !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), "nb.csv") {
				t.Errorf("error %q lacks %q or the file name", err, tc.text)
			}
		})
	}
}

func TestNorgesBankManyProblemsAreCapped(t *testing.T) {
	csv := nbHeader
	for range rates.MaxProblems + 5 {
		csv += nbRow("A", "SEK", "NOK", "2", "2021", "x")
	}
	_, err := rates.ParseNorgesBank("nb.csv", []byte(csv))
	var fe *rates.FileError
	if !errors.As(err, &fe) || len(fe.Problems) != rates.MaxProblems {
		t.Fatalf("err = %v", err)
	}
	if fe.Problems[rates.MaxProblems-1].Line != rates.MaxProblems+1 {
		t.Errorf("last problem %+v", fe.Problems[rates.MaxProblems-1])
	}
}

func TestNorgesBankOnlyOtherCurrencies(t *testing.T) {
	_, err := rates.ParseNorgesBank("jpy.csv", []byte(nbHeader+nbRow("A", "JPY", "NOK", "2", "2021", "7,8")))
	p := problemAt(t, err, 0, "", rates.CodeOtherCurrency)
	if p.Args["Found"] != "JPY" || p.Args["Want"] != "SEK, EUR, USD, GBP, DKK" {
		t.Errorf("args %v", p.Args)
	}
	_, err = rates.ParseNorgesBank("empty.csv", []byte(nbHeader))
	problemAt(t, err, 0, "", rates.CodeNoRates)
}

// The ECB's XML of 2025-05-09: NOK 11.6725 per EUR. Each cross rate is
// worked out by hand, NOK per EUR / X per EUR rounded half up to six
// decimals:
//
//	SEK 11.6725 / 10.9200 = 1.06891025… → 1.068910 (line 18)
//	EUR 11.6725                          (line 21, the NOK element)
//	USD 11.6725 / 1.1252  = 10.37371134… → 10.373711 (line 9)
//	GBP 11.6725 / 0.84770 = 13.76961189… → 13.769612 (line 14)
//	DKK 11.6725 / 7.4604  = 1.56459439… → 1.564594 (line 13)
func TestECBXMLReal(t *testing.T) {
	got, err := rates.ParseECBXML("daily.xml", readFile(t, "ecb-eurofxref-daily.xml"))
	if err != nil {
		t.Fatal(err)
	}
	d := "2025-05-09"
	sameObs(t, got, []rates.Observation{
		obs("SEK", d, "D", 1_068_910, 18),
		obs("EUR", d, "D", 11_672_500, 21),
		obs("USD", d, "D", 10_373_711, 9),
		obs("GBP", d, "D", 13_769_612, 14),
		obs("DKK", d, "D", 1_564_594, 13),
	})
}

// The ECB's CSV of 25 January 2018: NOK 9.5858 per EUR.
//
//	SEK 9.5858 / 9.8188  = 0.97627001… → 0.976270
//	USD 9.5858 / 1.2407  = 7.72612235… → 7.726122
//	GBP 9.5858 / 0.87038 = 11.01335049… → 11.013350
//	DKK 9.5858 / 7.4444  = 1.28765246… → 1.287652
func TestECBCSVReal(t *testing.T) {
	got, err := rates.ParseECBCSV("eurofxref.csv", readFile(t, "ecb-eurofxref.csv"))
	if err != nil {
		t.Fatal(err)
	}
	d := "2018-01-25"
	sameObs(t, got, []rates.Observation{
		obs("SEK", d, "D", 976_270, 2),
		obs("EUR", d, "D", 9_585_800, 2),
		obs("USD", d, "D", 7_726_122, 2),
		obs("GBP", d, "D", 11_013_350, 2),
		obs("DKK", d, "D", 1_287_652, 2),
	})
}

// Like the 90-day and history files: several days, newest first, one
// without GBP. Written for the test in the real file's shape.
const ecbTwoDays = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<Cube>
		<Cube time="2025-05-09">
			<Cube currency="USD" rate="1.1252"/>
			<Cube currency="NOK" rate="11.6725"/>
		</Cube>
		<Cube time="2025-05-08">
			<Cube currency="USD" rate="1.1275"/>
			<Cube currency="NOK" rate="11.70"/>
			<Cube currency="JPY" rate="bad, but not a currency Samla keeps"/>
		</Cube>
	</Cube>
</gesmes:Envelope>
`

func TestECBXMLSeveralDays(t *testing.T) {
	got, err := rates.ParseECBXML("hist-90d.xml", []byte(ecbTwoDays))
	if err != nil {
		t.Fatal(err)
	}
	// 11.70 / 1.1275 = 10.37694013… → 10.376940
	sameObs(t, got, []rates.Observation{
		obs("EUR", "2025-05-08", "D", 11_700_000, 11),
		obs("USD", "2025-05-08", "D", 10_376_940, 10),
		obs("EUR", "2025-05-09", "D", 11_672_500, 7),
		obs("USD", "2025-05-09", "D", 10_373_711, 6),
	})
}

func TestECBBadInput(t *testing.T) {
	t.Run("xml without NOK", func(t *testing.T) {
		x := strings.Replace(string(readFile(t, "ecb-eurofxref-daily.xml")), "<Cube currency='NOK' rate='11.6725'/>", "", 1)
		_, err := rates.ParseECBXML("daily.xml", []byte(x))
		problemAt(t, err, 8, "", rates.CodeNoNOK)
		if !strings.Contains(err.Error(), "for 2025-05-09 have no NOK rate") {
			t.Errorf("error %q", err)
		}
	})
	t.Run("xml bad rate", func(t *testing.T) {
		x := strings.Replace(string(readFile(t, "ecb-eurofxref-daily.xml")), "rate='1.1252'", "rate='1,12,52'", 1)
		_, err := rates.ParseECBXML("daily.xml", []byte(x))
		problemAt(t, err, 9, "USD", rates.CodeRate)
	})
	t.Run("xml bad date", func(t *testing.T) {
		x := strings.Replace(string(readFile(t, "ecb-eurofxref-daily.xml")), "time='2025-05-09'", "time='09.05.2025'", 1)
		_, err := rates.ParseECBXML("daily.xml", []byte(x))
		problemAt(t, err, 8, "time", rates.CodeDate)
	})
	t.Run("xml broken", func(t *testing.T) {
		x := strings.Replace(string(readFile(t, "ecb-eurofxref-daily.xml")), "</Cube>", "</Cub>", 1)
		_, err := rates.ParseECBXML("daily.xml", []byte(x))
		problemAt(t, err, 39, "", rates.CodeXML)
	})
	t.Run("csv without NOK", func(t *testing.T) {
		c := strings.Replace(string(readFile(t, "ecb-eurofxref.csv")), "9.5858", "N/A", 1)
		_, err := rates.ParseECBCSV("eurofxref.csv", []byte(c))
		problemAt(t, err, 2, "", rates.CodeNoNOK)
	})
	t.Run("csv bad rate", func(t *testing.T) {
		c := strings.Replace(string(readFile(t, "ecb-eurofxref.csv")), "0.87038", "0.87O38", 1)
		_, err := rates.ParseECBCSV("eurofxref.csv", []byte(c))
		problemAt(t, err, 2, "GBP", rates.CodeRate)
	})
	t.Run("csv bad date", func(t *testing.T) {
		c := strings.Replace(string(readFile(t, "ecb-eurofxref.csv")), "25 January 2018", "25 Januar 2018", 1)
		_, err := rates.ParseECBCSV("eurofxref.csv", []byte(c))
		problemAt(t, err, 2, "Date", rates.CodeDate)
	})
	t.Run("csv short line", func(t *testing.T) {
		_, err := rates.ParseECBCSV("eurofxref.csv", []byte("Date, USD, NOK, \n25 January 2018, 1.2407, \n"))
		problemAt(t, err, 2, "", rates.CodeFieldCount)
	})
}

func TestECBHistoryCSV(t *testing.T) {
	// eurofxref-hist.csv: ISO dates, no trailing comma, N/A where a
	// currency had no rate.
	c := "Date,USD,GBP,NOK\n2018-01-26,1.2436,N/A,9.6058\n2018-01-25,1.2407,0.87038,9.5858\n"
	got, err := rates.ParseECBCSV("eurofxref-hist.csv", []byte(c))
	if err != nil {
		t.Fatal(err)
	}
	// 9.6058 / 1.2436 = 7.72418784… → 7.724188
	sameObs(t, got, []rates.Observation{
		obs("EUR", "2018-01-25", "D", 9_585_800, 3),
		obs("USD", "2018-01-25", "D", 7_726_122, 3),
		obs("GBP", "2018-01-25", "D", 11_013_350, 3),
		obs("EUR", "2018-01-26", "D", 9_605_800, 2),
		obs("USD", "2018-01-26", "D", 7_724_188, 2),
	})
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetectAndParse(t *testing.T) {
	csv := readFile(t, "ecb-eurofxref.csv")
	for _, tc := range []struct {
		name   string
		data   []byte
		format rates.Format
		source string
		n      int
		parsed string
	}{
		{"exchange_rates.csv", readFile(t, "norges-bank-EXR-A-SEK-NOK-no.csv"), rates.FormatNorgesBank, "norges-bank", 2, "exchange_rates.csv"},
		{"en.csv", readFile(t, "norges-bank-EXR-BMA-en.csv"), rates.FormatNorgesBank, "norges-bank", 6, "en.csv"},
		{"eurofxref-daily.xml", readFile(t, "ecb-eurofxref-daily.xml"), rates.FormatECBXML, "ecb", 5, "eurofxref-daily.xml"},
		{"eurofxref.csv", csv, rates.FormatECBCSV, "ecb", 5, "eurofxref.csv"},
		// The name does not decide: content does.
		{"rates.txt", csv, rates.FormatECBCSV, "ecb", 5, "rates.txt"},
		{"eurofxref.zip", zipOf(t, map[string][]byte{"eurofxref.csv": csv}), rates.FormatECBCSV, "ecb", 5, "eurofxref.zip/eurofxref.csv"},
	} {
		f, err := rates.Detect(tc.name, tc.data)
		if err != nil || f != tc.format || f.Source() != tc.source {
			t.Errorf("Detect(%s) = %q, %v; want %q", tc.name, f, err, tc.format)
			continue
		}
		p, err := rates.Parse(tc.name, tc.data)
		if err != nil {
			t.Errorf("Parse(%s): %v", tc.name, err)
			continue
		}
		if p.Format != tc.format || len(p.Observations) != tc.n || p.Name != tc.parsed {
			t.Errorf("Parse(%s) = %s %s, %d observations", tc.name, p.Name, p.Format, len(p.Observations))
		}
	}
}

func TestDetectRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{
		{"empty.csv", []byte(" \r\n"), rates.CodeEmpty},
		{"notes.txt", []byte("Kurs USD 10,37\n"), rates.CodeUnknownFormat},
		{"other.xml", []byte(`<?xml version="1.0"?><rates><rate currency="USD">10.37</rate></rates>`), rates.CodeUnknownFormat},
		{"comma.csv", []byte("FREQ,BASE_CUR,OBS_VALUE\n"), rates.CodeUnknownFormat},
		{"renamed.csv", []byte(strings.Replace(nbHeader, "OBS_VALUE", "VALUE", 1)), rates.CodeColumnMissing},
		{"two.zip", zipOf(t, map[string][]byte{"a.csv": []byte("Date, NOK\n"), "b.xml": []byte("<x/>")}), rates.CodeZip},
		{"pdf.zip", zipOf(t, map[string][]byte{"a.pdf": []byte("%PDF")}), rates.CodeZip},
		{"huge.csv", make([]byte, rates.MaxFileSize+1), rates.CodeTooLarge},
	} {
		_, err := rates.Parse(tc.name, tc.data)
		var fe *rates.FileError
		if !errors.As(err, &fe) || fe.Problems[0].Code != tc.code || fe.Name != tc.name {
			t.Errorf("Parse(%s) = %v, want %s", tc.name, err, tc.code)
		}
	}
}
