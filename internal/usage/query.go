package usage

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
)

// Query selects usage. Months are "YYYY-MM", both ends included.
type Query struct {
	From, To   string
	Report     string // master report or view, e.g. "TR"; empty means PR, the platform totals
	Metric     string // empty means Total_Item_Requests
	LibraryID  int64
	County     string // "NO-46"
	ProductID  int64
	PlatformID int64
}

func (q Query) report() string {
	if q.Report == "" {
		return "PR"
	}
	return strings.ToUpper(q.Report)
}

func (q Query) metric() string {
	if q.Metric == "" {
		return "Total_Item_Requests"
	}
	return q.Metric
}

// Row is one line of a usage table: a library, county, product, platform
// or month, with a count per month of the query and the total.
type Row struct {
	Key      string           `json:"key"`
	Name     string           `json:"name"`
	PerMonth map[string]int64 `json:"per_month"`
	Total    int64            `json:"total"`
	// NoUsage counts months the vendor reported as having no usage, and
	// NoUsageMonths says which.
	NoUsage       int             `json:"no_usage_months,omitempty"`
	NoUsageMonths map[string]bool `json:"no_usage,omitempty"`
}

// Table is usage grouped one way, month by month.
type Table struct {
	Query  Query    `json:"query"`
	By     string   `json:"by"`
	Months []string `json:"months"`
	Rows   []Row    `json:"rows"`
	Total  Row      `json:"total"`
}

// Groupings a table can have.
var Groupings = []string{"month", "library", "county", "product", "platform"}

// Usage answers "how much, per what, month by month" from the batch totals.
func (s *Service) Usage(ctx context.Context, by auth.Actor, q Query, groupBy string) (*Table, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	months := monthsBetween(q.From+"-01", q.To+"-01")
	if len(months) == 0 {
		return nil, &ValidationError{Problems: problemsOf("from", "usage.query.months", q.From+"…"+q.To)}
	}
	var key, name string
	switch groupBy {
	case "library":
		key, name = "CAST(b.library_id AS TEXT)", "l.name"
	case "county":
		key, name = "l.country || '-' || l.county_number", "l.country || '-' || l.county_number"
	case "product":
		key, name = "COALESCE(CAST(p.product_id AS TEXT), '')", "COALESCE(pr.name, '')"
	case "platform":
		key, name = "CAST(b.platform_id AS TEXT)", "p.name"
	default:
		groupBy = "month"
		key, name = "b.month", "b.month"
	}
	var rows []struct {
		Key     string `bun:"k"`
		Name    string `bun:"n"`
		Month   string `bun:"month"`
		Count   int64  `bun:"c"`
		NoUsage int    `bun:"nu"`
	}
	sel := s.DB.NewSelect().TableExpr("usage_batches AS b").
		ColumnExpr(key+" AS k").ColumnExpr(name+" AS n").ColumnExpr("b.month").
		ColumnExpr("COALESCE(SUM(t.count), 0) AS c").
		ColumnExpr("SUM(CASE WHEN b.status = 'no_usage' THEN 1 ELSE 0 END) AS nu").
		Join("JOIN libraries AS l ON l.id = b.library_id").
		Join("JOIN usage_platforms AS p ON p.id = b.platform_id").
		Join("LEFT JOIN products AS pr ON pr.id = p.product_id").
		Join("LEFT JOIN usage_totals AS t ON t.batch_id = b.id AND t.metric_id = (SELECT id FROM usage_metrics WHERE name = ?)", q.metric()).
		Where("b.report_id = ?", q.report()).Where("b.month >= ?", months[0]).Where("b.month <= ?", months[len(months)-1]).
		GroupExpr(key + ", " + name + ", b.month")
	sel = filter(sel, q)
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("usage by %s: %w", groupBy, err)
	}
	t := &Table{Query: q, By: groupBy, Months: months, Total: Row{Key: "total", PerMonth: map[string]int64{}}}
	at := map[string]int{}
	for _, r := range rows {
		i, ok := at[r.Key]
		if !ok {
			i = len(t.Rows)
			at[r.Key] = i
			t.Rows = append(t.Rows, Row{Key: r.Key, Name: r.Name, PerMonth: map[string]int64{}, NoUsageMonths: map[string]bool{}})
		}
		if r.NoUsage > 0 && r.Count == 0 {
			t.Rows[i].NoUsageMonths[r.Month] = true
		}
		t.Rows[i].PerMonth[r.Month] += r.Count
		t.Rows[i].Total += r.Count
		t.Rows[i].NoUsage += r.NoUsage
		t.Total.PerMonth[r.Month] += r.Count
		t.Total.Total += r.Count
	}
	sort.SliceStable(t.Rows, func(i, j int) bool {
		if groupBy == "month" {
			return t.Rows[i].Key < t.Rows[j].Key
		}
		if t.Rows[i].Total != t.Rows[j].Total {
			return t.Rows[i].Total > t.Rows[j].Total
		}
		return t.Rows[i].Name < t.Rows[j].Name
	})
	return t, nil
}

func filter(sel *bun.SelectQuery, q Query) *bun.SelectQuery {
	if q.LibraryID > 0 {
		sel = sel.Where("b.library_id = ?", q.LibraryID)
	}
	if country, county, ok := strings.Cut(q.County, "-"); ok {
		sel = sel.Where("l.country = ? AND l.county_number = ?", country, county)
	}
	if q.ProductID > 0 {
		sel = sel.Where("p.product_id = ?", q.ProductID)
	}
	if q.PlatformID > 0 {
		sel = sel.Where("b.platform_id = ?", q.PlatformID)
	}
	return sel
}

// TitleUse is one title's usage.
type TitleUse struct {
	ID        int64  `bun:"id" json:"id"`
	Name      string `bun:"name" json:"name"`
	Publisher string `bun:"publisher" json:"publisher,omitempty"`
	Platform  string `bun:"platform" json:"platform"`
	Count     int64  `bun:"c" json:"count"`
}

// TopTitles are the most used titles (TR, or the report asked for) in the
// query's months, most used first.
func (s *Service) TopTitles(ctx context.Context, by auth.Actor, q Query, limit int) ([]TitleUse, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	if q.Report == "" {
		q.Report = "TR"
	}
	if limit <= 0 || limit > 1000 {
		limit = 20
	}
	var out []TitleUse
	sel := s.DB.NewSelect().TableExpr("usage_facts AS f").
		ColumnExpr("ti.id, ti.name, ti.publisher, MIN(p.name) AS platform, SUM(f.count) AS c").
		Join("JOIN usage_batches AS b ON b.id = f.batch_id").
		Join("JOIN usage_titles AS ti ON ti.id = f.title_id").
		Join("JOIN libraries AS l ON l.id = b.library_id").
		Join("JOIN usage_platforms AS p ON p.id = b.platform_id").
		Where("f.metric_id = (SELECT id FROM usage_metrics WHERE name = ?)", q.metric()).
		Where("b.report_id = ?", q.report()).Where("b.month >= ?", q.From).Where("b.month <= ?", q.To).
		GroupExpr("ti.id, ti.name, ti.publisher").OrderExpr("c DESC, ti.name").Limit(int64(limit))
	if err := filter(sel, q).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("top titles: %w", err)
	}
	return out, nil
}

// Metrics lists the metric names stored, for choosers.
func (s *Service) Metrics(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.DB.NewSelect().Model((*metric)(nil)).Column("name").OrderExpr("name").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return out, nil
}

// Platforms lists the platforms with their product mapping.
func (s *Service) Platforms(ctx context.Context, by auth.Actor) ([]Platform, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var out []Platform
	if err := s.DB.NewSelect().Model(&out).OrderExpr("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("platforms: %w", err)
	}
	return out, nil
}
