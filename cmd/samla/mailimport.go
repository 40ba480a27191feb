package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/samla-org/samla/internal/cases"
	"github.com/samla-org/samla/internal/config"
)

// cmdImportMail hands .eml files (or every file in a Maildir-like
// directory) to the case desk, as if they had come in by mail: for moving
// an old mailbox over, or mail saved from a client. Each file is threaded
// and stored once; running it again changes nothing.
func cmdImportMail(ctx context.Context, args []string, stdout io.Writer) error {
	var desk *config.Desk
	_, fs, s, err := open(ctx, "import mail", args, func(fs *flag.FlagSet) { desk = config.RegisterDesk(fs) })
	if err != nil {
		return err
	}
	defer s.DB.Close()
	paths := fs.Args()
	if len(paths) == 0 {
		return errors.New("usage: samla import mail [--data DIR] FILE|DIR … (RFC 5322 .eml files, or directories of them)")
	}
	s.Cases.Address = desk.Address
	files, err := inputFiles(paths)
	if err != nil {
		return err
	}
	var added, dup, newCases int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		got, err := s.Cases.Ingest(ctx, cases.Incoming{Raw: raw, Source: "import"})
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		switch {
		case got.Duplicate:
			dup++
		case got.NewCase:
			newCases++
			added++
		default:
			added++
		}
		fmt.Fprintf(stdout, "%s: case %d (%s)\n", f, got.CaseID, describe(got))
	}
	fmt.Fprintf(stdout, "%d mails stored (%d new cases), %d already there\n", added, newCases, dup)
	return nil
}

func describe(g *cases.Ingested) string {
	switch {
	case g.Duplicate:
		return "duplicate"
	case g.Auto != "":
		return g.Rule + ", " + g.Auto
	}
	return g.Rule
}

// inputFiles expands directories into their files (a Maildir's cur/ and
// new/ included), in name order so a thread is read oldest first when
// its files are numbered.
func inputFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}
