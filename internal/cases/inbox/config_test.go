package inbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Host: "imap.example.org", Username: "desk", Password: "pw"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	if d := ok.withDefaults(); d.Port != 993 || d.TLS != TLSImplicit || d.Mailbox != "INBOX" {
		t.Errorf("defaults %+v", d)
	}
	if d := (Config{TLS: TLSStart}).withDefaults(); d.Port != 143 {
		t.Errorf("starttls default port %d, want 143", d.Port)
	}
	if err := (Config{Host: "::1", Username: "u", Password: "p"}).Validate(); err != nil {
		t.Errorf("IPv6 host: %v", err)
	}

	err := Config{}.Validate()
	if err == nil {
		t.Fatal("empty config passed")
	}
	for _, want := range []string{"SAMLA_IMAP_HOST", "SAMLA_IMAP_USER", "SAMLA_IMAP_PASSWORD"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}

	bad := filepath.Join(t.TempDir(), "not-a-cert.pem")
	if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		mut  func(*Config)
		want string
	}{
		"tls mode":   {func(c *Config) { c.TLS = "ssl" }, `"ssl" is not one of tls, starttls, none`},
		"port":       {func(c *Config) { c.Port = 70000 }, "port 70000"},
		"host:port":  {func(c *Config) { c.Host = "imap.example.org:993" }, "without port"},
		"url":        {func(c *Config) { c.Host = "imaps://imap.example.org" }, "without port or scheme"},
		"missing CA": {func(c *Config) { c.CAFile = "/nonexistent/ca.pem" }, "SAMLA_IMAP_CA_FILE"},
		"CA not PEM": {func(c *Config) { c.CAFile = bad }, "holds no PEM certificate"},
		"negative":   {func(c *Config) { c.Every = -time.Second }, "negative"},
	} {
		c := ok
		tc.mut(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want it to contain %q", name, err, tc.want)
		}
	}
}
