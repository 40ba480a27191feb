package billingweb

import (
	"time"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/money"
)

// formatDay shows a date as its readers write it (calendar.Date.Text).
func formatDay(lang string, d calendar.Date) string { return d.Text(lang) }

// formatPercent writes basis points as a percentage for people: 500 → "5 %",
// 250 → "2,5 %" ("2.5%" in English).
func formatPercent(lang string, bp int64) string {
	return money.PercentText(bp, lang) + map[bool]string{true: "%", false: " %"}[lang == "en"]
}

// stepText renders one step of a computation with its catalogue message.
func stepText(cat *i18n.Catalog, lang string, s billing.Step) string { return s.Text(cat, lang) }

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
