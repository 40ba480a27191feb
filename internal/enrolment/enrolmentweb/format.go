package enrolmentweb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/samla-org/samla/internal/calendar"
)

// formatMoney shows an amount in minor units (øre, cents) as "12 500,00 NOK"
// (Bokmål and Swedish) or "12,500.00 NOK" (English), without floats.
func formatMoney(lang string, minor int64, currency string) string {
	group, decimal := " ", ","
	if lang == "en" {
		group, decimal = ",", "."
	}
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-(minor+1))+1 // also for the most negative int64
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, "%s%02d", decimal, u%100)
	if currency != "" {
		b.WriteString(" " + currency)
	}
	return b.String()
}

// formatDay shows a date as its readers write it: 16.10.2026 in Bokmål,
// 2026-10-16 in Swedish (the Swedish standard form), 16 Oct 2026 in English.
func formatDay(lang string, d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	switch lang {
	case "nb":
		return d.Time().Format("02.01.2006")
	case "en":
		return d.Time().Format("2 Jan 2006")
	}
	return string(d)
}

// formatPeriod shows a first and a last day.
func formatPeriod(lang string, from, to calendar.Date) string {
	return formatDay(lang, from) + " – " + formatDay(lang, to)
}

// localArgs copies message data with its dates in the reader's form.
func localArgs(lang string, args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if d, ok := v.(calendar.Date); ok {
			v = formatDay(lang, d)
		}
		out[k] = v
	}
	return out
}
