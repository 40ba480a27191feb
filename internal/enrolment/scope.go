package enrolment

import (
	"context"
	"fmt"
)

// VendorSubscribers lists the libraries with a current or coming
// subscription to one of the vendor's products: what its contacts may see
// (auth.VendorScope).
func (s *Service) VendorSubscribers(ctx context.Context, vendorID int64) ([]int64, error) {
	var ids []int64
	err := s.DB.NewSelect().TableExpr("subscriptions AS s").ColumnExpr("DISTINCT s.library_id").
		Join("JOIN products AS p ON p.id = s.product_id").
		Where("p.vendor_id = ? AND s.ends_on >= ?", vendorID, string(today(s.now()))).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("subscribers of vendor %d: %w", vendorID, err)
	}
	return ids, nil
}
