package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/calendar"
)

type outboxMail struct {
	DedupeKey string `bun:"dedupe_key"`
	ToAddr    string `bun:"to_addr"`
	CcAddrs   string `bun:"cc_addrs"`
	Subject   string `bun:"subject"`
	Body      string `bun:"body"`
}

func (f *fix) outbox() []outboxMail {
	f.t.Helper()
	var ms []outboxMail
	if err := f.db.NewRaw("SELECT dedupe_key, to_addr, cc_addrs, subject, body FROM mail_outbox ORDER BY id").Scan(f.ctx, &ms); err != nil {
		f.t.Fatal(err)
	}
	return ms
}

func TestDigests(t *testing.T) {
	f := setup(t)
	cat := catalog(t)
	f.vendorUser("PressReader", "ola@pressreader.example", "", false)
	f.vendorUser("PressReader", "gone@pressreader.example", "", true)
	f.vendorUser("PressReader", "eva@pressreader.example", "sv", false)
	f.vendorUser("Lovdata", "support@lovdata.example", "en", false)
	// Retriever's subscriber Oslo changes too, but Retriever has no contact.

	day := calendar.MustParse("2026-03-02").Time() // midnight in Oslo
	// Audit records carry the real time of the change.
	nb, en := calendar.Today(time.Now()).Text("nb"), calendar.Today(time.Now()).Text("en")
	run := func(at time.Time) int {
		t.Helper()
		f.now = at
		n, err := f.svc.SendDigests(f.ctx, cat, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The first run only marks where each vendor starts: setup's ranges are
	// history, not news.
	if n := run(day.Add(7 * time.Hour)); n != 0 || len(f.outbox()) != 0 {
		t.Fatalf("baseline sent %d", n)
	}
	f.ipRange("Bergen", "129.240.0.0/24", false)
	f.ipRange("Tromsø", "185.12.4.0/22", false)   // no vendor's subscriber
	f.sharedRange("Bergen", "193.157.1.0/25")     // and Oslo's /24 becomes shared
	if n := run(day.Add(8 * time.Hour)); n != 2 { // PressReader and Lovdata
		t.Fatalf("sent %d, want 2", n)
	}
	ms := f.outbox()
	if len(ms) != 2 {
		t.Fatalf("%d mails", len(ms))
	}
	var press, lov outboxMail
	for _, m := range ms {
		switch m.ToAddr {
		case "ola@pressreader.example":
			press = m
		case "support@lovdata.example":
			lov = m
		}
	}
	// Norwegian: the first contact has no language set.
	if press.CcAddrs != "eva@pressreader.example" || !strings.Contains(press.Subject, "PressReader") || !strings.Contains(press.Subject, "02.03.2026") {
		t.Errorf("PressReader mail: %+v", press)
	}
	for _, line := range []string{
		"Lagt til " + nb + ": 129.240.0.0/24 – Bergen bibliotek\n",
		"Merket som delt " + nb + ": 193.157.1.0/24 – Oslo bibliotek (NO-0030000) [DELT ADRESSE",
		"Lagt til " + nb + ": 193.157.1.0/25 – Bergen bibliotek [DELT ADRESSE",
	} {
		if !strings.Contains(press.Body, line) {
			t.Errorf("PressReader body lacks %q:\n%s", line, press.Body)
		}
	}
	if strings.Contains(press.Body, "185.12.4.0") || strings.Contains(press.Body, "gone@") {
		t.Errorf("PressReader body tells of Tromsø:\n%s", press.Body)
	}
	if !strings.Contains(press.Body, "GET /api/v1/access/changes?since=") {
		t.Errorf("no feed pointer:\n%s", press.Body)
	}
	// English for Lovdata's contact, and only Oslo: Bergen is not entitled.
	if !strings.HasPrefix(lov.Subject, "Samla: changed IP addresses") || !strings.Contains(lov.Body, "Marked as shared "+en+": 193.157.1.0/24 – Oslo bibliotek (NO-0030000) [SHARED ADDRESS") ||
		strings.Contains(lov.Body, "Bergen") {
		t.Errorf("Lovdata mail: %+v", lov)
	}

	// The same day: nothing more, even with a new change.
	f.removeRange("Bergen", "129.240.0.0/24")
	if n := run(day.Add(20 * time.Hour)); n != 0 || len(f.outbox()) != 2 {
		t.Fatalf("second digest on the same day: %d", n)
	}
	// The next day (00:30 in Oslo, still 2 March in UTC) brings it.
	if n := run(day.Add(24*time.Hour + 30*time.Minute)); n != 1 {
		t.Fatalf("next day sent %d, want 1", n)
	}
	ms = f.outbox()
	if last := ms[len(ms)-1]; last.ToAddr != "ola@pressreader.example" || !strings.Contains(last.Body, "Fjernet "+nb+": 129.240.0.0/24 – Bergen bibliotek\n") ||
		strings.Contains(last.Body, "193.157.1.0/25") {
		t.Errorf("next day's mail: %+v", last)
	}
	// A day without changes sends nothing.
	if n := run(day.Add(50 * time.Hour)); n != 0 || len(f.outbox()) != 3 {
		t.Errorf("quiet day sent %d", n)
	}
}
