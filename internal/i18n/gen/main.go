//go:build ignore

// gen writes locales/web.{nb,sv,en}.toml from web.tsv, one row per message
// with all three languages side by side, so a translator sees every
// language of a message at once and none can be forgotten.
// Run: go run internal/i18n/gen/main.go
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	f, err := os.Open("internal/i18n/gen/web.tsv")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	langs := []string{"nb", "sv", "en"}
	out := map[string]*strings.Builder{}
	for _, l := range langs {
		out[l] = &strings.Builder{}
		fmt.Fprintf(out[l], "# Generated from internal/i18n/gen/web.tsv by `go run internal/i18n/gen/main.go`. Edit the TSV.\n")
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			fmt.Fprintf(os.Stderr, "web.tsv line %d: want 4 tab-separated columns, got %d\n", line, len(cols))
			os.Exit(1)
		}
		for i, l := range langs {
			fmt.Fprintf(out[l], "%s = %s\n", strconv.Quote(cols[0]), strconv.Quote(cols[i+1]))
		}
	}
	for _, l := range langs {
		if err := os.WriteFile("internal/i18n/locales/web."+l+".toml", []byte(out[l].String()), 0o644); err != nil {
			panic(err)
		}
	}
}
