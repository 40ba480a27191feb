package auth_test

import (
	"testing"
	"time"
)

func timeIn(t *testing.T, hours int) time.Time {
	t.Helper()
	return time.Now().Add(time.Duration(hours) * time.Hour)
}
