// Package mail sends Samla's e-mail. Domain code never talks SMTP: it puts
// a Message in the outbox inside the transaction of the change that causes
// it, and a worker delivers the outbox over SMTP with retries.
package mail

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Message is one e-mail to one recipient.
type Message struct {
	// DedupeKey makes enqueueing idempotent: a second message with the same
	// key is dropped (e.g. "window-open:12:lib:34").
	DedupeKey string
	Kind      string // window_open, window_reminder, receipt, trial_lapsed, terms_new_version …
	To        string
	Subject   string
	Body      string // plain text
}

type outboxRow struct {
	bun.BaseModel `bun:"table:mail_outbox,alias:mo"`

	ID        int64      `bun:"id,pk,autoincrement"`
	DedupeKey string     `bun:"dedupe_key"`
	Kind      string     `bun:"kind"`
	ToAddr    string     `bun:"to_addr"`
	Subject   string     `bun:"subject"`
	Body      string     `bun:"body"`
	CreatedAt time.Time  `bun:"created_at"`
	Attempts  int        `bun:"attempts"`
	NextTryAt time.Time  `bun:"next_try_at"`
	SentAt    *time.Time `bun:"sent_at"`
	LastError string     `bun:"last_error"`
}

// Enqueue adds m to the outbox through db — pass the transaction of the
// change that causes the mail. It reports whether the message was new.
func Enqueue(ctx context.Context, db bun.IDB, m Message) (bool, error) {
	if m.DedupeKey == "" || strings.TrimSpace(m.To) == "" {
		return false, fmt.Errorf("mail %q: dedupe key and recipient are required", m.Subject)
	}
	now := time.Now().UTC()
	row := &outboxRow{DedupeKey: m.DedupeKey, Kind: m.Kind, ToAddr: strings.TrimSpace(m.To), Subject: m.Subject, Body: m.Body, CreatedAt: now, NextTryAt: now}
	res, err := db.NewInsert().Model(row).On("CONFLICT (dedupe_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("enqueue mail %s: %w", m.DedupeKey, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
