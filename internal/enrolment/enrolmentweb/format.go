package enrolmentweb

import (
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// formatMoney shows an amount in minor units as "12 500,00 NOK" (Bokmål
// and Swedish) or "12,500.00 NOK" (English), without floats.
func formatMoney(lang string, minor int64, currency string) string {
	return money.Format(lang, minor, currency)
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
