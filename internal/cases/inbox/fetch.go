package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dialTimeout bounds connecting and the TLS handshake; imapclient bounds
// each command's reads and writes itself.
const dialTimeout = 30 * time.Second

// Fetcher copies new messages from an IMAP mailbox into a Store. It never
// changes the mailbox (it reads with EXAMINE and BODY.PEEK), so the mailbox
// stays as it was for anyone else reading it.
type Fetcher struct {
	Config Config
	Store  Store
	Log    *slog.Logger
}

func (f *Fetcher) log() *slog.Logger {
	if f.Log == nil {
		return slog.Default()
	}
	return f.Log
}

// RunOnce delivers, in UID order, every message after the stored position,
// and stops at the first message the Store refuses, so that the next run
// resumes exactly there.
func (f *Fetcher) RunOnce(ctx context.Context) (delivered int, err error) {
	cfg := f.Config.withDefaults()
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	c, err := dial(ctx, cfg, addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	// Cancelling ctx must not wait for imapclient's own timeouts.
	stopAfter := context.AfterFunc(ctx, func() { c.Close() })
	defer stopAfter()

	if err := c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		return 0, withCtx(ctx, fmt.Errorf("imap login as %q at %s: %w", cfg.Username, addr, err))
	}
	sel, err := c.Select(cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, withCtx(ctx, fmt.Errorf("imap examine %q at %s: %w", cfg.Mailbox, addr, err))
	}
	validity, lastUID, err := f.Store.Position(ctx, cfg.Mailbox)
	if err != nil {
		return 0, fmt.Errorf("read position of %q: %w", cfg.Mailbox, err)
	}
	if validity != sel.UIDValidity {
		if validity != 0 {
			// The old UIDs mean nothing now; the Store's Message-ID check
			// keeps the messages already delivered from being stored twice.
			f.log().Warn("imap UIDVALIDITY changed; reading the mailbox from the start",
				"mailbox", cfg.Mailbox, "old", validity, "new", sel.UIDValidity)
		}
		lastUID = 0
	}
	if sel.NumMessages == 0 {
		return 0, nil
	}

	uids, err := newUIDs(c, lastUID)
	if err != nil {
		return 0, withCtx(ctx, fmt.Errorf("imap list UIDs in %q: %w", cfg.Mailbox, err))
	}
	body := &imap.FetchItemBodySection{Peek: true}
	for _, uid := range uids {
		// One message at a time: memory stays bounded by the largest message,
		// and stopping at a refused one leaves nothing half-read.
		msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
			UID:         true,
			BodySection: []*imap.FetchItemBodySection{body},
		}).Collect()
		if err != nil {
			return delivered, withCtx(ctx, fmt.Errorf("imap fetch UID %d in %q: %w", uid, cfg.Mailbox, err))
		}
		if len(msgs) == 0 {
			f.log().Info("imap message vanished before it was read", "mailbox", cfg.Mailbox, "uid", uid)
			continue
		}
		raw := msgs[0].FindBodySection(body)
		if raw == nil {
			return delivered, fmt.Errorf("imap fetch UID %d in %q: the server sent no body", uid, cfg.Mailbox)
		}
		d := Delivery{
			Mailbox:     cfg.Mailbox,
			UIDValidity: sel.UIDValidity,
			UID:         uint32(uid),
			Raw:         raw,
			Source:      SourceIMAP,
		}
		if err := f.Store.Deliver(ctx, d); err != nil {
			return delivered, fmt.Errorf("deliver UID %d of %q: %w", uid, cfg.Mailbox, err)
		}
		delivered++
	}
	if err := c.Logout().Wait(); err != nil {
		f.log().Debug("imap logout", "err", err)
	}
	return delivered, nil
}

// newUIDs lists the UIDs above lastUID in ascending order. "n:*" always
// includes the highest UID even when it is below n, so those are dropped.
func newUIDs(c *imapclient.Client, lastUID uint32) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(lastUID+1), 0)
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
	if err != nil {
		return nil, err
	}
	var uids []imap.UID
	for _, m := range msgs {
		if uint32(m.UID) > lastUID {
			uids = append(uids, m.UID)
		}
	}
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

// dial connects and, per cfg.TLS, secures the connection.
func dial(ctx context.Context, cfg Config, addr string) (*imapclient.Client, error) {
	tlsCfg := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pool, err := loadCA(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		tlsCfg.RootCAs = pool
	}
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("imap connect to %s: %w", addr, err)
	}
	opts := &imapclient.Options{TLSConfig: tlsCfg}
	switch cfg.TLS {
	case TLSImplicit:
		tlsCfg.NextProtos = []string{"imap"}
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("imap TLS handshake with %s: %w", addr, err)
		}
		return imapclient.New(tc, opts), nil
	case TLSStart:
		// NewStartTLS has no context; the deadline bounds its handshake.
		deadline, _ := dctx.Deadline()
		conn.SetDeadline(deadline)
		c, err := imapclient.NewStartTLS(conn, opts)
		if err != nil {
			return nil, fmt.Errorf("imap STARTTLS with %s: %w", addr, err)
		}
		conn.SetDeadline(time.Time{})
		return c, nil
	default:
		return imapclient.New(conn, opts), nil
	}
}

// withCtx prefers ctx's error when ctx ended, since closing the connection
// on cancellation otherwise surfaces as a confusing I/O error.
func withCtx(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return errors.Join(ctxErr, err)
	}
	return err
}

// Run calls RunOnce now and then every interval (Config.Every when every is
// 0, one minute when both are) until ctx ends. Errors are logged, never fatal:
// the next round retries.
func (f *Fetcher) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = f.Config.Every
	}
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := f.runOnceSafe(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			f.log().Error("imap fetch failed; retrying next round", "host", f.Config.Host,
				"mailbox", f.Config.withDefaults().Mailbox, "delivered", n, "err", err)
		case n > 0:
			f.log().Info("imap fetched mail", "mailbox", f.Config.withDefaults().Mailbox, "delivered", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runOnceSafe turns a panic (in a Store, say) into an error, so that one bad
// message cannot take the server down.
func (f *Fetcher) runOnceSafe(ctx context.Context) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("imap fetch panicked: %v", p)
		}
	}()
	return f.RunOnce(ctx)
}
