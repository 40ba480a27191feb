package enrolment

import (
	"time"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/products"
)

// Service runs agreements, windows, enrolments, trials, subscriptions,
// terms acceptance and data processing agreements.
type Service struct {
	DB       *db.DB
	Products *products.Service
	// Now is the clock; tests set it to walk through window dates.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func today(now time.Time) calendar.Date { return calendar.Today(now) }
