package usage

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/uptrace/bun"
)

// CostUse is what one library paid for a product in a year and how much it
// used it.
type CostUse struct {
	LibraryID   int64  `json:"library_id"`
	LibraryName string `json:"library_name"`
	Currency    string `json:"currency"`
	CostMinor   int64  `json:"cost_minor"` // net of credit notes, without VAT
	Uses        int64  `json:"uses"`
	Report      string `json:"report"` // where Uses came from: TR, DR or PR
	// PerUseMinor is CostMinor / Uses rounded half away from zero; nil when
	// there was no use to divide by.
	PerUseMinor *int64 `json:"per_use_minor,omitempty"`
	Subscribed  bool   `json:"subscribed"`
}

// usesFrom is the order reports are asked for a product's use: the title
// report when the vendor gives one, then the database, then the platform.
var usesFrom = []string{"TR", "DR", "PR"}

// CostPerUse divides what each library was invoiced for the product in
// year (approved invoices and credit notes, net) by its use of the
// product's platforms that year (metric, default Total_Item_Requests).
// Libraries that paid and did not use, and used without paying, are both
// listed.
func (s *Service) CostPerUse(ctx context.Context, by auth.Actor, productID int64, year int, metricName string) ([]CostUse, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	if metricName == "" {
		metricName = "Total_Item_Requests"
	}
	y := strconv.Itoa(year)
	var costs []struct {
		LibraryID int64  `bun:"library_id"`
		Name      string `bun:"name"`
		Currency  string `bun:"currency"`
		Minor     int64  `bun:"minor"`
	}
	err := s.DB.NewSelect().TableExpr("invoice_lines AS il").
		ColumnExpr("il.library_id, l.name, i.currency, SUM(il.amount_minor) AS minor").
		Join("JOIN invoices AS i ON i.id = il.invoice_id").
		Join("JOIN libraries AS l ON l.id = il.library_id").
		Where("il.product_id = ?", productID).Where("i.status = 'approved'").
		Where("i.issue_date >= ? AND i.issue_date <= ?", y+"-01-01", y+"-12-31").
		GroupExpr("il.library_id, l.name, i.currency").Scan(ctx, &costs)
	if err != nil {
		return nil, fmt.Errorf("costs of product %d: %w", productID, err)
	}
	var uses []struct {
		LibraryID int64  `bun:"library_id"`
		Name      string `bun:"name"`
		Report    string `bun:"report_id"`
		Count     int64  `bun:"c"`
	}
	err = s.DB.NewSelect().TableExpr("usage_batches AS b").
		ColumnExpr("b.library_id, l.name, b.report_id, COALESCE(SUM(t.count), 0) AS c").
		Join("JOIN usage_platforms AS p ON p.id = b.platform_id").
		Join("JOIN libraries AS l ON l.id = b.library_id").
		Join("LEFT JOIN usage_totals AS t ON t.batch_id = b.id AND t.metric_id = (SELECT id FROM usage_metrics WHERE name = ?)", metricName).
		Where("p.product_id = ?", productID).Where("b.report_id IN (?)", bun.In(usesFrom)).
		Where("b.month >= ? AND b.month <= ?", y+"-01", y+"-12").
		GroupExpr("b.library_id, l.name, b.report_id").Scan(ctx, &uses)
	if err != nil {
		return nil, fmt.Errorf("use of product %d: %w", productID, err)
	}
	var subscribed []int64
	err = s.DB.NewSelect().Table("subscriptions").ColumnExpr("DISTINCT library_id").Where("product_id = ?", productID).
		Where("starts_on <= ? AND ends_on >= ?", y+"-12-31", y+"-01-01").Scan(ctx, &subscribed)
	if err != nil {
		return nil, fmt.Errorf("subscribers of product %d: %w", productID, err)
	}
	byLib := map[int64]*CostUse{}
	get := func(id int64, name string) *CostUse {
		if c, ok := byLib[id]; ok {
			return c
		}
		c := &CostUse{LibraryID: id, LibraryName: name}
		byLib[id] = c
		return c
	}
	for _, c := range costs {
		cu := get(c.LibraryID, c.Name)
		cu.Currency, cu.CostMinor = c.Currency, cu.CostMinor+c.Minor
	}
	// Per library, the first report in usesFrom that has data: the same
	// use is counted in TR, DR and PR, and must be counted once.
	rank := map[string]int{}
	for i, r := range usesFrom {
		rank[r] = i
	}
	for _, u := range uses {
		cu := get(u.LibraryID, u.Name)
		if cu.Report == "" || rank[u.Report] < rank[cu.Report] {
			cu.Report, cu.Uses = u.Report, u.Count
		}
	}
	for _, id := range subscribed {
		if cu, ok := byLib[id]; ok {
			cu.Subscribed = true
		} else {
			var name string
			_ = s.DB.NewSelect().Table("libraries").Column("name").Where("id = ?", id).Scan(ctx, &name)
			byLib[id] = &CostUse{LibraryID: id, LibraryName: name, Subscribed: true}
		}
	}
	out := make([]CostUse, 0, len(byLib))
	for _, cu := range byLib {
		if cu.Uses > 0 && cu.CostMinor != 0 {
			v := divRound(cu.CostMinor, cu.Uses)
			cu.PerUseMinor = &v
		}
		out = append(out, *cu)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LibraryName < out[j].LibraryName })
	return out, nil
}

// divRound divides half away from zero, like package money.
func divRound(a, b int64) int64 {
	q, r := a/b, a%b
	if 2*abs(r) >= abs(b) {
		if (a < 0) != (b < 0) {
			q--
		} else {
			q++
		}
	}
	return q
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// MapPlatform ties a platform to a product (0 unties it), for cost per use
// and usage per product.
func (s *Service) MapPlatform(ctx context.Context, by auth.Actor, platformID, productID int64) error {
	if !by.IsConsortium() {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var p Platform
		if err := tx.NewSelect().Model(&p).Where("id = ?", platformID).Scan(ctx); err != nil {
			return ErrNotFound
		}
		var prod *int64
		if productID > 0 {
			if ok, err := tx.NewSelect().Table("products").Where("id = ?", productID).Exists(ctx); err != nil || !ok {
				return &ValidationError{Problems: problemsOf("product_id", "usage.platform.product_unknown", strconv.FormatInt(productID, 10))}
			}
			prod = &productID
		}
		if _, err := tx.NewUpdate().Model((*Platform)(nil)).Set("product_id = ?", prod).Where("id = ?", platformID).Exec(ctx); err != nil {
			return fmt.Errorf("map platform %d: %w", platformID, err)
		}
		before := int64(0)
		if p.ProductID != nil {
			before = *p.ProductID
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "usage_platform", EntityID: platformID, Action: "mapped",
			Changes: []audit.Change{{Field: "product_id", Before: before, After: productID}}})
	})
}

// Gap is a library and product where subscription and use disagree.
type Gap struct {
	LibraryID   int64  `bun:"library_id" json:"library_id"`
	LibraryName string `bun:"library_name" json:"library_name"`
	ProductID   int64  `bun:"product_id" json:"product_id"`
	ProductName string `bun:"product_name" json:"product_name"`
	Subscribed  bool   `bun:"subscribed" json:"subscribed"`
	Uses        int64  `bun:"uses" json:"uses"`
}

// Gaps lists, for year, the libraries that subscribe to a product and
// never used it, and those that used a product's platform without a
// subscription (when the vendor reports such use).
func (s *Service) Gaps(ctx context.Context, by auth.Actor, year int) ([]Gap, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	y := strconv.Itoa(year)
	var subs []Gap
	if err := s.DB.NewSelect().TableExpr("subscriptions AS s").
		ColumnExpr("DISTINCT s.library_id, l.name AS library_name, s.product_id, p.name AS product_name").
		Join("JOIN libraries AS l ON l.id = s.library_id").Join("JOIN products AS p ON p.id = s.product_id").
		Where("s.starts_on <= ? AND s.ends_on >= ?", y+"-12-31", y+"-01-01").Scan(ctx, &subs); err != nil {
		return nil, fmt.Errorf("subscriptions in %s: %w", y, err)
	}
	var used []Gap
	if err := s.DB.NewSelect().TableExpr("usage_batches AS b").
		ColumnExpr("b.library_id, l.name AS library_name, p.product_id, pr.name AS product_name, COALESCE(SUM(t.count), 0) AS uses").
		Join("JOIN usage_platforms AS p ON p.id = b.platform_id").Join("JOIN products AS pr ON pr.id = p.product_id").
		Join("JOIN libraries AS l ON l.id = b.library_id").
		Join("LEFT JOIN usage_totals AS t ON t.batch_id = b.id AND t.metric_id = (SELECT id FROM usage_metrics WHERE name = 'Total_Item_Requests')").
		Where("b.report_id = 'PR'").Where("b.month >= ? AND b.month <= ?", y+"-01", y+"-12").
		GroupExpr("b.library_id, l.name, p.product_id, pr.name").Scan(ctx, &used); err != nil {
		return nil, fmt.Errorf("use in %s: %w", y, err)
	}
	type key struct{ lib, prod int64 }
	uses := map[key]Gap{}
	for _, u := range used {
		uses[key{u.LibraryID, u.ProductID}] = u
	}
	var out []Gap
	seen := map[key]bool{}
	for _, sub := range subs {
		k := key{sub.LibraryID, sub.ProductID}
		seen[k] = true
		if uses[k].Uses == 0 {
			sub.Subscribed = true
			out = append(out, sub)
		}
	}
	for k, u := range uses {
		if !seen[k] && u.Uses > 0 {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ProductName != out[j].ProductName {
			return out[i].ProductName < out[j].ProductName
		}
		return out[i].LibraryName < out[j].LibraryName
	})
	return out, nil
}

// BibStatRow is one library's e-resource use in a year, in the terms of
// the national library statistics (BibStat): searches, and downloads and
// views. COUNTER R5 has no sessions; BibStat's session field is left to
// the library (see docs/usage.md).
type BibStatRow struct {
	LibraryID int64  `json:"library_id"`
	Name      string `json:"name"`
	ISIL      string `json:"isil"`
	// Searches is Searches_Platform from the platform reports.
	Searches int64 `json:"searches"`
	// Requests is Total_Item_Requests (full-text downloads and views).
	Requests int64 `json:"requests"`
	// Investigations is Total_Item_Investigations (any look at an item).
	Investigations int64 `json:"investigations"`
}

// BibStat sums a year's platform reports per library for the national
// statistics.
func (s *Service) BibStat(ctx context.Context, by auth.Actor, year int) ([]BibStatRow, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	y := strconv.Itoa(year)
	var rows []struct {
		LibraryID int64  `bun:"library_id"`
		Name      string `bun:"name"`
		ISIL      string `bun:"isil"`
		Metric    string `bun:"metric"`
		Count     int64  `bun:"c"`
	}
	if err := s.DB.NewSelect().TableExpr("usage_batches AS b").
		ColumnExpr("b.library_id, l.name, COALESCE(l.isil, '') AS isil, m.name AS metric, SUM(t.count) AS c").
		Join("JOIN libraries AS l ON l.id = b.library_id").
		Join("JOIN usage_totals AS t ON t.batch_id = b.id").Join("JOIN usage_metrics AS m ON m.id = t.metric_id").
		Where("b.report_id = 'PR'").Where("b.month >= ? AND b.month <= ?", y+"-01", y+"-12").
		Where("m.name IN (?)", bun.In([]string{"Searches_Platform", "Total_Item_Requests", "Total_Item_Investigations"})).
		GroupExpr("b.library_id, l.name, l.isil, m.name").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("BibStat %s: %w", y, err)
	}
	at := map[int64]int{}
	var out []BibStatRow
	for _, r := range rows {
		i, ok := at[r.LibraryID]
		if !ok {
			i = len(out)
			at[r.LibraryID] = i
			out = append(out, BibStatRow{LibraryID: r.LibraryID, Name: r.Name, ISIL: r.ISIL})
		}
		switch r.Metric {
		case "Searches_Platform":
			out[i].Searches = r.Count
		case "Total_Item_Requests":
			out[i].Requests = r.Count
		case "Total_Item_Investigations":
			out[i].Investigations = r.Count
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
