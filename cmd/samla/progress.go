package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/members"
)

// progress draws a one-line bar on the terminal, at most ten times a second.
type progress struct {
	w     io.Writer
	total int
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, total int) *progress { return &progress{w: w, total: total} }

func (p *progress) update(done, total int) {
	if time.Since(p.last) < 100*time.Millisecond && done != total {
		return
	}
	p.last = time.Now()
	width := 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d rows", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// printPlan lists every row with what happens to it, rejected rows with
// file, line, column, value and reason.
func printPlan(w io.Writer, cat *i18n.Catalog, plan *members.Plan) {
	lang := "en"
	for _, r := range plan.Rows {
		switch r.Action {
		case members.ActionReject:
			for _, p := range r.Problems {
				fmt.Fprintf(w, "%s line %d: REJECT %q: column %q value %q: %s\n", plan.File, r.Line, r.Name, p.Column, p.Value, cat.T(lang, p.Problem.Code, p.Problem.Args))
			}
		case members.ActionUnchanged:
		default:
			fields := make([]string, 0, len(r.Changes))
			for _, c := range r.Changes {
				fields = append(fields, c.Field)
			}
			fmt.Fprintf(w, "%s line %d: %s %q (%s)\n", plan.File, r.Line, strings.ToUpper(r.Action), r.Name, strings.Join(fields, ", "))
		}
		for _, p := range r.Warnings {
			fmt.Fprintf(w, "%s line %d: warning: %s\n", plan.File, r.Line, cat.T(lang, p.Problem.Code, p.Problem.Args))
		}
	}
	if len(plan.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "ignored columns: %s\n", strings.Join(plan.IgnoredColumns, ", "))
	}
	outcome := "dry run: nothing written"
	switch {
	case plan.Applied:
		outcome = "written"
	case plan.Rejected > 0:
		outcome = "rows rejected: nothing written"
	}
	fmt.Fprintf(w, "%d created, %d updated, %d unchanged, %d rejected (%s)\n", plan.Created, plan.Updated, plan.Unchanged, plan.Rejected, outcome)
}
