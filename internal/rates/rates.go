// Package rates keeps the exchange rates Samla converts vendor prices with:
// it reads the central banks' published files (Norges Bank's data-warehouse
// CSV, the ECB's euro reference rates as XML or CSV), stores them with
// hand-entered rates beside them, and answers "what was the rate of USD on
// this day".
//
// Every rate is home currency (NOK) per ONE unit of the foreign currency,
// as a money.Rate (millionths). The parsers are pure; Service stores.
//
// Dates. A rate is dated the day it became known:
//   - a business-day (B) or daily (D) rate is dated its own day;
//   - a monthly (M) or annual (A) average is dated the LAST day of its
//     period, because it cannot be known before the period ends. A lookup
//     on 15 June with only monthly averages therefore finds May's.
package rates

import (
	"strings"
	"time"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// Home is the currency every rate is quoted in.
const Home = "NOK"

// Sources of a stored rate (exchange_rates.source).
const (
	SourceNorgesBank = "norges-bank"
	SourceECB        = "ecb"
	SourceManual     = "manual"
)

// Sources in the order a lookup prefers them on the same date: a rate an
// admin typed in is a deliberate override; Norges Bank is the home
// currency's own central bank; the ECB's NOK rates are derived through the
// euro.
var Sources = []string{SourceManual, SourceNorgesBank, SourceECB}

// Frequencies (exchange_rates.frequency).
const (
	FreqBusinessDay = "B" // Norges Bank's daily fixing, dated its day
	FreqDaily       = "D" // the ECB's daily reference rate (its SDMX code), and manual rates
	FreqMonthly     = "M" // monthly average, dated the month's last day
	FreqAnnual      = "A" // annual average, dated 31 December
)

// Frequencies in the order the page lists them.
var Frequencies = []string{FreqBusinessDay, FreqDaily, FreqMonthly, FreqAnnual}

// finer reports whether frequency a describes its date more closely than b.
// The table keeps one rate per (currency, date, source), so a month-end
// business-day rate and that month's average cannot both be stored; the
// day's own rate is the better answer for that day.
func finer(a, b string) bool { return freqRank(a) < freqRank(b) }

func freqRank(f string) int {
	switch f {
	case FreqBusinessDay, FreqDaily:
		return 0
	case FreqMonthly:
		return 1
	}
	return 2
}

// Observation is one rate read from a file.
type Observation struct {
	Currency  string
	Date      calendar.Date
	Frequency string
	Rate      money.Rate
	Line      int // where in the file it was read, for messages
}

// Format is a kind of rates file.
type Format string

const (
	FormatNorgesBank Format = "norges-bank-csv" // Norges Bank data warehouse, dataflow EXR, CSV export
	FormatECBXML     Format = "ecb-xml"         // eurofxref-daily.xml, -hist-90d.xml, -hist.xml
	FormatECBCSV     Format = "ecb-csv"         // eurofxref.csv, eurofxref-hist.csv
)

// Source is where rates of this format come from.
func (f Format) Source() string {
	if f == FormatNorgesBank {
		return SourceNorgesBank
	}
	return SourceECB
}

// wanted reports whether Samla keeps rates for currency c: the currencies
// it prices in, less the home currency (whose rate is always 1).
func wanted(c string) bool { return c != Home && money.KnownCurrency(c) }

// ForeignCurrencies lists the currencies rates are kept for, in the order
// of money.Currencies.
func ForeignCurrencies() []string {
	var out []string
	for _, c := range money.Currencies {
		if wanted(c) {
			out = append(out, c)
		}
	}
	return out
}

// isCode reports whether s looks like an ISO 4217 code.
func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// dedupe drops repeated observations and settles two rates for one
// (currency, date): the same frequency with another rate is a problem in
// the file; different frequencies keep the finer one (see finer).
func dedupe(obs []Observation, pl *problemList) []Observation {
	type key struct {
		c string
		d calendar.Date
	}
	at := map[key]int{}
	out := obs[:0]
	for _, o := range obs {
		k := key{o.Currency, o.Date}
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, o)
			continue
		}
		prev := out[i]
		switch {
		case prev.Frequency == o.Frequency && prev.Rate == o.Rate:
		case prev.Frequency == o.Frequency:
			pl.add(o.Line, "", CodeDuplicate, "", map[string]any{"Currency": o.Currency, "Date": string(o.Date), "Other": prev.Line})
		case finer(o.Frequency, prev.Frequency):
			out[i] = o
		}
	}
	return out
}

// join lists codes for a message: "SEK, USD".
func join(cs []string) string { return strings.Join(cs, ", ") }

// lastDay is the last day of the month m (1–12) of year y.
func lastDay(y int, m time.Month) calendar.Date {
	// Day 0 of the next month is the last of this one (month 13 is January).
	return calendar.Date(time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
}
