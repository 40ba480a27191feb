package products

import "github.com/samla-org/samla/internal/db"

// Service applies the rules for vendors and products.
type Service struct {
	DB *db.DB
}
