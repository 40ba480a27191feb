package rates

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// ecbNS is the namespace of the rate elements in the ECB's XML files.
const ecbNS = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"

// The ECB publishes units of each currency per 1 EUR. Samla wants NOK per
// unit, so every rate goes through the euro:
//
//	EUR: NOK per EUR as published;
//	X:   (NOK per EUR) / (X per EUR), rounded half up to millionths
//	     (money.CrossRate).
//
// A day without NOK cannot be converted and is a problem in the file.

// ecbQuote is one published value and where it stood.
type ecbQuote struct {
	value string
	line  int
}

// ecbDay turns one day's euro rates into NOK rates for the currencies Samla
// keeps. dayLine is where the day starts, for a missing NOK.
func ecbDay(date calendar.Date, dayLine int, quotes map[string]ecbQuote, pl *problemList) []Observation {
	nokQ, ok := quotes[Home]
	if !ok {
		pl.add(dayLine, "", CodeNoNOK, "", map[string]any{"Date": string(date)})
		return nil
	}
	nok, err := money.ParseRate(nokQ.value, 0)
	if err != nil {
		pl.add(nokQ.line, Home, CodeRate, nokQ.value, nil)
		return nil
	}
	var out []Observation
	for _, c := range ForeignCurrencies() {
		if c == "EUR" {
			out = append(out, Observation{Currency: c, Date: date, Frequency: FreqDaily, Rate: nok, Line: nokQ.line})
			continue
		}
		q, ok := quotes[c]
		if !ok {
			continue
		}
		perEUR, err := money.ParseRate(q.value, 0)
		if err != nil {
			pl.add(q.line, c, CodeRate, q.value, nil)
			continue
		}
		r, err := money.CrossRate(nok, perEUR)
		if err != nil {
			pl.add(q.line, c, CodeRate, q.value, nil)
			continue
		}
		out = append(out, Observation{Currency: c, Date: date, Frequency: FreqDaily, Rate: r, Line: q.line})
	}
	return out
}

// ParseECBXML reads the ECB's euro reference rates as XML: the gesmes
// envelope of eurofxref-daily.xml with one Cube time= day, or the 90-day
// and full-history files with many.
func ParseECBXML(name string, data []byte) ([]Observation, error) {
	dec := xml.NewDecoder(bytes.NewReader(trimBOM(data)))
	type day struct {
		time   string
		line   int
		quotes map[string]ecbQuote
	}
	var days []day
	var pl problemList
	for !pl.full() {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line, msg = se.Line, se.Msg
			}
			pl.add(line, "", CodeXML, msg, nil)
			break
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Space != ecbNS || el.Name.Local != "Cube" {
			continue
		}
		line, _ := dec.InputPos()
		var t, currency, rate string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "time":
				t = a.Value
			case "currency":
				currency = a.Value
			case "rate":
				rate = a.Value
			}
		}
		switch {
		case t != "":
			days = append(days, day{time: t, line: line, quotes: map[string]ecbQuote{}})
		case currency != "" && len(days) == 0:
			pl.add(line, "", CodeOutsideDay, currency, nil)
		case currency != "":
			days[len(days)-1].quotes[strings.TrimSpace(currency)] = ecbQuote{value: rate, line: line}
		}
	}
	var obs []Observation
	for _, d := range days {
		t, err := time.Parse("2006-01-02", strings.TrimSpace(d.time))
		if err != nil {
			pl.add(d.line, "time", CodeDate, d.time, nil)
			continue
		}
		obs = append(obs, ecbDay(calendar.Date(t.Format("2006-01-02")), d.line, d.quotes, &pl)...)
	}
	return ecbFinish(name, obs, len(days) > 0, &pl)
}

// ParseECBCSV reads the ECB's euro reference rates as CSV (eurofxref.csv
// inside eurofxref.zip, or eurofxref-hist.csv): a "Date, USD, JPY, …"
// header, a space after each comma and often a trailing ", "; dates like
// "25 January 2018" (the daily file) or "2018-01-25" (the history);
// "N/A" where a currency had no rate that day.
func ParseECBCSV(name string, data []byte) ([]Observation, error) {
	lines := strings.Split(string(trimBOM(data)), "\n")
	header := ecbFields(lines[0])
	if len(header) < 2 || !strings.EqualFold(header[0], "Date") {
		return nil, fileProblem(name, 1, "Date", CodeColumnMissing, "", nil)
	}
	var pl problemList
	for i, h := range header[1:] {
		if !isCode(h) {
			pl.add(1, "column "+strconv.Itoa(i+2), CodeCurrency, h, nil)
		}
	}
	var obs []Observation
	days := 0
	for n, l := range lines[1:] {
		line := n + 2
		if strings.TrimSpace(l) == "" {
			continue
		}
		if pl.full() {
			break
		}
		fs := ecbFields(l)
		if len(fs) != len(header) {
			pl.add(line, "", CodeFieldCount, "", map[string]any{"Got": len(fs), "Want": len(header)})
			continue
		}
		days++
		date, ok := ecbDate(fs[0])
		if !ok {
			pl.add(line, "Date", CodeDate, fs[0], nil)
			continue
		}
		quotes := map[string]ecbQuote{}
		for i, v := range fs[1:] {
			if v != "" && !strings.EqualFold(v, "N/A") {
				quotes[header[i+1]] = ecbQuote{value: v, line: line}
			}
		}
		obs = append(obs, ecbDay(date, line, quotes, &pl)...)
	}
	return ecbFinish(name, obs, days > 0, &pl)
}

// ecbFields splits a line of the ECB's CSV at commas, trims the spaces
// and drops the empty field the trailing ", " leaves.
func ecbFields(l string) []string {
	fs := strings.Split(strings.TrimRight(l, "\r"), ",")
	for i := range fs {
		fs[i] = strings.TrimSpace(fs[i])
	}
	for len(fs) > 0 && fs[len(fs)-1] == "" {
		fs = fs[:len(fs)-1]
	}
	return fs
}

func ecbDate(s string) (calendar.Date, bool) {
	for _, layout := range []string{"2 January 2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return calendar.Date(t.Format("2006-01-02")), true
		}
	}
	return "", false
}

// ecbFinish sorts the observations by date and currency (the 90-day file
// lists the newest day first) and reports what was found wrong.
func ecbFinish(name string, obs []Observation, anyDay bool, pl *problemList) ([]Observation, error) {
	slices.SortStableFunc(obs, func(a, b Observation) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(slices.Index(money.Currencies, a.Currency), slices.Index(money.Currencies, b.Currency)))
	})
	obs = dedupe(obs, pl)
	if err := pl.err(name); err != nil {
		return nil, err
	}
	if !anyDay {
		return nil, fileProblem(name, 0, "", CodeNoRates, "", nil)
	}
	return obs, nil
}
