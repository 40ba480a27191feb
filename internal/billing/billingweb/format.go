package billingweb

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/money"
)

// formatDay shows a date as its readers write it: 16.10.2026 in Bokmål,
// 2026-10-16 in Swedish, 16 Oct 2026 in English.
func formatDay(lang string, d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	t := d.Time()
	switch lang {
	case "nb":
		return t.Format("02.01.2006")
	case "en":
		return t.Format("2 Jan 2006")
	}
	return string(d)
}

// formatPercent writes basis points as a percentage for people: 500 → "5 %",
// 250 → "2,5 %" ("2.5%" in English).
func formatPercent(lang string, bp int64) string {
	return percentNumber(lang, bp) + map[bool]string{true: "%", false: " %"}[lang == "en"]
}

// percentNumber is the number of formatPercent, as a person types it.
func percentNumber(lang string, bp int64) string {
	s := strconv.FormatInt(bp/100, 10)
	if r := bp % 100; r != 0 {
		s += map[bool]string{true: ".", false: ","}[lang == "en"] + strings.TrimRight(fmt.Sprintf("%02d", r), "0")
	}
	return s
}

// stepText renders one step of a computation with its catalogue message.
func stepText(cat *i18n.Catalog, lang string, s billing.Step) string {
	return cat.T(lang, s.Code, stepArgs(cat, lang, s.Args))
}

// stepWords are the step arguments whose values are codes, and the
// messages that name them: "fte" reads "årsverk".
var stepWords = map[string]string{"basis": "bweb.unit.", "among": "bweb.among.", "key": "bweb.key."}

// decimalText is a decimal written with a dot, as steps store rates.
var decimalText = regexp.MustCompile(`^-?\d+\.\d+$`)

// stepArgs turns a step's stored arguments into message data in the
// reader's language. Arguments ending in _minor are amounts in the step's
// currency; numbers from JSON arrive as float64 and are shown as the
// integers they are; codes are named, dates and decimals written as the
// reader writes them.
func stepArgs(cat *i18n.Catalog, lang string, args map[string]any) map[string]any {
	cur, _ := args["currency"].(string)
	out := make(map[string]any, len(args))
	for k, v := range args {
		n, whole := wholeNumber(v)
		str, isStr := v.(string)
		switch {
		case whole && k == "from_minor" && args["from"] != nil:
			// A conversion's source amount is in the price's currency.
			out[k] = money.Format(lang, n, fmt.Sprint(args["from"]))
		case whole && strings.HasSuffix(k, "_minor"):
			out[k] = money.Format(lang, n, cur)
		case isStr && strings.HasSuffix(k, "exchange_rate"):
			if r, err := money.ParseRate(str, 0); err == nil {
				out[k] = r.Text(lang)
			} else {
				out[k] = str
			}
		case whole:
			out[k] = groupDigits(lang, n)
		case isStr && stepWords[k] != "" && cat.Has(i18n.Default, stepWords[k]+str):
			out[k] = cat.T(lang, stepWords[k]+str, nil)
		case isStr && k == "date":
			if d, err := calendar.Parse(str); err == nil {
				out[k] = formatDay(lang, d)
			} else {
				out[k] = str
			}
		case isStr && lang != "en" && decimalText.MatchString(str):
			out[k] = strings.Replace(str, ".", ",", 1)
		default:
			out[k] = v
		}
	}
	return out
}

// wholeNumber reads an integral step argument: a json.Number (steps are
// decoded with UseNumber, so no amount ever passes through a float) or an
// integer.
func wholeNumber(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

// groupDigits writes a count with thousands grouped from five digits on, as
// Norwegian and Swedish style has it: "2026", "12 000" ("12,000" in English).
func groupDigits(lang string, n int64) string {
	if n > -10000 && n < 10000 {
		return strconv.FormatInt(n, 10)
	}
	s := money.Format(lang, n*100, "")
	return s[:len(s)-3] // drop the decimals Format always writes
}

// skipText says why a subscriber was not billed.
func skipText(cat *i18n.Catalog, lang string, s billing.Skip) string {
	return cat.T(lang, s.Code, map[string]any{"Detail": s.Detail, "detail": s.Detail})
}

// formatTime shows a stored UTC time in the consortium's zone, as the
// layout's pages do.
func formatTime(lang string, t time.Time) string {
	zone := "Europe/Oslo"
	if lang == "sv" {
		zone = "Europe/Stockholm"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
