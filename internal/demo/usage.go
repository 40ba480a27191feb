package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/server"
	"github.com/samla-org/samla/internal/usage"
)

// demoPlatforms are the demo products' platforms as their COUNTER reports
// name them, with a typical monthly use per library and the data type.
var demoPlatforms = []struct {
	platform, product, dataType string
	base                        int
}{
	{"Nordavis", "Avisleser Norden", "Newspaper_or_Newsletter", 900},
	{"Juridika", "Lovbasen Pro", "Database_Full", 260},
	{"Lärelys", "Lesetrening Plus", "Other", 140},
}

// seedUsage imports a year of platform reports (COUNTER R5.1, the shape a
// SUSHI server answers with) for the demo's libraries, through the same
// import as real files, and ties each platform to its product.
func seedUsage(ctx context.Context, s *server.Services, now time.Time) error {
	var libs []struct {
		ID   int64  `bun:"id"`
		Name string `bun:"name"`
	}
	if err := s.DB.NewSelect().Table("libraries").Column("id", "name").Where("type = 'public'").OrderExpr("id").Limit(int64(18)).Scan(ctx, &libs); err != nil {
		return fmt.Errorf("demo usage: libraries: %w", err)
	}
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	first := last.AddDate(0, -11, 0)
	rng := rand.New(rand.NewPCG(5, 7))
	for li, l := range libs {
		var items []any
		for pi, p := range demoPlatforms {
			if (li+pi)%4 == 3 { // not every library uses every platform
				continue
			}
			req, inv, srch := map[string]int{}, map[string]int{}, map[string]int{}
			size := 0.5 + float64((li*7)%10)/6
			for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
				season := 1.0
				if m.Month() == time.July {
					season = 0.45 // the summer dip every library knows
				}
				n := int(float64(p.base)*size*season) + rng.IntN(p.base/3+1)
				k := m.Format("2006-01")
				req[k], inv[k], srch[k] = n, n+n/2+rng.IntN(50), n*2/3+rng.IntN(40)
			}
			items = append(items, map[string]any{"Platform": p.platform, "Attribute_Performance": []any{map[string]any{
				"Data_Type": p.dataType, "Access_Method": "Regular",
				"Performance": map[string]any{"Total_Item_Requests": req, "Total_Item_Investigations": inv, "Searches_Platform": srch}}}})
		}
		report := map[string]any{
			"Report_Header": map[string]any{"Release": "5.1", "Report_ID": "PR", "Report_Name": "Platform Report",
				"Created": now.UTC().Format(time.RFC3339), "Created_By": "Samla demo", "Institution_Name": l.Name,
				"Report_Filters": map[string]any{"Begin_Date": first.Format("2006-01-02"), "End_Date": last.AddDate(0, 1, -1).Format("2006-01-02")}},
			"Report_Items": items,
		}
		data, err := json.Marshal(report)
		if err != nil {
			return err
		}
		if _, err := s.Usage.Import(ctx, auth.System, usage.ImportInput{LibraryID: l.ID, FileName: fmt.Sprintf("demo-pr-%d.json", l.ID), Kind: "upload", Keep: data},
			bytes.NewReader(data)); err != nil {
			return fmt.Errorf("demo usage for %s: %w", l.Name, err)
		}
	}
	platforms, err := s.Usage.Platforms(ctx, auth.System)
	if err != nil {
		return err
	}
	for _, pl := range platforms {
		for _, p := range demoPlatforms {
			if pl.Name != p.platform {
				continue
			}
			var productID int64
			if err := s.DB.NewSelect().Table("products").Column("id").Where("name = ?", p.product).Scan(ctx, &productID); err != nil {
				return fmt.Errorf("demo product %s: %w", p.product, err)
			}
			if err := s.Usage.MapPlatform(ctx, auth.System, pl.ID, productID); err != nil {
				return err
			}
		}
	}
	return nil
}
