package main

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/config"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/demo"
	"github.com/samla-org/samla/internal/jobs"
	"github.com/samla-org/samla/internal/mail"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/sso/oidc"
	"github.com/samla-org/samla/internal/sso/saml"
	samlausage "github.com/samla-org/samla/internal/usage"
)

func version() string { return server.Version }

// open parses the shared flags plus any extra ones and opens the database.
func open(ctx context.Context, name string, args []string, extra func(*flag.FlagSet)) (*config.Config, *flag.FlagSet, *server.Services, error) {
	fs := flag.NewFlagSet("samla "+name, flag.ContinueOnError)
	cfg := config.Register(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, nil, err
	}
	if err := cfg.EnsureDataDir(); err != nil {
		return nil, nil, nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := server.NewServices(d)
	if err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	// Only from the environment: a flag would show the key in ps.
	if s.Usage.Key, err = samlausage.ParseKey(os.Getenv("SAMLA_SECRET_KEY")); err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	return cfg, fs, s, nil
}

func cmdServe(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	var mailCfg *config.Mail
	var deskCfg *config.Desk
	var accessOnly bool
	cfg, _, s, err := open(ctx, "serve", args, func(fs *flag.FlagSet) {
		mailCfg = config.RegisterMail(fs)
		deskCfg = config.RegisterDesk(fs)
		fs.BoolVar(&accessOnly, "access-only", false, "serve only the IP lookup (/api/v1/access/…) and /healthz, for a separate instance")
	})
	if err != nil {
		return err
	}
	defer s.DB.Close()
	// The lookup index follows every change within seconds (see access.Watch).
	go s.Access.Watch(ctx, 2*time.Second, log)
	if accessOnly {
		return serveHandler(ctx, cfg, server.AccessHandler(s), func(url string) {
			fmt.Fprintf(stdout, "Samla %s serving the IP lookup only on %s (%s database)\n", version(), url, s.DB.Engine)
		})
	}
	// Without an SMTP host mail stays queued in the outbox (logged once).
	stopMail, err := mail.Start(ctx, s.DB, mailCfg, log, 30*time.Second)
	if err != nil {
		return err
	}
	defer stopMail() // before the database closes: waits for a send in progress
	stopDesk, err := server.StartDesk(ctx, s, deskCfg, mailCfg.From, log)
	if err != nil {
		return err
	}
	defer stopDesk()
	startDuties(ctx, s, log)
	providers, err := ssoProviders(cfg, s, log)
	if err != nil {
		return err
	}
	h, err := server.HandlerWithSSO(s, cfg.DataDir, log, providers)
	if err != nil {
		return err
	}
	return serveHandler(ctx, cfg, h, func(url string) {
		fmt.Fprintf(stdout, "Samla %s serving on %s (%s database)\n", version(), url, s.DB.Engine)
	})
}

// ssoProviders reads single sign-on from the environment (SAMLA_OIDC_*,
// SAMLA_SAML_*). Both need to know Samla's public address: SAMLA_BASE_URL,
// or the listen address when Samla is reached directly.
func ssoProviders(cfg *config.Config, s *server.Services, log *slog.Logger) (server.SSO, error) {
	c, err := config.SSOFromEnv()
	if err != nil {
		return server.SSO{}, err
	}
	var out server.SSO
	if c.OIDC == nil && c.SAMLMetadata == "" {
		return out, nil
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = "http://" + cfg.Addr
		log.Warn("single sign-on without SAMLA_BASE_URL: identity providers will send users back to the listen address", "url", base)
	}
	if o := c.OIDC; o != nil {
		out.OIDC = append(out.OIDC, oidc.Config{Key: o.Key, Label: o.Label, Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
			BaseURL: base, CookieKey: cookieKey(s.Usage.Key, log)})
	}
	if c.SAMLMetadata != "" {
		kp, err := saml.LoadOrCreateKeyPair(cfg.DataDir)
		if err != nil {
			return out, err
		}
		sc := &saml.Config{BaseURL: base, Label: c.SAMLLabel, KeyPair: kp, Logger: log}
		if strings.HasPrefix(c.SAMLMetadata, "https://") || strings.HasPrefix(c.SAMLMetadata, "http://") {
			sc.IDPMetadataURL = c.SAMLMetadata
		} else if sc.IDPMetadata, err = os.ReadFile(c.SAMLMetadata); err != nil {
			return out, fmt.Errorf("SAMLA_SAML_IDP_METADATA: %w", err)
		}
		out.SAML = sc
	}
	return out, nil
}

// cookieKey protects sign-ins in flight. Derived from SAMLA_SECRET_KEY it
// survives a restart; without one it is random, and a sign-in that spans a
// restart simply has to be started again.
func cookieKey(secret []byte, log *slog.Logger) []byte {
	if secret != nil {
		k, err := hkdf.Key(sha256.New, secret, nil, "samla oidc flow cookies", 32)
		if err == nil {
			return k
		}
	}
	log.Info("single sign-on: no SAMLA_SECRET_KEY, so sign-ins in progress do not survive a restart")
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// cmdDemo makes a fresh demo database. Without --data it uses a new
// temporary directory, so it can never touch a real installation's data.
func cmdDemo(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	started := time.Now()
	explicit := false
	for _, a := range args {
		if a == "--data" || a == "-data" || len(a) > 7 && (a[:7] == "--data=" || a[:6] == "-data=") {
			explicit = true
		}
	}
	if !explicit && os.Getenv("SAMLA_DATA") == "" && os.Getenv("SAMLA_DATABASE_URL") == "" {
		dir, err := os.MkdirTemp("", "samla-demo-")
		if err != nil {
			return err
		}
		args = append([]string{"--data", dir}, args...)
	}
	cfg, _, s, err := open(ctx, "demo", args, nil)
	if err != nil {
		return err
	}
	defer s.DB.Close()
	if s.Usage.Key == nil {
		// A throwaway database gets a throwaway key, so SUSHI credentials
		// can be tried out without setting SAMLA_SECRET_KEY.
		s.Usage.Key = make([]byte, 32)
		if _, err := rand.Read(s.Usage.Key); err != nil {
			return err
		}
	}
	logins, err := demo.Seed(ctx, s)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, s, log, func(url string) {
		fmt.Fprintf(stdout, "Samla demo ready in %s — data in %s\n\nOpen %s and log in as:\n", time.Since(started).Round(time.Millisecond), filepath.Clean(cfg.DataDir), url)
		for _, l := range logins {
			fmt.Fprintf(stdout, "  %-16s %-26s password: %s\n", l.Role, l.Email, l.Password)
		}
		fmt.Fprintln(stdout, "\nStop with Ctrl-C.")
	})
}

func serve(ctx context.Context, cfg *config.Config, s *server.Services, log *slog.Logger, ready func(url string)) error {
	h, err := server.Handler(s, cfg.DataDir, log)
	if err != nil {
		return err
	}
	return serveHandler(ctx, cfg, h, ready)
}

func serveHandler(ctx context.Context, cfg *config.Config, h http.Handler, ready func(url string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready("http://" + ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	_, _, s, err := open(ctx, "migrate", args, nil)
	if err != nil {
		return err
	}
	defer s.DB.Close()
	fmt.Fprintf(stdout, "%s database is up to date\n", s.DB.Engine)
	return nil
}

// startDuties runs the periodic, idempotent duties of the domains.
func startDuties(ctx context.Context, s *server.Services, log *slog.Logger) {
	jobs.Start(ctx, log, dutiesOf(s)...)
}
