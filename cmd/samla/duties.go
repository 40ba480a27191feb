package main

import (
	"context"
	"time"

	"github.com/samla-org/samla/internal/jobs"
	"github.com/samla-org/samla/internal/server"
)

// dutiesOf lists the periodic duties. Each is idempotent, so an hourly run
// catches a window's first day within the hour and repeats nothing.
func dutiesOf(s *server.Services) []jobs.Duty {
	return []jobs.Duty{
		// Open windows whose day has come (renewals, opening notices) and send due reminders.
		{Name: "enrolment windows", Every: time.Hour, Run: s.Enrolment.Tick},
		// Lapse ended trials and ask libraries to accept new licence versions.
		{Name: "licence terms and trials", Every: time.Hour, Run: s.Enrolment.TickObligations},
		// Plan last month's SUSHI harvest from the 5th, and ask for what is due
		// (queued reports and retries come due on their own schedule).
		{Name: "usage harvest", Every: 15 * time.Minute, Run: s.Usage.Tick},
		// Tell each vendor, once a day, which of its subscribers' IP ranges changed.
		{Name: "IP range digests", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := s.Access.SendDigests(ctx, s.Catalog, time.Now())
			return err
		}},
	}
}
