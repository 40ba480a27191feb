// Command samla runs a library consortium's member registry: one binary with
// subcommands; all logic lives under internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `samla — the library consortium platform

Usage:
  samla serve                     serve the web UI and API
  samla demo                      create a fresh demo database and serve it
  samla migrate                   apply database migrations and exit
  samla user add --email E --name N --role R [--password P] [--county NO-03] [--library ID] [--vendor ID]
  samla user token --email E [--name N]   print a new API token for the user
  samla import members FILE [--dry-run]
  samla import rates FILE         Norges Bank CSV or ECB XML/CSV exchange rates
  samla import mail [flags] FILE|DIR …  .eml files (or directories of them) into the case desk
  samla import counter [--library ID] [--platform NAME] FILE|DIR …  COUNTER R5/R5.1 reports
  samla export members FILE       (.csv or .xlsx)
  samla export ehf RUN_ID DIR     the EHF files of an approved invoice run
  samla version

Every subcommand takes:
  --addr      SAMLA_ADDR          listen address (default 127.0.0.1:8080)
  --data      SAMLA_DATA          data directory (default ./data)
  --database  SAMLA_DATABASE_URL  postgres://… (default: SQLite in the data directory)

samla serve also takes the mail settings: --smtp-host … for sending, and for
the case desk --case-address, --imap-host/--imap-user (SAMLA_IMAP_PASSWORD),
--lmtp-addr and --smtp-listen-addr (see docs/cases.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "samla:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no subcommand given")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()}))
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, log)
	case "demo":
		return cmdDemo(ctx, rest, stdout, log)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout)
	case "user":
		return cmdUser(ctx, rest, stdout)
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, stdout)
	case "version":
		fmt.Fprintln(stdout, "samla", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown subcommand %q", cmd)
}

func logLevel() slog.Level {
	if os.Getenv("SAMLA_DEBUG") != "" {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
