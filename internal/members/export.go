package members

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/tabular"
)

// ExportRows returns the header and one row per library the actor may see,
// in the same columns Import reads, so an export can be edited and imported.
func (s *Service) ExportRows(ctx context.Context, by auth.Actor, f Filter) ([]string, [][]string, error) {
	items, _, err := s.List(ctx, by, f)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(items))
	isilByID := map[int64]string{}
	for i, it := range items {
		ids[i] = it.ID
		isilByID[it.ID] = it.ISILString()
	}
	primary := map[int64]*Contact{}
	ranges := map[int64][]string{}
	if len(ids) > 0 {
		var links []LibraryContact
		if err := s.DB.NewSelect().Model(&links).Relation("Contact").Where("lc.library_id IN (?) AND lc.role = 'primary'", bun.In(ids)).Scan(ctx); err != nil {
			return nil, nil, fmt.Errorf("export contacts: %w", err)
		}
		for _, lc := range links {
			primary[lc.LibraryID] = lc.Contact
		}
		var rs []IPRange
		if err := s.DB.NewSelect().Model(&rs).Where("library_id IN (?)", bun.In(ids)).OrderExpr("library_id, start_key").Scan(ctx); err != nil {
			return nil, nil, fmt.Errorf("export ip ranges: %w", err)
		}
		for _, r := range rs {
			ranges[r.LibraryID] = append(ranges[r.LibraryID], r.RangeText)
		}
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		l := it.Library
		parent := ""
		if l.ParentID != nil {
			// The parent's ISIL survives a move between installations; its id does not.
			if isil := isilByID[*l.ParentID]; isil != "" {
				parent = isil
			} else {
				parent = strconv.FormatInt(*l.ParentID, 10)
			}
		}
		c := primary[l.ID]
		if c == nil {
			c = &Contact{}
		}
		rows = append(rows, []string{
			strconv.FormatInt(l.ID, 10), l.Name, l.Type, l.Country, l.CountyNumber, l.MunicipalityNumber, parent,
			l.OrgNumber, l.ISILString(), fmtFloat(l.Latitude), fmtFloat(l.Longitude), fmtInt(l.Population),
			fmtInt(l.Students), fmtInt(l.FTE), l.Website, l.Notes, l.InvoiceParty, l.InvoiceOrgNumber,
			l.InvoiceAddress, l.EInvoiceEndpoint, c.Name, c.Email, c.Phone, strings.Join(ranges[l.ID], "\n"),
		})
	}
	return Columns, rows, nil
}

// Export writes the registry as "csv" or "xlsx".
func (s *Service) Export(ctx context.Context, by auth.Actor, f Filter, format string, w io.Writer) error {
	header, rows, err := s.ExportRows(ctx, by, f)
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		return tabular.WriteCSV(w, header, rows)
	case "xlsx":
		return tabular.WriteXLSX(w, "members", header, rows)
	}
	return fmt.Errorf("export format %q: want csv or xlsx", format)
}

func fmtFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func fmtInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}
