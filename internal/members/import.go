package members

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/tabular"
	"github.com/samla-org/samla/internal/validate"
)

// Row actions in an import plan.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionUnchanged = "unchanged"
	ActionReject    = "reject"
)

// RowProblem is one reason a row is rejected or warned about: where (row,
// column, value) and what (a translatable problem).
type RowProblem struct {
	Column  string            `json:"column"`
	Value   string            `json:"value"`
	Problem *validate.Problem `json:"problem"`
	Message string            `json:"message,omitempty"` // filled in by the API in the caller's language
}

// RowResult is what an import does (or would do) with one row.
type RowResult struct {
	Line      int            `json:"line"`
	Name      string         `json:"name"`
	Action    string         `json:"action"`
	LibraryID int64          `json:"library_id,omitempty"`
	Changes   []audit.Change `json:"changes,omitempty"`
	Problems  []RowProblem   `json:"problems,omitempty"`
	Warnings  []RowProblem   `json:"warnings,omitempty"`
}

// Plan is the whole import, row by row.
type Plan struct {
	File           string      `json:"file"`
	DryRun         bool        `json:"dry_run"`
	Applied        bool        `json:"applied"`
	IgnoredColumns []string    `json:"ignored_columns,omitempty"`
	Rows           []RowResult `json:"rows"`
	Created        int         `json:"created"`
	Updated        int         `json:"updated"`
	Unchanged      int         `json:"unchanged"`
	Rejected       int         `json:"rejected"`
}

// ErrImportRejected means at least one row was rejected, so nothing was written.
var ErrImportRejected = errors.New("import rejected: nothing was written")

// errDryRun rolls back the transaction of a dry run.
var errDryRun = errors.New("dry run")

// FileError is a problem with the file as a whole (such as no name column).
type FileError struct {
	File    string
	Problem *validate.Problem
}

func (e *FileError) Error() string { return e.File + ": " + e.Problem.Error() }

// Import runs a member spreadsheet. A dry run does exactly what the real run
// does inside one transaction and then rolls it back, so the preview cannot
// differ from the result. A real run is all-or-nothing: one rejected row and
// nothing is written. progress, if set, is called after each row.
func (s *Service) Import(ctx context.Context, by auth.Actor, t *tabular.Table, dryRun bool, progress func(done, total int)) (*Plan, error) {
	if !by.CanCreateLibraries() {
		return nil, ErrForbidden
	}
	plan := &Plan{File: t.File, DryRun: dryRun}
	cols := map[string]int{}
	for i, h := range t.Header {
		c := CanonicalColumn(h)
		if c == "" {
			plan.IgnoredColumns = append(plan.IgnoredColumns, h)
			continue
		}
		if _, dup := cols[c]; dup {
			return nil, &FileError{File: t.File, Problem: &validate.Problem{Field: h, Code: "import.column.duplicate", Value: h, Args: map[string]any{"Column": c}}}
		}
		cols[c] = i
	}
	if _, ok := cols["name"]; !ok {
		return nil, &FileError{File: t.File, Problem: &validate.Problem{Field: "name", Code: "import.column.name_missing"}}
	}
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for i, row := range t.Rows {
			get := func(col string) string {
				if idx, ok := cols[col]; ok {
					return row.Get(idx)
				}
				return ""
			}
			res, err := s.importRow(ctx, tx, by, row.Line, get, cols, t.Header)
			if err != nil {
				return fmt.Errorf("%s line %d: %w", t.File, row.Line, err)
			}
			plan.Rows = append(plan.Rows, res)
			switch res.Action {
			case ActionCreate:
				plan.Created++
			case ActionUpdate:
				plan.Updated++
			case ActionUnchanged:
				plan.Unchanged++
			case ActionReject:
				plan.Rejected++
			}
			if progress != nil {
				progress(i+1, len(t.Rows))
			}
		}
		if plan.Rejected > 0 {
			return ErrImportRejected
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	switch {
	case err == nil:
		plan.Applied = true
		return plan, nil
	case errors.Is(err, errDryRun):
		return plan, nil
	case errors.Is(err, ErrImportRejected):
		return plan, ErrImportRejected
	}
	return nil, err
}

// importRow applies one row inside the import's transaction. Rows that fail
// validation become rejections; only database failures return an error.
func (s *Service) importRow(ctx context.Context, tx bun.Tx, by auth.Actor, line int, get func(string) string, cols map[string]int, header []string) (RowResult, error) {
	res := RowResult{Line: line, Name: get("name")}
	colName := func(field string) string {
		if field == "parent_id" {
			field = "parent"
		}
		if i, ok := cols[field]; ok {
			return header[i]
		}
		return field
	}
	reject := func(ps []*validate.Problem) RowResult {
		for _, p := range ps {
			res.Problems = append(res.Problems, RowProblem{Column: colName(p.Field), Value: p.Value, Problem: p})
		}
		res.Action = ActionReject
		return res
	}

	existing, p, err := s.matchRow(ctx, tx, get)
	if err != nil {
		return res, err
	}
	if p != nil {
		return reject([]*validate.Problem{p}), nil
	}
	fieldGet := func(f string) string {
		if f == "parent_id" {
			return ""
		}
		return get(f)
	}
	in, ps := ParseText(fieldGet)
	if existing != nil {
		in = mergeOmitted(in, existing, cols)
	}
	if parent := get("parent"); parent != "" {
		pid, p, err := s.resolveParent(ctx, tx, parent)
		if err != nil {
			return res, err
		}
		if p != nil {
			ps = append(ps, p)
		}
		in.ParentID = pid
	} else if existing != nil {
		if _, given := cols["parent"]; !given {
			in.ParentID = existing.ParentID
		}
	}
	if len(ps) > 0 {
		return reject(ps), nil
	}

	// A savepoint per row lets a rejected row leave no trace while the
	// transaction carries on to report every other row.
	sp, err := tx.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("savepoint: %w", err)
	}
	rowErr := s.applyRow(ctx, sp, by, &res, existing, in, get, cols)
	var ve *ValidationError
	switch {
	case errors.As(rowErr, &ve):
		_ = sp.Rollback()
		res.Changes = nil
		return reject(ve.Problems), nil
	case errors.Is(rowErr, ErrNotFound), errors.Is(rowErr, ErrForbidden):
		_ = sp.Rollback()
		return reject([]*validate.Problem{{Field: "id", Code: "import.row.not_allowed", Value: get("id")}}), nil
	case errors.Is(rowErr, ErrConflict):
		_ = sp.Rollback()
		return reject([]*validate.Problem{{Field: "id", Code: "import.row.conflict", Value: get("id")}}), nil
	case rowErr != nil:
		_ = sp.Rollback()
		return res, rowErr
	}
	if err := sp.Commit(); err != nil {
		return res, fmt.Errorf("release savepoint: %w", err)
	}
	return res, nil
}

func (s *Service) applyRow(ctx context.Context, tx bun.Tx, by auth.Actor, res *RowResult, existing *Library, in LibraryInput, get func(string) string, cols map[string]int) error {
	var l *Library
	var warns []*validate.Problem
	var err error
	if existing == nil {
		l, warns, err = s.createTx(ctx, tx, by, in)
		res.Action = ActionCreate
		if l != nil {
			res.Changes = audit.Diff(libraryFields, nil, l.snapshot())
		}
	} else {
		var changes []audit.Change
		l, warns, changes, err = s.updateTx(ctx, tx, by, existing.ID, in)
		res.Action, res.Changes = ActionUnchanged, changes
		if len(changes) > 0 {
			res.Action = ActionUpdate
		}
	}
	for _, w := range warns {
		res.Warnings = append(res.Warnings, RowProblem{Column: w.Field, Value: w.Value, Problem: w})
	}
	if err != nil {
		return err
	}
	res.LibraryID = l.ID
	if email := get("primary_contact_email"); email != "" || get("primary_contact_name") != "" {
		n, err := s.importPrimary(ctx, tx, by, l.ID, ContactInput{Name: get("primary_contact_name"), Email: email, Phone: get("primary_contact_phone"), Role: ContactPrimary})
		if err != nil {
			return err
		}
		res.Changes = append(res.Changes, n...)
	}
	if _, given := cols["ip_ranges"]; given && strings.TrimSpace(get("ip_ranges")) != "" {
		n, err := s.importIPRanges(ctx, tx, by, l.ID, get("ip_ranges"))
		if err != nil {
			return err
		}
		res.Changes = append(res.Changes, n...)
	}
	if res.Action == ActionUnchanged && len(res.Changes) > 0 {
		res.Action = ActionUpdate
	}
	return nil
}

// matchRow finds the library a row is about: by id, then ISIL, then name and
// municipality. No match means the row creates a library.
func (s *Service) matchRow(ctx context.Context, tx bun.IDB, get func(string) string) (*Library, *validate.Problem, error) {
	if v := strings.TrimSpace(get("id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, &validate.Problem{Field: "id", Code: "import.row.bad_id", Value: v}, nil
		}
		l, err := getLibrary(ctx, tx, id)
		if errors.Is(err, ErrNotFound) {
			return nil, &validate.Problem{Field: "id", Code: "import.row.unknown_id", Value: v}, nil
		}
		return l, nil, err
	}
	if v := strings.TrimSpace(get("isil")); v != "" {
		if isil, p := validate.ISIL(v); p == nil {
			l := new(Library)
			err := tx.NewSelect().Model(l).Where("isil = ?", isil).Scan(ctx)
			if err == nil {
				return l, nil, nil
			}
			if !errors.Is(err, dbNoRows) {
				return nil, nil, fmt.Errorf("match by isil: %w", err)
			}
		}
	}
	name := strings.TrimSpace(get("name"))
	if name == "" {
		return nil, nil, nil
	}
	var ls []Library
	if err := tx.NewSelect().Model(&ls).Where("LOWER(name) = ?", strings.ToLower(name)).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("match by name: %w", err)
	}
	if len(ls) == 1 {
		return &ls[0], nil, nil
	}
	if len(ls) > 1 {
		return nil, &validate.Problem{Field: "name", Code: "import.row.ambiguous", Value: name, Args: map[string]any{"Count": len(ls)}}, nil
	}
	return nil, nil, nil
}

// mergeOmitted keeps the stored value of every field whose column the file
// does not have, so a sheet with three columns changes only those three.
func mergeOmitted(in LibraryInput, l *Library, cols map[string]int) LibraryInput {
	old := InputFrom(l)
	has := func(c string) bool { _, ok := cols[c]; return ok }
	keep := []struct {
		col string
		fn  func()
	}{
		{"type", func() { in.Type = old.Type }}, {"country", func() { in.Country = old.Country }},
		{"county_number", func() { in.CountyNumber = old.CountyNumber }}, {"municipality_number", func() { in.MunicipalityNumber = old.MunicipalityNumber }},
		{"org_number", func() { in.OrgNumber = old.OrgNumber }}, {"isil", func() { in.ISIL = old.ISIL }},
		{"latitude", func() { in.Latitude = old.Latitude }}, {"longitude", func() { in.Longitude = old.Longitude }},
		{"population", func() { in.Population = old.Population }}, {"students", func() { in.Students = old.Students }},
		{"fte", func() { in.FTE = old.FTE }}, {"website", func() { in.Website = old.Website }}, {"notes", func() { in.Notes = old.Notes }},
		{"invoice_party", func() { in.InvoiceParty = old.InvoiceParty }}, {"invoice_org_number", func() { in.InvoiceOrgNumber = old.InvoiceOrgNumber }},
		{"invoice_address", func() { in.InvoiceAddress = old.InvoiceAddress }}, {"einvoice_endpoint", func() { in.EInvoiceEndpoint = old.EInvoiceEndpoint }},
	}
	for _, k := range keep {
		if !has(k.col) {
			k.fn()
		}
	}
	// A municipality given without a county must not keep a stale county.
	if has("municipality_number") && !has("county_number") {
		in.CountyNumber = ""
	}
	in.Version = l.Version
	return in
}

// resolveParent finds a parent library by ISIL, id or exact name.
func (s *Service) resolveParent(ctx context.Context, tx bun.IDB, v string) (*int64, *validate.Problem, error) {
	v = strings.TrimSpace(v)
	var ls []Library
	q := tx.NewSelect().Model(&ls).Column("id")
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		q = q.Where("id = ?", id)
	} else if isil, p := validate.ISIL(v); p == nil {
		q = q.Where("isil = ? OR LOWER(name) = ?", isil, strings.ToLower(v))
	} else {
		q = q.Where("LOWER(name) = ?", strings.ToLower(v))
	}
	if err := q.Limit(2).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("find parent %q: %w", v, err)
	}
	if len(ls) != 1 {
		return nil, &validate.Problem{Field: "parent", Code: "members.parent.unknown", Value: v}, nil
	}
	return &ls[0].ID, nil, nil
}

// importPrimary makes the row's contact the library's primary contact.
func (s *Service) importPrimary(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID int64, in ContactInput) ([]audit.Change, error) {
	var cur []LibraryContact
	if err := tx.NewSelect().Model(&cur).Relation("Contact").Where("lc.library_id = ? AND lc.role = 'primary'", libraryID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("current primary contact: %w", err)
	}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if len(cur) == 1 && cur[0].Contact != nil && cur[0].Contact.Email == email &&
		(in.Name == "" || in.Name == cur[0].Contact.Name) && (in.Phone == "" || in.Phone == cur[0].Contact.Phone) {
		return nil, nil
	}
	lc, err := s.addContactTx(ctx, tx, by, libraryID, in)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				p.Field = "primary_contact_" + p.Field
			}
		}
		return nil, err
	}
	return []audit.Change{{Field: "primary_contact", After: lc.Contact.Name + " <" + lc.Contact.Email + ">"}}, nil
}

// importIPRanges makes the library's ranges exactly those in the cell: an
// exported sheet edited and imported again must be able to remove a range.
// An empty cell leaves the ranges alone.
func (s *Service) importIPRanges(ctx context.Context, tx bun.IDB, by auth.Actor, libraryID int64, cell string) ([]audit.Change, error) {
	var cur []IPRange
	if err := tx.NewSelect().Model(&cur).Where("library_id = ?", libraryID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("current ip ranges: %w", err)
	}
	want := map[string]bool{}
	var ps problems
	var add []string
	for _, item := range validate.SplitList(cell) {
		r, p := validate.ParseIPRange(item)
		if p != nil {
			p.Field = "ip_ranges"
			ps.Add(p)
			continue
		}
		text := r.String()
		if want[text] {
			continue
		}
		want[text] = true
		add = append(add, text)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	var changes []audit.Change
	have := map[string]bool{}
	for _, r := range cur {
		have[r.RangeText] = true
		if !want[r.RangeText] {
			if err := s.removeIPRangeTx(ctx, tx, by, libraryID, r.ID); err != nil {
				return nil, err
			}
			changes = append(changes, audit.Change{Field: "ip_range", Before: r.RangeText})
		}
	}
	for _, text := range add {
		if have[text] {
			continue
		}
		if _, err := s.addIPRangeTx(ctx, tx, by, libraryID, IPInput{Range: text}); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					p.Field = "ip_ranges"
				}
			}
			return nil, err
		}
		changes = append(changes, audit.Change{Field: "ip_range", After: text})
	}
	return changes, nil
}
