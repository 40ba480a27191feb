// Package auth knows who someone is and what their role lets them reach. It
// has no HTTP in it: the web and API layers resolve a request to an Actor and
// the domain services ask the Actor.
package auth

// Role is what a user is to the consortium.
type Role string

const (
	RoleAdmin         Role = "admin"          // consortium admin: everything, including locked fields
	RoleStaff         Role = "staff"          // consortium staff: the registry, but not locked fields or users
	RoleCountyContact Role = "county_contact" // acts for the libraries of one county
	RoleLibrary       Role = "library"        // acts for its own library (or libraries)
	RoleVendor        Role = "vendor"         // vendor contact: sees nothing of the registry yet
)

// Roles in the order the UI lists them.
var Roles = []Role{RoleAdmin, RoleStaff, RoleCountyContact, RoleLibrary, RoleVendor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Actor is the person behind a request, as the domain sees them.
type Actor struct {
	UserID       int64
	Name         string
	Email        string
	Role         Role
	Country      string  // county contact: the county's country
	CountyNumber string  // county contact: the county's number
	LibraryIDs   []int64 // library contact: the libraries they act for; vendor: its subscribers
	VendorID     int64   // vendor contact: the vendor they work for
}

// System is the actor for changes made by Samla itself (demo data, migrations).
var System = Actor{Name: "samla", Role: RoleAdmin}

// IsConsortium reports whether the actor works for the consortium.
func (a Actor) IsConsortium() bool { return a.Role == RoleAdmin || a.Role == RoleStaff }

// CanChangeLocked reports whether the actor may change locked fields (FTE,
// population, students): they drive prices, so only admins may touch them.
func (a Actor) CanChangeLocked() bool { return a.Role == RoleAdmin }

// CanManageUsers reports whether the actor may create users and roles.
func (a Actor) CanManageUsers() bool { return a.Role == RoleAdmin }

// CanCreateLibraries reports whether the actor may add members or import.
func (a Actor) CanCreateLibraries() bool { return a.IsConsortium() }

// Sees reports whether the actor may read a library: everyone who may change
// it, and a vendor contact the libraries that subscribe to its products.
func (a Actor) Sees(libraryID int64, country, countyNumber string) bool {
	if a.Role == RoleVendor {
		return a.VendorID != 0 && containsID(a.LibraryIDs, libraryID)
	}
	return a.ActsFor(libraryID, country, countyNumber)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// ActsFor reports whether the actor may see and change a library in the given
// county with the given id.
func (a Actor) ActsFor(libraryID int64, country, countyNumber string) bool {
	switch a.Role {
	case RoleAdmin, RoleStaff:
		return true
	case RoleCountyContact:
		return a.CountyNumber != "" && a.Country == country && a.CountyNumber == countyNumber
	case RoleLibrary:
		return containsID(a.LibraryIDs, libraryID)
	}
	return false
}
