package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

func TestDutiesRunRepeatedlyAndSurviveFailures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ok, failing, panicking atomic.Int32
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	Start(ctx, log,
		Duty{Name: "ok", Every: 10 * time.Millisecond, Run: func(context.Context) error { ok.Add(1); return nil }},
		Duty{Name: "failing", Every: 10 * time.Millisecond, Run: func(context.Context) error { failing.Add(1); return errors.New("boom") }},
		Duty{Name: "panicking", Every: 10 * time.Millisecond, Run: func(context.Context) error { panicking.Add(1); panic("boom") }},
	)
	deadline := time.Now().Add(5 * time.Second)
	for ok.Load() < 3 || failing.Load() < 3 || panicking.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("runs: ok %d, failing %d, panicking %d; want each at least 3", ok.Load(), failing.Load(), panicking.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	time.Sleep(30 * time.Millisecond)
	n := ok.Load()
	time.Sleep(50 * time.Millisecond)
	if ok.Load() != n {
		t.Error("a duty kept running after its context ended")
	}
}
