package mail

import (
	"context"
	"fmt"
	"time"
)

// Entry is an unsent message as the admin pages show it.
type Entry struct {
	ID        int64
	DedupeKey string
	Kind      string
	To        string
	Subject   string
	CreatedAt time.Time
	Attempts  int
	NextTryAt time.Time // GaveUp for failed messages
	LastError string
}

// Pending lists the messages still to be sent, oldest first: new ones, ones
// waiting out a back-off, and ones being sent right now.
func (w *Worker) Pending(ctx context.Context) ([]Entry, error) {
	return w.unsent(ctx, "attempts < ?")
}

// Failed lists the messages the worker has given up on, oldest first.
func (w *Worker) Failed(ctx context.Context) ([]Entry, error) {
	return w.unsent(ctx, "attempts >= ?")
}

func (w *Worker) unsent(ctx context.Context, cond string) ([]Entry, error) {
	var rows []outboxRow
	err := w.DB.NewSelect().Model(&rows).
		Column("id", "dedupe_key", "kind", "to_addr", "subject", "created_at", "attempts", "next_try_at", "last_error").
		Where("sent_at IS NULL").Where(cond, MaxAttempts).OrderExpr("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{ID: r.ID, DedupeKey: r.DedupeKey, Kind: r.Kind, To: r.ToAddr, Subject: r.Subject,
			CreatedAt: r.CreatedAt, Attempts: r.Attempts, NextTryAt: r.NextTryAt, LastError: r.LastError}
	}
	return out, nil
}
