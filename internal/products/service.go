package products

import (
	"time"

	"github.com/samla-org/samla/internal/db"
)

// Service applies the rules for vendors and products. Every change is
// checked against the actor's role and written with its audit record in one
// transaction.
//
// Methods that take an auth.Actor decide what that actor may see or change.
// The few that take none (ProductByID, VendorByID, CurrentLicence,
// LicenceVersionByID, Text, Catalogue, CatalogueProduct) are for other
// domain services and for the public catalogue: they return only what the
// caller asks for and leave access to the caller.
type Service struct {
	DB *db.DB
	// Now is the clock; tests set it. Nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
