package cases

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
)

// Filter selects cases. Its query string (Values/FilterFrom) is what a
// saved view stores, so a view is a bookmark of the list page.
type Filter struct {
	State     string // a state; "" or "active" means every state but solved and closed; "all" means all
	Tag       string
	LibraryID int64
	County    string // "NO-46": country and county number
	ProductID int64
	VendorID  int64
	Owner     string // "me", "none" or a user id
	OlderThan int    // days since the case was opened
	Q         string // full text over subjects and messages
}

// FilterFrom reads a filter from a query string; unknown or malformed
// values are ignored, so an old bookmark still opens.
func FilterFrom(v url.Values) Filter {
	num := func(k string) int64 { n, _ := strconv.ParseInt(strings.TrimSpace(v.Get(k)), 10, 64); return n }
	f := Filter{State: v.Get("state"), Tag: strings.TrimSpace(v.Get("tag")), LibraryID: num("library"), County: strings.TrimSpace(v.Get("county")),
		ProductID: num("product"), VendorID: num("vendor"), Owner: strings.TrimSpace(v.Get("owner")), OlderThan: int(num("older")),
		Q: strings.TrimSpace(v.Get("q"))}
	if f.State != "" && f.State != "all" && f.State != "active" && !contains(States, f.State) {
		f.State = ""
	}
	return f
}

// Values is the filter as a query string, without empty fields.
func (f Filter) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	num := func(k string, n int64) {
		if n > 0 {
			v.Set(k, strconv.FormatInt(n, 10))
		}
	}
	set("state", f.State)
	set("tag", f.Tag)
	num("library", f.LibraryID)
	set("county", f.County)
	num("product", f.ProductID)
	num("vendor", f.VendorID)
	set("owner", f.Owner)
	num("older", int64(f.OlderThan))
	set("q", f.Q)
	return v
}

// Item is one row of the case list.
type Item struct {
	Case
	LibraryName string   `bun:"library_name" json:"library_name,omitempty"`
	ProductName string   `bun:"product_name" json:"product_name,omitempty"`
	VendorName  string   `bun:"vendor_name" json:"vendor_name,omitempty"`
	OwnerName   string   `bun:"owner_name" json:"owner_name,omitempty"`
	Tags        []string `bun:"-" json:"tags"`
}

// ListLimit caps one page of the list.
const ListLimit = 500

// List returns the cases matching f, the most recently active first.
func (s *Service) List(ctx context.Context, by auth.Actor, f Filter) ([]Item, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	var items []Item
	q := s.DB.NewSelect().TableExpr("cases AS c").
		ColumnExpr("c.*").
		ColumnExpr("l.name AS library_name, p.name AS product_name, v.name AS vendor_name, u.name AS owner_name").
		Join("LEFT JOIN libraries AS l ON l.id = c.library_id").
		Join("LEFT JOIN products AS p ON p.id = c.product_id").
		Join("LEFT JOIN vendors AS v ON v.id = c.vendor_id").
		Join("LEFT JOIN users AS u ON u.id = c.owner_id")
	q, err := s.where(q, by, f)
	if err != nil {
		return nil, err
	}
	if err := q.OrderExpr("c.last_message_at DESC, c.id DESC").Limit(ListLimit).Scan(ctx, &items); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	if len(items) == 0 {
		return items, nil
	}
	ids := make([]int64, len(items))
	at := map[int64]int{}
	for i, it := range items {
		ids[i] = it.ID
		at[it.ID] = i
	}
	var tags []struct {
		CaseID int64  `bun:"case_id"`
		Tag    string `bun:"tag"`
	}
	if err := s.DB.NewSelect().Table("case_tags").Column("case_id", "tag").Where("case_id IN (?)", bun.In(ids)).OrderExpr("tag").Scan(ctx, &tags); err != nil {
		return nil, fmt.Errorf("tags of cases: %w", err)
	}
	for _, t := range tags {
		items[at[t.CaseID]].Tags = append(items[at[t.CaseID]].Tags, t.Tag)
	}
	return items, nil
}

func (s *Service) where(q *bun.SelectQuery, by auth.Actor, f Filter) (*bun.SelectQuery, error) {
	switch f.State {
	case "all":
	case "", "active":
		q = q.Where("c.state NOT IN (?)", bun.In([]string{StateSolved, StateClosed}))
	default:
		q = q.Where("c.state = ?", f.State)
	}
	if f.Tag != "" {
		q = q.Where("EXISTS (SELECT 1 FROM case_tags AS t WHERE t.case_id = c.id AND t.tag = ?)", strings.ToLower(f.Tag))
	}
	if f.LibraryID > 0 {
		q = q.Where("c.library_id = ?", f.LibraryID)
	}
	if country, county, ok := strings.Cut(f.County, "-"); ok {
		q = q.Where("c.library_id IN (SELECT id FROM libraries WHERE country = ? AND county_number = ?)", country, county)
	}
	if f.ProductID > 0 {
		q = q.Where("c.product_id = ?", f.ProductID)
	}
	if f.VendorID > 0 {
		q = q.Where("c.vendor_id = ?", f.VendorID)
	}
	switch f.Owner {
	case "":
	case "me":
		q = q.Where("c.owner_id = ?", by.UserID)
	case "none":
		q = q.Where("c.owner_id IS NULL")
	default:
		if n, err := strconv.ParseInt(f.Owner, 10, 64); err == nil {
			q = q.Where("c.owner_id = ?", n)
		}
	}
	if f.OlderThan > 0 {
		q = q.Where("c.created_at < ?", s.now().Add(-time.Duration(f.OlderThan)*24*time.Hour))
	}
	if f.Q != "" {
		words := searchWords(f.Q)
		if len(words) == 0 {
			return q.Where("1 = 0"), nil
		}
		if s.DB.Engine == db.Postgres {
			for i := range words {
				words[i] += ":*"
			}
			q = q.Where("c.id IN (SELECT case_id FROM case_search WHERE doc @@ to_tsquery('simple', ?))", strings.Join(words, " & "))
		} else {
			for i := range words {
				words[i] = `"` + words[i] + `"*`
			}
			q = q.Where("c.id IN (SELECT case_id FROM case_search WHERE case_search MATCH ?)", strings.Join(words, " "))
		}
	}
	return q, nil
}

// searchWords splits a search into words of letters and digits only, so
// nothing a user types can be read as query syntax by either engine.
func searchWords(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(out) < 12 {
			out = append(out, w)
		}
	}
	return out
}

func parseQuery(q string) url.Values {
	v, _ := url.ParseQuery(q) // written by Values; a damaged one is an empty filter
	return v
}
