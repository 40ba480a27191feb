package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Limits of the LMTP/SMTP listener.
const (
	listenTimeout = 5 * time.Minute
	maxRecipients = 100
)

// errTryLater tells the sending server to keep the message and retry.
var errTryLater = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message:      "Could not store the message now; please try again later",
}

// Listen accepts mail over LMTP (lmtp true) or SMTP on addr and passes each
// message, up to maxBytes (0: no limit), to store.Deliver. It accepts every
// recipient and never relays. A Store error answers 451 so that the sender
// retries; a message over maxBytes is refused with 552. The listener stops
// when ctx ends or stop is called; boundAddr is the address actually bound
// (useful with port 0).
func Listen(ctx context.Context, addr string, lmtp bool, store Store, log *slog.Logger, maxBytes int64) (stop func() error, boundAddr string, err error) {
	if log == nil {
		log = slog.Default()
	}
	source := SourceSMTP
	if lmtp {
		source = SourceLMTP
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("%s listen on %s: %w", source, addr, err)
	}
	log = log.With("listener", source, "addr", l.Addr().String())

	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{ctx: ctx, store: store, source: source, log: log, remote: c.Conn().RemoteAddr().String()}, nil
	})
	srv := smtp.NewServer(be)
	srv.LMTP = lmtp
	srv.Domain = "samla"
	srv.MaxMessageBytes = maxBytes
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout = listenTimeout
	srv.WriteTimeout = listenTimeout
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = errorLog{log}

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error("mail listener stopped", "err", err)
		}
	}()
	var once sync.Once
	var closeErr error
	stop = func() error {
		once.Do(func() {
			closeErr = srv.Close()
			// Serve may not have registered l with srv yet, so that
			// srv.Close would miss it and leave Serve in Accept forever.
			l.Close()
			<-done
		})
		return closeErr
	}
	context.AfterFunc(ctx, func() { stop() })
	log.Info("mail listener started")
	return stop, l.Addr().String(), nil
}

// errorLog routes go-smtp's own complaints to slog.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Printf(format string, v ...any) { e.log.Warn(fmt.Sprintf(format, v...)) }
func (e errorLog) Println(v ...any)               { e.log.Warn(fmt.Sprint(v...)) }

// session is one connection's transaction state.
type session struct {
	ctx    context.Context
	store  Store
	source string
	log    *slog.Logger
	remote string
	from   string
	rcpts  []string
}

var _ smtp.LMTPSession = (*session)(nil)

func (s *session) Reset() {
	s.from = ""
	s.rcpts = nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data reads and stores the message once, for all recipients.
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code == smtp.ErrDataTooLarge.Code {
			s.log.Warn("refused an oversized message", "from", s.from, "remote", s.remote)
			return smtp.ErrDataTooLarge
		}
		return fmt.Errorf("read message: %w", err)
	}
	d := Delivery{
		Raw:        raw,
		Source:     s.source,
		Recipients: append([]string(nil), s.rcpts...),
	}
	ctx, cancel := context.WithTimeout(s.ctx, listenTimeout)
	defer cancel()
	if err := s.store.Deliver(ctx, d); err != nil {
		s.log.Error("could not store a received message; the sender will retry",
			"from", s.from, "recipients", s.rcpts, "bytes", len(raw), "err", err)
		return errTryLater
	}
	s.log.Info("received mail", "from", s.from, "recipients", len(s.rcpts), "bytes", len(raw))
	return nil
}

// LMTPData gives every recipient the outcome of the one Deliver call: the
// Store keeps a message once, whoever it was addressed to.
func (s *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	err := s.Data(r)
	for _, rcpt := range s.rcpts {
		status.SetStatus(rcpt, err)
	}
	return nil
}
