package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// cmdImportRates reads a Norges Bank or ECB exchange-rate file. The file
// is all-or-nothing: a refused file writes no rate and names every line.
func cmdImportRates(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 1 || args[0] == "" || args[0][0] == '-' {
		return errors.New("usage: samla import rates FILE (Norges Bank CSV, ECB XML/CSV/ZIP)")
	}
	file := args[0]
	_, _, s, err := open(ctx, "import rates", args[1:], nil)
	if err != nil {
		return err
	}
	defer s.DB.Close()
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	res, err := s.Rates.Import(ctx, cli, filepath.Base(file), data)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d imported, %d unchanged, %d replaced, %d skipped\n", res.File, res.Imported, res.Unchanged, res.Replaced, res.Skipped)
	return nil
}

// cmdExportEHF writes every approved invoice of a run as an EHF file into
// a directory, for the accounting system or an access point.
func cmdExportEHF(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: samla export ehf RUN_ID DIR")
	}
	runID, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("export ehf: run id %q is not a number", args[0])
	}
	dir := args[1]
	_, _, s, err := open(ctx, "export ehf", args[2:], nil)
	if err != nil {
		return err
	}
	defer s.DB.Close()
	_, invs, err := s.Billing.RunDetail(ctx, cli, runID)
	if err != nil {
		return fmt.Errorf("export ehf: run %d: %w", runID, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, inv := range invs {
		name, xml, err := s.Billing.EHF(ctx, cli, inv.ID)
		if err != nil {
			return fmt.Errorf("export ehf: invoice to %s: %w", inv.BuyerName, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), xml, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, filepath.Join(dir, name))
	}
	return nil
}
