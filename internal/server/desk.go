package server

import (
	"context"
	"errors"
	"log/slog"

	"github.com/samla-org/samla/internal/cases/inbox"
	"github.com/samla-org/samla/internal/config"
)

// deskMaxBytes is the largest mail the listeners accept; bigger mail is
// refused with 552 so the sender's server tells its user.
const deskMaxBytes = 64 << 20

// StartDesk brings mail to the case desk: it fetches the desk's IMAP
// mailbox on a schedule and listens for LMTP and SMTP deliveries, as
// configured. mailFrom is the sender of Samla's mail, the desk's address
// when none is set. stop ends it all and waits.
func StartDesk(ctx context.Context, s *Services, d *config.Desk, mailFrom string, log *slog.Logger) (stop func(), err error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	s.Cases.Address = d.Address
	if s.Cases.Address == "" {
		s.Cases.Address = mailFrom
	}
	s.Cases.PlusAddressing = d.PlusAddressing
	if _, err := s.Cases.Signer(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var stops []func() error
	done := make(chan struct{})
	stopAll := func() {
		cancel()
		for _, st := range stops {
			if err := st(); err != nil {
				log.Warn("case desk: stopping a listener", "err", err)
			}
		}
		<-done
	}
	if d.IMAPHost != "" {
		f := &inbox.Fetcher{Store: s.Cases, Log: log, Config: inbox.Config{Host: d.IMAPHost, Port: d.IMAPPort, Username: d.IMAPUser,
			Password: d.IMAPPassword, TLS: d.IMAPTLS, Mailbox: d.IMAPMailbox, CAFile: d.IMAPCAFile, Every: d.IMAPEvery}}
		if err := f.Config.Validate(); err != nil {
			cancel()
			return nil, err
		}
		go func() { defer close(done); f.Run(ctx, d.IMAPEvery) }()
		log.Info("case desk: fetching mail", "imap", d.IMAPHost, "mailbox", d.IMAPMailbox, "every", d.IMAPEvery)
	} else {
		close(done)
		log.Info("case desk: no IMAP mailbox set (--imap-host / SAMLA_IMAP_HOST); mail reaches the desk only through LMTP/SMTP listeners or the API")
	}
	for _, l := range []struct {
		addr string
		lmtp bool
	}{{d.LMTPAddr, true}, {d.SMTPListenAddr, false}} {
		if l.addr == "" {
			continue
		}
		st, bound, err := inbox.Listen(ctx, l.addr, l.lmtp, s.Cases, log, deskMaxBytes)
		if err != nil {
			stopAll()
			return nil, errors.Join(errors.New("case desk listener"), err)
		}
		stops = append(stops, st)
		log.Info("case desk: listening", "addr", bound, "lmtp", l.lmtp)
	}
	return stopAll, nil
}
