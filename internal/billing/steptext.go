package billing

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/money"
)

// Text renders the step with its catalogue message in lang: the pages and
// the API show the same sentence.
func (s Step) Text(cat *i18n.Catalog, lang string) string {
	return cat.T(lang, s.Code, s.TextArgs(cat, lang))
}

// stepWords are the step arguments whose values are codes, and the
// messages that name them: "fte" reads "årsverk".
var stepWords = map[string]string{"basis": "bweb.unit.", "among": "bweb.among.", "key": "bweb.key."}

// decimalText is a decimal written with a dot, as steps store rates.
var decimalText = regexp.MustCompile(`^-?\d+\.\d+$`)

// TextArgs turns the step's stored arguments into message data in lang.
// Arguments ending in _minor are amounts in the step's currency (a
// conversion's from_minor in the price's currency, "from"); numbers are
// json.Number and shown as the integers they are; exchange rates, dates
// and decimals are written as the reader writes them, codes named.
func (s Step) TextArgs(cat *i18n.Catalog, lang string) map[string]any {
	args := s.Args
	cur, _ := args["currency"].(string)
	out := make(map[string]any, len(args))
	for k, v := range args {
		n, whole := wholeNumber(v)
		str, isStr := v.(string)
		switch {
		case whole && k == "from_minor" && args["from"] != nil:
			out[k] = money.Format(lang, n, fmt.Sprint(args["from"]))
		case whole && strings.HasSuffix(k, "_minor"):
			out[k] = money.Format(lang, n, cur)
		case whole:
			out[k] = groupDigits(lang, n)
		case isStr && strings.HasSuffix(k, "exchange_rate"):
			if r, err := money.ParseRate(str, 0); err == nil {
				out[k] = r.Text(lang)
			} else {
				out[k] = str
			}
		case isStr && stepWords[k] != "" && cat.Has(i18n.Default, stepWords[k]+str):
			out[k] = cat.T(lang, stepWords[k]+str, nil)
		case isStr && k == "date":
			if d, err := calendar.Parse(str); err == nil {
				out[k] = d.Text(lang)
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
