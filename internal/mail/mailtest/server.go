// Package mailtest is a real SMTP server on a loopback port for tests: it
// records what it receives and can refuse recipients, require TLS or a login,
// or hang up, so delivery code is tested against the protocol, not a fake.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Envelope is one message as the test server received it.
type Envelope struct {
	From string
	To   []string
	Data string // the raw DATA, headers and body as on the wire
	User string // who authenticated, if anyone
	TLS  bool   // whether the session ran over TLS
}

// Server is a real SMTP server on a loopback port, recording what it gets.
type Server struct {
	Addr string
	Host string
	Port int

	mu     sync.Mutex
	got    []Envelope
	reject map[string]bool // RCPT TO addresses answered with 550
	mechs  []string        // AUTH mechanisms offered (PLAIN, LOGIN)
	users  map[string]string
	wrap   func(net.Listener) net.Listener
	hangUp bool // drop the connection right after accepting a message
}

type Option func(*Server, *smtp.Server)

func Rejecting(addrs ...string) Option {
	return func(s *Server, _ *smtp.Server) {
		for _, a := range addrs {
			s.reject[a] = true
		}
	}
}

func WithTLS(cert tls.Certificate) Option {
	return func(_ *Server, srv *smtp.Server) {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
}

// ImplicitTLS serves TLS from the first byte, as on port 465.
func ImplicitTLS(cert tls.Certificate) Option {
	return func(s *Server, _ *smtp.Server) {
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.wrap = func(ln net.Listener) net.Listener { return tls.NewListener(ln, cfg) }
	}
}

// HangingUp drops the connection right after answering 250 to DATA.
func HangingUp() Option { return func(s *Server, _ *smtp.Server) { s.hangUp = true } }

// WithAuthOffered advertises mechs without requiring a login.
func WithAuthOffered(mechs ...string) Option {
	return func(s *Server, _ *smtp.Server) { s.mechs = mechs }
}

// WithAuth offers mechs and requires the user to log in before MAIL.
func WithAuth(user, pass string, mechs ...string) Option {
	return func(s *Server, _ *smtp.Server) {
		s.users[user] = pass
		s.mechs = mechs
	}
}

func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{reject: map[string]bool{}, users: map[string]string{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: s, conn: c}, nil }))
	srv.Domain = "mx.test.example"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	for _, o := range opts {
		o(s, srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.Host, s.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	if s.wrap != nil {
		ln = s.wrap(ln)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *Server) Received() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Envelope(nil), s.got...)
}

// ClosedPort returns a loopback port nothing listens on.
func ClosedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

type session struct {
	srv  *Server
	conn *smtp.Conn
	env  Envelope
	user string
}

func (s *session) AuthMechanisms() []string { return s.srv.mechs }

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := s.srv.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(s.srv.users) > 0 && s.user == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.env = Envelope{From: from, User: s.user, TLS: isTLS}
	return nil
}

// Accept stops Rejecting addr.
func (s *Server) Accept(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.reject, addr)
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	rejected := s.srv.reject[to]
	s.srv.mu.Unlock()
	if rejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.env.To = append(s.env.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.env.Data = string(b)
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.env)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset() {
	if s.srv.hangUp && s.env.Data != "" {
		s.conn.Conn().Close() // go-smtp calls Reset after it has sent the 250
	}
	s.env = Envelope{User: s.user}
}

func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(resp) > 0 { // initial response carries the user name
			l.user, l.step = string(resp), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(resp)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(resp))
	}
	return nil, true, errors.New("unexpected LOGIN step")
}

// SelfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func SelfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "samla test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
