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

	// A reply from the case desk is one mail to several people that must
	// thread in their mail clients; notices leave all of these empty.
	From       string   // overrides the configured sender, e.g. the desk's address
	Cc         []string // copied, in the same mail
	ReplyTo    string
	MessageID  string   // with <>, chosen by the caller so it can thread replies to it
	InReplyTo  string   // with <>
	References []string // with <>, oldest first
	// Personal marks a mail written by a person: it is sent without the
	// Auto-Submitted headers of notices, so the recipient's mail system
	// treats it (and its out-of-office replies) like any other mail.
	Personal bool
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

	FromAddr  string `bun:"from_addr"`
	CcAddrs   string `bun:"cc_addrs"` // newline-separated
	ReplyTo   string `bun:"reply_to"`
	MessageID string `bun:"message_id"`
	InReplyTo string `bun:"in_reply_to"`
	Refs      string `bun:"refs"` // space-separated
	Personal  bool   `bun:"personal"`
}

func (r *outboxRow) message() Message {
	m := Message{DedupeKey: r.DedupeKey, Kind: r.Kind, To: r.ToAddr, Subject: r.Subject, Body: r.Body,
		From: r.FromAddr, ReplyTo: r.ReplyTo, MessageID: r.MessageID, InReplyTo: r.InReplyTo, Personal: r.Personal}
	if r.CcAddrs != "" {
		m.Cc = strings.Split(r.CcAddrs, "\n")
	}
	m.References = strings.Fields(r.Refs)
	return m
}

// Enqueue adds m to the outbox through db — pass the transaction of the
// change that causes the mail. It reports whether the message was new.
func Enqueue(ctx context.Context, db bun.IDB, m Message) (bool, error) {
	if m.DedupeKey == "" || strings.TrimSpace(m.To) == "" {
		return false, fmt.Errorf("mail %q: dedupe key and recipient are required", m.Subject)
	}
	now := time.Now().UTC()
	row := &outboxRow{DedupeKey: m.DedupeKey, Kind: m.Kind, ToAddr: strings.TrimSpace(m.To), Subject: m.Subject, Body: m.Body, CreatedAt: now, NextTryAt: now,
		FromAddr: m.From, CcAddrs: strings.Join(m.Cc, "\n"), ReplyTo: m.ReplyTo, MessageID: m.MessageID, InReplyTo: m.InReplyTo,
		Refs: strings.Join(m.References, " "), Personal: m.Personal}
	res, err := db.NewInsert().Model(row).On("CONFLICT (dedupe_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("enqueue mail %s: %w", m.DedupeKey, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OutboxID returns the outbox row of the message enqueued with key, for
// callers that show whether their mail has gone.
func OutboxID(ctx context.Context, db bun.IDB, key string) (int64, error) {
	var id int64
	if err := db.NewSelect().Model((*outboxRow)(nil)).Column("id").Where("dedupe_key = ?", key).Scan(ctx, &id); err != nil {
		return 0, fmt.Errorf("outbox id of %s: %w", key, err)
	}
	return id, nil
}

// Status is how far an enqueued message has come.
type Status struct {
	ID        int64
	SentAt    *time.Time
	Attempts  int
	LastError string
}

// Statuses returns the delivery state of the given outbox rows.
func Statuses(ctx context.Context, db bun.IDB, ids []int64) (map[int64]Status, error) {
	out := map[int64]Status{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []outboxRow
	if err := db.NewSelect().Model(&rows).Column("id", "sent_at", "attempts", "last_error").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("outbox statuses: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = Status{ID: r.ID, SentAt: r.SentAt, Attempts: r.Attempts, LastError: r.LastError}
	}
	return out, nil
}
