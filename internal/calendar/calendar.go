// Package calendar handles calendar days: agreement periods, enrolment
// windows, trials and expiry dates are days in the consortium's time zone,
// not instants, and are stored as 'YYYY-MM-DD'.
package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // the zone must resolve on machines without zoneinfo
)

// Zone is where the consortium's days begin and end.
var Zone = mustZone("Europe/Oslo")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary may run where no zoneinfo is installed; time/tzdata is
		// imported below so this cannot happen in practice.
		panic(fmt.Sprintf("time zone %s: %v", name, err))
	}
	return loc
}

// Date is a calendar day, "2026-10-16". The zero value is no date.
type Date string

const layout = "2006-01-02"

// Parse checks and normalises a date typed as 2026-10-16 or 16.10.2026
// (the Norwegian way).
func Parse(s string) (Date, error) {
	for _, l := range []string{layout, "02.01.2006", "2.1.2006"} {
		if t, err := time.ParseInLocation(l, s, Zone); err == nil {
			return Date(t.Format(layout)), nil
		}
	}
	return "", fmt.Errorf("date %q: want YYYY-MM-DD or DD.MM.YYYY", s)
}

// MustParse is Parse for constants in tests and demo data.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Today is the current day in Zone.
func Today(now time.Time) Date { return Date(now.In(Zone).Format(layout)) }

// Time is the start of the day in Zone.
func (d Date) Time() time.Time {
	t, _ := time.ParseInLocation(layout, string(d), Zone)
	return t
}

// AddDays moves the date by n days (negative goes back).
func (d Date) AddDays(n int) Date { return Date(d.Time().AddDate(0, 0, n).Format(layout)) }

// DaysUntil counts whole days from d to e (e after d is positive).
func (d Date) DaysUntil(e Date) int {
	// Round: across a daylight-saving change a day is 23 or 25 hours.
	return int((e.Time().Sub(d.Time()).Hours() + 12) / 24)
}

// Before, After and Within compare days; Within includes both ends.
func (d Date) Before(e Date) bool        { return d < e }
func (d Date) After(e Date) bool         { return d > e }
func (d Date) Within(from, to Date) bool { return d >= from && d <= to }

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d == "" }

// String is the ISO form.
func (d Date) String() string { return string(d) }

// Text writes the date as its readers write it: 16.10.2026 in Bokmål,
// 2026-10-16 in Swedish (the Swedish standard form), 16 Oct 2026 in English.
func (d Date) Text(lang string) string {
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
