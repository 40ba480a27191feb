package rates

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// The code columns of a Norges Bank EXR export. Exports in either locale
// (locale=no or locale=en) have these; the label columns beside them
// (Frekvens/Frequency, Basisvaluta/Base Currency …) differ and are ignored,
// and so is the order.
var nbColumns = []string{"FREQ", "BASE_CUR", "QUOTE_CUR", "UNIT_MULT", "TIME_PERIOD", "OBS_VALUE"}

// ParseNorgesBank reads a CSV export of Norges Bank's dataflow EXR
// (data.norges-bank.no, format=csv): ';'-separated, a header row of code
// and label columns, OBS_VALUE with a decimal comma or point, quoted per
// 10^UNIT_MULT units of BASE_CUR in QUOTE_CUR, which must be NOK. Rows for
// currencies Samla does not price in are checked and left out. A row
// whose OBS_VALUE is empty or NaN has no observation and is skipped.
func ParseNorgesBank(name string, data []byte) ([]Observation, error) {
	data = trimBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileProblem(name, 0, "", CodeEmpty, "", nil)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	r.FieldsPerRecord = -1 // counted below, to say which line is short
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, fileProblem(name, 1, "", CodeCSV, csvDetail(err), nil)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range nbColumns {
		if _, ok := col[c]; !ok {
			return nil, fileProblem(name, 1, c, CodeColumnMissing, "", nil)
		}
	}
	var pl problemList
	var obs []Observation
	found := map[string]bool{}
	for !pl.full() {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			pl.add(line, "", CodeCSV, csvDetail(err), nil)
			continue
		}
		if len(rec) != len(header) {
			pl.add(line, "", CodeFieldCount, "", map[string]any{"Got": len(rec), "Want": len(header)})
			continue
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		o, ok := nbRow(line, get, &pl)
		if !ok {
			continue
		}
		found[o.Currency] = true
		if wanted(o.Currency) {
			obs = append(obs, o)
		}
	}
	obs = dedupe(obs, &pl)
	if err := pl.err(name); err != nil {
		return nil, err
	}
	return keptOrExplain(name, obs, found)
}

// nbRow checks one data row; ok is false when it gave a problem or holds
// no observation.
func nbRow(line int, get func(string) string, pl *problemList) (Observation, bool) {
	bad := func(field, code string, args map[string]any) (Observation, bool) {
		pl.add(line, field, code, get(field), args)
		return Observation{}, false
	}
	o := Observation{Line: line, Frequency: get("FREQ"), Currency: get("BASE_CUR")}
	switch o.Frequency {
	case FreqAnnual, FreqMonthly, FreqBusinessDay:
	default:
		return bad("FREQ", CodeFrequency, nil)
	}
	if !isCode(o.Currency) {
		return bad("BASE_CUR", CodeCurrency, nil)
	}
	if q := get("QUOTE_CUR"); q != Home {
		if !isCode(q) {
			return bad("QUOTE_CUR", CodeCurrency, nil)
		}
		return bad("QUOTE_CUR", CodeQuoteCurrency, nil)
	}
	mult, err := strconv.Atoi(get("UNIT_MULT"))
	if err != nil || mult < 0 || mult > 6 {
		return bad("UNIT_MULT", CodeUnitMult, nil)
	}
	period := get("TIME_PERIOD")
	switch o.Frequency {
	case FreqAnnual:
		if t, err := time.Parse("2006", period); err == nil {
			o.Date = lastDay(t.Year(), time.December)
		}
	case FreqMonthly:
		if t, err := time.Parse("2006-01", period); err == nil {
			o.Date = lastDay(t.Year(), t.Month())
		}
	case FreqBusinessDay:
		if t, err := time.Parse("2006-01-02", period); err == nil {
			o.Date = calendar.Date(t.Format("2006-01-02"))
		}
	}
	if o.Date == "" {
		return bad("TIME_PERIOD", CodePeriod, map[string]any{"Freq": o.Frequency, "Want": periodPattern[o.Frequency]})
	}
	v := get("OBS_VALUE")
	if v == "" || strings.EqualFold(v, "NaN") {
		return Observation{}, false
	}
	if o.Rate, err = money.ParseRate(v, mult); err != nil {
		return bad("OBS_VALUE", CodeRate, nil)
	}
	return o, true
}

// periodPattern is how TIME_PERIOD is written for each frequency.
var periodPattern = map[string]string{FreqAnnual: "YYYY", FreqMonthly: "YYYY-MM", FreqBusinessDay: "YYYY-MM-DD"}

// keptOrExplain returns the observations kept, or says why there are none:
// an empty file, or one with only currencies Samla does not use.
func keptOrExplain(name string, obs []Observation, found map[string]bool) ([]Observation, error) {
	if len(obs) > 0 {
		return obs, nil
	}
	if len(found) == 0 {
		return nil, fileProblem(name, 0, "", CodeNoRates, "", nil)
	}
	var fs []string
	for c := range found {
		fs = append(fs, c)
	}
	slices.Sort(fs)
	return nil, fileProblem(name, 0, "", CodeOtherCurrency, "", map[string]any{"Found": join(fs), "Want": join(ForeignCurrencies())})
}

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")) }

// csvDetail is encoding/csv's reason without its position, which the
// problem carries already.
func csvDetail(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
