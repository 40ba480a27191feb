package cases

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
)

// Snippet is a text the whole team answers with, in one language.
type Snippet struct {
	bun.BaseModel `bun:"table:case_snippets,alias:sn"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	Title     string    `bun:"title" json:"title"`
	Lang      string    `bun:"lang" json:"lang" enum:"nb,sv,en"`
	Body      string    `bun:"body" json:"body"`
	CreatedBy *int64    `bun:"created_by" json:"-"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`
	Version   int64     `bun:"version" json:"version"`
}

// SnippetInput creates or changes a snippet.
type SnippetInput struct {
	Title   string `json:"title"`
	Lang    string `json:"lang" enum:"nb,sv,en"`
	Body    string `json:"body"`
	Version int64  `json:"version,omitempty"`
}

// SnippetLangs are the languages snippets are written in.
var SnippetLangs = []string{"nb", "sv", "en"}

// Placeholders a snippet may use; Render fills them from the case.
var Placeholders = []string{"library", "contact", "product", "vendor", "case", "subject", "staff"}

var placeholder = regexp.MustCompile(`\{([a-z]+)\}`)

// Render fills a snippet's placeholders. A placeholder the case has no
// value for is left as it is, so the writer sees what is missing.
func Render(body string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(body, func(m string) string {
		if v := values[m[1:len(m)-1]]; v != "" {
			return v
		}
		return m
	})
}

func checkSnippet(in SnippetInput) (SnippetInput, error) {
	var ps problems
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if in.Title == "" {
		ps.Addf("title", "cases.snippet.title_required", "", nil)
	}
	if in.Body == "" {
		ps.Addf("body", "cases.snippet.body_required", "", nil)
	}
	if !contains(SnippetLangs, in.Lang) {
		ps.Addf("lang", "cases.snippet.lang_invalid", in.Lang, nil)
	}
	for _, m := range placeholder.FindAllStringSubmatch(in.Body, -1) {
		if !contains(Placeholders, m[1]) {
			ps.Addf("body", "cases.snippet.placeholder_unknown", m[0], map[string]any{"Known": "{" + strings.Join(Placeholders, "}, {") + "}"})
		}
	}
	if len(ps) > 0 {
		return in, &ValidationError{Problems: ps}
	}
	return in, nil
}

// SaveSnippet creates a snippet (id 0) or changes one.
func (s *Service) SaveSnippet(ctx context.Context, by auth.Actor, id int64, in SnippetInput) (*Snippet, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	in, err := checkSnippet(in)
	if err != nil {
		return nil, err
	}
	out := &Snippet{}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		before := map[string]any{}
		if id == 0 {
			out = &Snippet{Title: in.Title, Lang: in.Lang, Body: in.Body, CreatedBy: &by.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
			if _, err := tx.NewInsert().Model(out).Exec(ctx); err != nil {
				return fmt.Errorf("create snippet: %w", err)
			}
		} else {
			if err := tx.NewSelect().Model(out).Where("id = ?", id).Scan(ctx); err != nil {
				if isNoRows(err) {
					return ErrNotFound
				}
				return fmt.Errorf("snippet %d: %w", id, err)
			}
			if in.Version != 0 && in.Version != out.Version {
				return ErrConflict
			}
			before = map[string]any{"title": out.Title, "lang": out.Lang, "body": out.Body}
			out.Title, out.Lang, out.Body, out.UpdatedAt, out.Version = in.Title, in.Lang, in.Body, now, out.Version+1
			if _, err := tx.NewUpdate().Model(out).Column("title", "lang", "body", "updated_at", "version").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("update snippet %d: %w", id, err)
			}
		}
		after := map[string]any{"title": out.Title, "lang": out.Lang, "body": out.Body}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case_snippet", EntityID: out.ID, Action: map[bool]string{true: "created", false: "updated"}[id == 0],
			Changes: audit.Diff([]string{"title", "lang", "body"}, before, after)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSnippet removes a snippet.
func (s *Service) DeleteSnippet(ctx context.Context, by auth.Actor, id int64) error {
	if err := mayWork(by); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var sn Snippet
		if err := tx.NewSelect().Model(&sn).Where("id = ?", id).Scan(ctx); err != nil {
			if isNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("snippet %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model(&sn).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("delete snippet %d: %w", id, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case_snippet", EntityID: id, Action: "deleted",
			Changes: []audit.Change{{Field: "title", Before: sn.Title}}})
	})
}

// Snippets lists snippets whose title or text contains q (any case), in
// lang when given; titles in alphabetical order.
func (s *Service) Snippets(ctx context.Context, by auth.Actor, q, lang string) ([]Snippet, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	var out []Snippet
	sel := s.DB.NewSelect().Model(&out)
	if lang != "" {
		sel = sel.Where("lang = ?", lang)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("snippets: %w", err)
	}
	// Filtered here, not in SQL: LIKE is case-sensitive on PostgreSQL and
	// ASCII-only case-insensitive on SQLite, and "Å" must find "å" on both.
	words := strings.Fields(strings.ToLower(q))
	kept := out[:0]
	for _, sn := range out {
		hay := strings.ToLower(sn.Title + "\n" + sn.Body)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(hay, w)
		}
		if ok {
			kept = append(kept, sn)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return strings.ToLower(kept[i].Title) < strings.ToLower(kept[j].Title) })
	return kept, nil
}

// Snippet returns one snippet.
func (s *Service) Snippet(ctx context.Context, by auth.Actor, id int64) (*Snippet, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	sn := new(Snippet)
	if err := s.DB.NewSelect().Model(sn).Where("id = ?", id).Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("snippet %d: %w", id, err)
	}
	return sn, nil
}

// SnippetFor renders a snippet for a case: library, the library's contact
// on the case (or the primary contact), product, vendor, case number,
// subject and the staff member writing.
func (s *Service) SnippetFor(ctx context.Context, by auth.Actor, caseID, snippetID int64) (string, error) {
	sn, err := s.Snippet(ctx, by, snippetID)
	if err != nil {
		return "", err
	}
	c, err := caseByID(ctx, s.DB, caseID)
	if err != nil {
		return "", err
	}
	v := map[string]string{"case": "#" + strconv.FormatInt(c.ID, 10), "subject": c.Subject, "staff": by.Name}
	name := func(table string, id *int64) (string, error) {
		if id == nil {
			return "", nil
		}
		var n string
		err := s.DB.NewSelect().Table(table).Column("name").Where("id = ?", *id).Scan(ctx, &n)
		if err != nil && !isNoRows(err) {
			return "", fmt.Errorf("name from %s: %w", table, err)
		}
		return n, nil
	}
	if v["library"], err = name("libraries", c.LibraryID); err != nil {
		return "", err
	}
	if v["product"], err = name("products", c.ProductID); err != nil {
		return "", err
	}
	if v["vendor"], err = name("vendors", c.VendorID); err != nil {
		return "", err
	}
	var contact string
	err = s.DB.NewSelect().Table("case_participants").Column("name").Where("case_id = ?", caseID).
		Where("kind = ?", PartLibrary).Where("name <> ''").OrderExpr("id").Limit(1).Scan(ctx, &contact)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("contact on case %d: %w", caseID, err)
	}
	v["contact"] = contact
	return Render(sn.Body, v), nil
}
