package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/samla-org/samla/internal/config"
	"github.com/samla-org/samla/internal/db"
)

// Start runs the outbox worker in the background, delivering every
// interval, when c names an SMTP host. Without one it logs once that mail is
// off: messages are still queued, and go out once a host is configured.
// Invalid settings are an error, so a misconfigured server fails at start.
// stop ends the worker and waits for it (at most one Send, ≤ 30 s).
func Start(ctx context.Context, d *db.DB, c *config.Mail, log *slog.Logger, every time.Duration) (stop func(), err error) {
	if log == nil {
		log = slog.Default()
	}
	if !c.Enabled() {
		log.Info("mail is off: no SMTP host set (--smtp-host / SAMLA_SMTP_HOST); notices stay queued in the outbox")
		return func() {}, nil
	}
	sender, err := NewSMTPSender(*c)
	if err != nil {
		return nil, err
	}
	w := &Worker{DB: d, Sender: sender, Log: log}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx, every)
	}()
	log.Info("mail on", "smtp", c)
	return func() { cancel(); <-done }, nil
}
