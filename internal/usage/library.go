package usage

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/samla-org/samla/internal/usage/counter"
	"github.com/samla-org/samla/internal/validate"
)

func problemsOf(field, code, value string) []*validate.Problem {
	return []*validate.Problem{{Field: field, Code: code, Value: value}}
}

// libraryFor finds whose report this is: an ISIL among the report's
// Institution_IDs that a library in the registry has, or the Customer_ID
// that a library's SUSHI credentials use. Only an unambiguous answer counts.
func (s *Service) libraryFor(ctx context.Context, data []byte, name string) (int64, error) {
	rep, err := counter.Read(bytes.NewReader(data), name, func(counter.Item, []counter.Count) error { return nil })
	if err != nil {
		return 0, err
	}
	h := rep.Header
	for _, id := range h.InstitutionIDs {
		typ, val, ok := strings.Cut(id, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(typ), "ISIL") {
			continue
		}
		var ids []int64
		if err := s.DB.NewSelect().Table("libraries").Column("id").Where("upper(isil) = ?", strings.ToUpper(strings.TrimSpace(val))).
			Scan(ctx, &ids); err != nil {
			return 0, fmt.Errorf("library by ISIL: %w", err)
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	if c := strings.TrimSpace(h.CustomerID); c != "" {
		var ids []int64
		if err := s.DB.NewSelect().Table("usage_sushi_credentials").ColumnExpr("DISTINCT library_id").Where("customer_id = ?", c).
			Scan(ctx, &ids); err != nil {
			return 0, fmt.Errorf("library by customer id: %w", err)
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	return 0, &ValidationError{Problems: problemsOf("library_id", "usage.import.library_not_found",
		strings.TrimSpace(h.InstitutionName+" "+strings.Join(h.InstitutionIDs, " ")+" "+h.CustomerID))}
}
