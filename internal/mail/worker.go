package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/samla-org/samla/internal/db"
)

const (
	// MaxAttempts is how often a message is tried before the worker gives up
	// on it; it then stays in the outbox, listed by Failed.
	MaxAttempts = 10
	// Lease is how long a claimed message is hidden from other workers. It
	// must exceed sendTimeout, so a claim outlives the Send it guards.
	Lease       = 5 * time.Minute
	firstDelay  = time.Minute
	maxDelay    = 6 * time.Hour
	errorLength = 1000 // bytes of an SMTP error kept in last_error
)

// GaveUp is the next_try_at of a message the worker has given up on: far
// enough to never come due, and a valid timestamp on both engines.
var GaveUp = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Worker delivers the outbox. Several workers (processes or goroutines) may
// run against one database: a message is claimed before it is sent.
type Worker struct {
	DB        *db.DB
	Sender    Sender
	Log       *slog.Logger     // nil: slog.Default()
	Now       func() time.Time // nil: time.Now
	BatchSize int              // messages per RunOnce; 0: 50
}

// RunOnce sends the messages that are due, oldest first, at most BatchSize
// of them. It counts messages sent and sending failures; err is a database
// error, which stops the batch.
//
// Delivery guarantee. SMTP gives no way to send and record atomically, so a
// crash between the server's "250 OK" and our UPDATE must end in either a
// lost or a repeated mail. Each message is therefore claimed first: one
// UPDATE moves next_try_at forward by Lease, only if the row is still
// unsent and due, and returns it. Whoever's UPDATE matched owns the message
// for the lease; no one else can send it in that window, whether another
// worker or this one on its next tick (at most once per attempt window).
// The claim is a single statement, so two workers racing for a row cannot
// both win: the loser's WHERE is re-checked against the winner's row on
// PostgreSQL, and SQLite runs one writer at a time. Messages are claimed one
// at a time, so a lease covers one Send (≤ sendTimeout), never a batch.
// If the process dies mid-send, the lease simply runs out and the message
// is tried again: across crashes delivery is at least once, because a
// repeated notice costs far less than a lost receipt.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	if w.Sender == nil {
		return 0, 0, errors.New("mail worker has no Sender")
	}
	for range w.batch() {
		if err := ctx.Err(); err != nil {
			return sent, failed, err
		}
		row, ok, err := w.claim(ctx)
		if err != nil {
			return sent, failed, err
		}
		if !ok {
			break
		}
		m := row.message()
		msgID, sendErr := w.Sender.Send(ctx, m)
		// Record the outcome even when ctx is ending: a message the server
		// has taken must not stay unmarked, or it goes out again.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if sendErr == nil {
			if err = w.markSent(rctx, row); err == nil {
				w.log().Info("mail sent", "outbox_id", row.ID, "kind", row.Kind, "message_id", msgID)
			}
			sent++
		} else {
			err = w.markFailed(rctx, row, sendErr)
			failed++
		}
		cancel()
		if err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// Run calls RunOnce every interval until ctx is done, and again at once while
// batches come back full, so a backlog drains without waiting.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		sent, failed, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log().Error("mail outbox", "err", err)
		}
		if err == nil && sent+failed >= w.batch() {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// claim takes the oldest due message and leases it (see RunOnce).
func (w *Worker) claim(ctx context.Context) (*outboxRow, bool, error) {
	now := w.now()
	lock := ""
	if w.DB.Engine == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED" // racing workers take different rows instead of none
	}
	row := new(outboxRow)
	err := w.DB.NewRaw(`UPDATE mail_outbox SET next_try_at = ?
WHERE id = (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_try_at <= ? ORDER BY id LIMIT 1`+lock+`)
  AND sent_at IS NULL AND next_try_at <= ?
RETURNING id, dedupe_key, kind, to_addr, subject, body, created_at, attempts, next_try_at, sent_at, last_error,
  from_addr, cc_addrs, reply_to, message_id, in_reply_to, refs, personal`,
		now.Add(Lease), now, now).Scan(ctx, row)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim mail: %w", err)
	}
	return row, true, nil
}

func (w *Worker) markSent(ctx context.Context, row *outboxRow) error {
	_, err := w.DB.NewUpdate().Model((*outboxRow)(nil)).Set("sent_at = ?", w.now()).Where("id = ?", row.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark mail %d sent: %w", row.ID, err)
	}
	return nil
}

// markFailed records a failed attempt and schedules the next one, or gives
// up after MaxAttempts.
func (w *Worker) markFailed(ctx context.Context, row *outboxRow, sendErr error) error {
	attempts := row.Attempts + 1
	next := w.now().Add(Backoff(attempts))
	msg := cleanError(sendErr)
	if attempts >= MaxAttempts {
		next = GaveUp
		w.log().Error("mail undeliverable, giving up", "outbox_id", row.ID, "kind", row.Kind, "attempts", attempts, "err", msg)
	} else {
		w.log().Warn("mail not sent, will retry", "outbox_id", row.ID, "kind", row.Kind, "attempts", attempts, "next_try_at", next, "err", msg)
	}
	_, err := w.DB.NewUpdate().Model((*outboxRow)(nil)).
		Set("attempts = ?", attempts).Set("last_error = ?", msg).Set("next_try_at = ?", next).
		Where("id = ?", row.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record mail %d failure: %w", row.ID, err)
	}
	return nil
}

// Backoff is the wait after the given number of failed attempts: 1 min, 2,
// 4 … doubling, at most 6 h.
func Backoff(attempts int) time.Duration {
	d := firstDelay
	for i := 1; i < attempts && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// cleanError makes err storable in a TEXT column on both engines: valid
// UTF-8 without NUL bytes (servers' replies are not always either), and
// short.
func cleanError(err error) string {
	s := strings.ToValidUTF8(strings.ReplaceAll(err.Error(), "\x00", ""), "?")
	if len(s) <= errorLength {
		return s
	}
	cut := errorLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

func (w *Worker) batch() int {
	if w.BatchSize <= 0 {
		return 50
	}
	return w.BatchSize
}
