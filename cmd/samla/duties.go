package main

import (
	"github.com/samla-org/samla/internal/jobs"
	"github.com/samla-org/samla/internal/server"
)

// dutiesOf lists the periodic duties; the enrolment domain adds its own.
func dutiesOf(s *server.Services) []jobs.Duty {
	return nil
}
