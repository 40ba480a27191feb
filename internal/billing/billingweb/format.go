package billingweb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/i18n"
)

// formatDay shows a date as its readers write it (calendar.Date.Text).
func formatDay(lang string, d calendar.Date) string { return d.Text(lang) }

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
