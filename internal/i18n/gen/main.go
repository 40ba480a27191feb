//go:build ignore

// gen writes locales/<area>.{nb,sv,en}.toml from every <area>.tsv in this
// directory: one row per message with all three languages side by side, so
// a translator sees every language of a message at once and none can be
// forgotten. Run: go run internal/i18n/gen/main.go
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

var langs = []string{"nb", "sv", "en"}

func main() {
	files, err := filepath.Glob("internal/i18n/gen/*.tsv")
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "run from the repository root: no internal/i18n/gen/*.tsv found")
		os.Exit(1)
	}
	for _, f := range files {
		if err := generate(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func generate(path string) error {
	area := strings.TrimSuffix(filepath.Base(path), ".tsv")
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	out := map[string]*strings.Builder{}
	for _, l := range langs {
		out[l] = &strings.Builder{}
		fmt.Fprintf(out[l], "# Generated from internal/i18n/gen/%s.tsv by `go run internal/i18n/gen/main.go`. Edit the TSV.\n", area)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			return fmt.Errorf("%s line %d: want 4 tab-separated columns (key, nb, sv, en), got %d", path, line, len(cols))
		}
		if prev, dup := seen[cols[0]]; dup {
			return fmt.Errorf("%s line %d: key %q already on line %d", path, line, cols[0], prev)
		}
		seen[cols[0]] = line
		for i, l := range langs {
			fmt.Fprintf(out[l], "%s = %s\n", strconv.Quote(cols[0]), strconv.Quote(cols[i+1]))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, l := range langs {
		if err := os.WriteFile("internal/i18n/locales/"+area+"."+l+".toml", []byte(out[l].String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
