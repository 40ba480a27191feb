package calendar

import (
	"testing"
	"time"
)

func TestTodayIsOsloDay(t *testing.T) {
	// 23:30 UTC on 11 November is already 12 November in Oslo (UTC+1 in winter),
	// and 22:30 UTC in June is 00:30 the next day (UTC+2 in summer).
	cases := map[time.Time]Date{
		time.Date(2026, 11, 11, 23, 30, 0, 0, time.UTC): "2026-11-12",
		time.Date(2026, 11, 11, 22, 59, 0, 0, time.UTC): "2026-11-11",
		time.Date(2026, 6, 10, 22, 30, 0, 0, time.UTC):  "2026-06-11",
		time.Date(2026, 6, 10, 21, 59, 0, 0, time.UTC):  "2026-06-10",
	}
	for at, want := range cases {
		if got := Today(at); got != want {
			t.Errorf("Today(%s) = %s, want %s", at, got, want)
		}
	}
}

func TestParseAndArithmetic(t *testing.T) {
	for in, want := range map[string]Date{"2026-10-16": "2026-10-16", "16.10.2026": "2026-10-16", "1.1.2027": "2027-01-01"} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "2026-02-30", "16/10/2026", "tomorrow"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	d := MustParse("2026-10-16")
	if got := d.DaysUntil("2026-11-12"); got != 27 {
		t.Errorf("16 Oct to 12 Nov: %d days, want 27", got)
	}
	// Across the end of summer time (25 October 2026) a day is 25 hours.
	if got := MustParse("2026-10-24").DaysUntil("2026-10-26"); got != 2 {
		t.Errorf("across DST: %d days", got)
	}
	if got := d.AddDays(-7); got != "2026-10-09" {
		t.Errorf("AddDays: %s", got)
	}
	if !d.Within("2026-10-16", "2026-10-16") || d.Within("2026-10-17", "2026-11-01") {
		t.Error("Within is wrong at the edges")
	}
}

func TestDateText(t *testing.T) {
	d := MustParse("2026-10-16")
	for lang, want := range map[string]string{"nb": "16.10.2026", "sv": "2026-10-16", "en": "16 Oct 2026"} {
		if got := d.Text(lang); got != want {
			t.Errorf("Text(%s) = %q, want %q", lang, got, want)
		}
	}
	if Date("").Text("nb") != "" {
		t.Error("the zero date is not empty text")
	}
}
