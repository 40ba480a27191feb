// Package members is the member registry: libraries, their contacts and
// their IP ranges, with the consortium's rules for who may change what.
package members

import (
	"time"

	"github.com/uptrace/bun"
)

// Invoice parties: who receives a library's invoices. Norwegian libraries
// are often billed through their municipality's organisation number.
const (
	InvoiceSelf         = "self"
	InvoiceMunicipality = "municipality"
	InvoiceCounty       = "county"
)

// InvoiceParties in the order forms list them.
var InvoiceParties = []string{InvoiceSelf, InvoiceMunicipality, InvoiceCounty}

// Library is a member library.
type Library struct {
	bun.BaseModel `bun:"table:libraries"`

	ID                 int64     `bun:"id,pk,autoincrement" json:"id"`
	Name               string    `bun:"name" json:"name"`
	Type               string    `bun:"type" json:"type"`
	Country            string    `bun:"country" json:"country"`
	CountyNumber       string    `bun:"county_number" json:"county_number"`
	MunicipalityNumber string    `bun:"municipality_number" json:"municipality_number"`
	ParentID           *int64    `bun:"parent_id" json:"parent_id,omitempty"`
	OrgNumber          string    `bun:"org_number" json:"org_number"`
	ISIL               *string   `bun:"isil" json:"isil,omitempty"`
	Latitude           *float64  `bun:"latitude" json:"latitude,omitempty"`
	Longitude          *float64  `bun:"longitude" json:"longitude,omitempty"`
	Population         *int64    `bun:"population" json:"population,omitempty"`
	Students           *int64    `bun:"students" json:"students,omitempty"`
	FTE                *int64    `bun:"fte" json:"fte,omitempty"`
	Website            string    `bun:"website" json:"website"`
	Notes              string    `bun:"notes" json:"notes"`
	InvoiceParty       string    `bun:"invoice_party" json:"invoice_party"`
	InvoiceOrgNumber   string    `bun:"invoice_org_number" json:"invoice_org_number"`
	InvoiceAddress     string    `bun:"invoice_address" json:"invoice_address"`
	EInvoiceEndpoint   string    `bun:"einvoice_endpoint" json:"einvoice_endpoint"`
	Version            int64     `bun:"version" json:"version"`
	CreatedAt          time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt          time.Time `bun:"updated_at" json:"updated_at"`
}

// ISILString is the ISIL or "".
func (l *Library) ISILString() string {
	if l.ISIL == nil {
		return ""
	}
	return *l.ISIL
}

// LockedFields drive prices, so only a consortium admin may change them.
var LockedFields = []string{"population", "students", "fte"}

// libraryFields is the order fields appear in audit records and exports.
var libraryFields = []string{"name", "type", "country", "county_number", "municipality_number", "parent_id",
	"org_number", "isil", "latitude", "longitude", "population", "students", "fte", "website", "notes",
	"invoice_party", "invoice_org_number", "invoice_address", "einvoice_endpoint"}

// snapshot is the library as the audit log compares it.
func (l *Library) snapshot() map[string]any {
	return map[string]any{
		"name": l.Name, "type": l.Type, "country": l.Country, "county_number": l.CountyNumber,
		"municipality_number": l.MunicipalityNumber, "parent_id": deref(l.ParentID), "org_number": l.OrgNumber,
		"isil": l.ISILString(), "latitude": deref(l.Latitude), "longitude": deref(l.Longitude),
		"population": deref(l.Population), "students": deref(l.Students), "fte": deref(l.FTE),
		"website": l.Website, "notes": l.Notes, "invoice_party": l.InvoiceParty,
		"invoice_org_number": l.InvoiceOrgNumber, "invoice_address": l.InvoiceAddress,
		"einvoice_endpoint": l.EInvoiceEndpoint,
	}
}

// deref turns a nil pointer into nil and a set one into its value, so JSON
// audit records hold values, not addresses.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// Contact roles on a library.
const (
	ContactPrimary = "primary"
	ContactCounty  = "county"
	ContactOther   = "other"
)

// ContactRoles in the order forms list them.
var ContactRoles = []string{ContactPrimary, ContactCounty, ContactOther}

// Contact is a person; one person may be a contact for several libraries.
type Contact struct {
	bun.BaseModel `bun:"table:contacts"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	Name      string    `bun:"name" json:"name"`
	Email     string    `bun:"email" json:"email"`
	Phone     string    `bun:"phone" json:"phone"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"-"`
}

// LibraryContact links a contact to a library in a role.
type LibraryContact struct {
	bun.BaseModel `bun:"table:library_contacts,alias:lc"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	LibraryID int64     `bun:"library_id" json:"library_id"`
	ContactID int64     `bun:"contact_id" json:"contact_id"`
	Role      string    `bun:"role" json:"role"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
	Contact   *Contact  `bun:"rel:belongs-to,join:contact_id=id" json:"contact"`
}

// IPRange is one of a library's address ranges, as vendors see them.
type IPRange struct {
	bun.BaseModel `bun:"table:ip_ranges,alias:ipr"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	LibraryID int64     `bun:"library_id" json:"library_id"`
	RangeText string    `bun:"range_text" json:"range"`
	StartKey  string    `bun:"start_key" json:"-"`
	EndKey    string    `bun:"end_key" json:"-"`
	Shared    bool      `bun:"shared" json:"shared"`
	Note      string    `bun:"note" json:"note"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
}
