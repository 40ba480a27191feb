// Package config reads Samla's settings from flags and SAMLA_* environment
// variables. Flags win over the environment so a one-off command line can
// override a deployment's defaults.
package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Config is what every subcommand needs to find its data.
type Config struct {
	Addr        string // SAMLA_ADDR / --addr
	DataDir     string // SAMLA_DATA / --data
	DatabaseURL string // SAMLA_DATABASE_URL / --database; empty means SQLite in DataDir
	BaseURL     string // SAMLA_BASE_URL / --base-url: how users reach the server (for links and origin checks)
}

// Register binds the shared flags onto fs, with environment defaults.
func Register(fs *flag.FlagSet) *Config {
	c := &Config{}
	fs.StringVar(&c.Addr, "addr", env("SAMLA_ADDR", "127.0.0.1:8080"), "address to listen on (SAMLA_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("SAMLA_DATA", "data"), "data directory for the SQLite database and uploads (SAMLA_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", env("SAMLA_DATABASE_URL", ""), "database URL: empty for SQLite in the data directory, or postgres://… (SAMLA_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("SAMLA_BASE_URL", ""), "public base URL, e.g. https://samla.example.org (SAMLA_BASE_URL)")
	return c
}

// SQLitePath is where the embedded database lives when no URL is given.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "samla.db") }

// EnsureDataDir creates the data directory on first start.
func (c *Config) EnsureDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory %s: %w", c.DataDir, err)
	}
	return nil
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
