// Package jobs runs Samla's periodic duties (sending queued mail, opening
// enrolment windows, reminders, lapsing trials) inside `samla serve`.
//
// Every duty is idempotent — mail carries dedupe keys, windows and trials
// record what was done — so a plain interval loop is enough: running a duty
// twice, or again after a crash, does no harm. A job queue (river) would add
// tables and workers for guarantees these duties get from their own data.
package jobs

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
)

// Duty is one periodic piece of work.
type Duty struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Start runs each duty at once and then every Every, until ctx ends. A
// failing or panicking duty is logged and tried again next time; it never
// stops the others or the server.
func Start(ctx context.Context, log *slog.Logger, duties ...Duty) {
	for _, d := range duties {
		go loop(ctx, log, d)
	}
}

func loop(ctx context.Context, log *slog.Logger, d Duty) {
	t := time.NewTicker(d.Every)
	defer t.Stop()
	for {
		runOnce(ctx, log, d)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func runOnce(ctx context.Context, log *slog.Logger, d Duty) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("duty panicked", "duty", d.Name, "panic", v, "stack", string(debug.Stack()))
		}
	}()
	start := time.Now()
	if err := d.Run(ctx); err != nil && ctx.Err() == nil {
		log.Error("duty failed", "duty", d.Name, "err", err)
		return
	}
	log.Debug("duty done", "duty", d.Name, "took", time.Since(start))
}
