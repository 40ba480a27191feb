package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	samlausage "github.com/samla-org/samla/internal/usage"
)

// cmdImportCounter imports COUNTER report files (JSON or TSV/CSV), each in
// its own transaction, printing a line per file as it goes: one broken
// file is reported and the others still import.
func cmdImportCounter(ctx context.Context, args []string, stdout io.Writer) error {
	var library int64
	var platform string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "library" || name == "platform") {
			if !hasVal && i+1 < len(args) {
				i++
				val = args[i]
			}
			if name == "library" {
				n, err := strconv.ParseInt(val, 10, 64)
				if err != nil {
					return fmt.Errorf("--library %q is not a library id", val)
				}
				library = n
			} else {
				platform = val
			}
			continue
		}
		rest = append(rest, a)
	}
	_, fs, s, err := open(ctx, "import counter", rest, nil)
	if err != nil {
		return err
	}
	defer s.DB.Close()
	files, err := inputFiles(fs.Args())
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("usage: samla import counter [--library ID] [--platform NAME] FILE|DIR … (COUNTER R5/R5.1 JSON, TSV or CSV)")
	}
	var failed int
	var rows int64
	start := time.Now()
	for i, f := range files {
		res, err := importCounterFile(ctx, s.Usage, f, library, platform)
		prefix := fmt.Sprintf("[%d/%d] %s", i+1, len(files), f)
		if err != nil {
			failed++
			var invalid *samlausage.ValidationError
			if errors.As(err, &invalid) {
				var parts []string
				for _, p := range invalid.Problems {
					parts = append(parts, p.Field+": "+s.Catalog.T("en", p.Code, map[string]any{"Value": p.Value}))
				}
				err = errors.New(strings.Join(parts, "; "))
			}
			fmt.Fprintf(stdout, "%s: NOT imported: %v\n", prefix, err)
			continue
		}
		rows += res.Rows
		what := fmt.Sprintf("%s %s, library %d, %d rows, %s", res.ReportID, res.Release, res.LibraryID, res.Rows, monthSpan(res.Months))
		for _, m := range []string{"Total_Item_Requests", "Searches_Platform", "Searches_Regular"} {
			if n, ok := res.Totals[m]; ok {
				what += fmt.Sprintf(", %s %d", m, n)
			}
		}
		if res.NoUsage {
			what += ", no usage reported"
		}
		if len(res.Warnings) > 0 {
			what += fmt.Sprintf(", %d warnings", len(res.Warnings))
		}
		fmt.Fprintf(stdout, "%s: %s\n", prefix, what)
		for _, w := range res.Warnings {
			fmt.Fprintf(stdout, "    warning: line %d %s: %s\n", w.Line, w.Field, w.Message)
		}
	}
	fmt.Fprintf(stdout, "%d of %d files imported, %d rows, in %s\n", len(files)-failed, len(files), rows, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("%d files not imported", failed)
	}
	return nil
}

func importCounterFile(ctx context.Context, svc *samlausage.Service, path string, library int64, platform string) (*samlausage.ImportResult, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	in := samlausage.ImportInput{LibraryID: library, Platform: platform, FileName: filepath.Base(path), Kind: "cli"}
	if st.Size() <= samlausage.KeepLimit {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		in.Keep = data
		return svc.Import(ctx, cli, in, bytes.NewReader(data))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return svc.Import(ctx, cli, in, f)
}

// monthSpan is "2022-01…2022-12 (12 months)".
func monthSpan(ms []string) string {
	switch len(ms) {
	case 0:
		return "no months"
	case 1:
		return ms[0]
	}
	return fmt.Sprintf("%s…%s (%d months)", ms[0], ms[len(ms)-1], len(ms))
}
