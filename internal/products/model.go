// Package products holds vendors and their products: access methods, the
// four standard answers every product page gives, training material,
// licence versions with their terms as typed properties, and the public
// catalogue.
package products

import (
	"time"

	"github.com/uptrace/bun"
)

// Vendor supplies products to the consortium.
type Vendor struct {
	bun.BaseModel `bun:"table:vendors"`

	ID           int64  `bun:"id,pk,autoincrement" json:"id"`
	Name         string `bun:"name" json:"name"`
	OrgNumber    string `bun:"org_number" json:"org_number"`
	Country      string `bun:"country" json:"country"`
	SupportEmail string `bun:"support_email" json:"support_email"`
	SupportURL   string `bun:"support_url" json:"support_url"`
	Notes        string `bun:"notes" json:"notes"`
	// MailDomains are the domains the vendor's mail comes from, comma-
	// separated ("ebsco.com, ebscohost.com"); the case desk files their
	// mail under the vendor.
	MailDomains string `bun:"mail_domains" json:"mail_domains"`
	// TicketPattern is a Go regexp for the vendor's own ticket number in
	// subjects; its first capture group, if any, is the reference.
	TicketPattern string    `bun:"ticket_pattern" json:"ticket_pattern"`
	Version       int64     `bun:"version" json:"version"`
	CreatedAt     time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at" json:"updated_at"`
}

// Access methods a product can offer.
const (
	AccessIP          = "ip"
	AccessOpenAthens  = "openathens"
	AccessLibraryCard = "library_card" // SSO with the national library card (Bibliotekkortet)
	AccessPassword    = "password"
	AccessReferrer    = "referrer"
)

// AccessMethods in the order forms list them.
var AccessMethods = []string{AccessIP, AccessOpenAthens, AccessLibraryCard, AccessPassword, AccessReferrer}

// Target groups.
const (
	TargetPublic = "public"
	TargetSchool = "school"
)

// TargetGroups in the order forms list them.
var TargetGroups = []string{TargetPublic, TargetSchool}

// Product is something the consortium licenses. Sets (access methods,
// target groups) are stored comma-separated and exposed as slices.
type Product struct {
	bun.BaseModel `bun:"table:products,alias:p"`

	ID                      int64     `bun:"id,pk,autoincrement" json:"id"`
	VendorID                int64     `bun:"vendor_id" json:"vendor_id"`
	Slug                    string    `bun:"slug" json:"slug"`
	Name                    string    `bun:"name" json:"name"`
	AccessMethodsText       string    `bun:"access_methods" json:"-"`
	RemoteAccess            bool      `bun:"remote_access" json:"remote_access"`
	TargetGroupsText        string    `bun:"target_groups" json:"-"`
	ProcessesPersonalData   bool      `bun:"processes_personal_data" json:"processes_personal_data"`
	RequiresTermsAcceptance bool      `bun:"requires_terms_acceptance" json:"requires_terms_acceptance"`
	Published               bool      `bun:"published" json:"published"`
	Version                 int64     `bun:"version" json:"version"`
	CreatedAt               time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt               time.Time `bun:"updated_at" json:"updated_at"`
}

// ProductText is a product's description and four standard answers in one
// language. Bokmål (nb) is required; Swedish and English fall back to it.
type ProductText struct {
	bun.BaseModel `bun:"table:product_texts"`

	ProductID     int64  `bun:"product_id,pk" json:"product_id"`
	Lang          string `bun:"lang,pk" json:"lang"`
	Description   string `bun:"description" json:"description"`
	AnswerAccess  string `bun:"answer_access" json:"answer_access"`   // How do I get access?
	AnswerHome    string `bun:"answer_home" json:"answer_home"`       // Can I use it from home?
	AnswerShare   string `bun:"answer_share" json:"answer_share"`     // Can I share it with other libraries?
	AnswerSupport string `bun:"answer_support" json:"answer_support"` // Whom do I contact when it does not work?
}

// Kinds of training material.
const (
	TrainingRecording = "recording" // a recorded webinar
	TrainingGuide     = "guide"
	TrainingUpcoming  = "upcoming" // a webinar still to come, with a start time
)

// TrainingMaterial is a link that helps libraries use a product.
type TrainingMaterial struct {
	bun.BaseModel `bun:"table:training_materials"`

	ID        int64      `bun:"id,pk,autoincrement" json:"id"`
	ProductID int64      `bun:"product_id" json:"product_id"`
	Kind      string     `bun:"kind" json:"kind"`
	Title     string     `bun:"title" json:"title"`
	URL       string     `bun:"url" json:"url"`
	Lang      string     `bun:"lang" json:"lang"`
	Subtitled bool       `bun:"subtitled" json:"subtitled"`
	StartsAt  *time.Time `bun:"starts_at" json:"starts_at,omitempty"`
	CreatedAt time.Time  `bun:"created_at" json:"created_at"`
}

// Term values: each licence term is yes, no or unclear, with the clause quoted.
const (
	TermYes     = "yes"
	TermNo      = "no"
	TermUnclear = "unclear"
)

// Term is one licence term.
type Term struct {
	Value  string `json:"value"`            // yes, no, unclear — or for some terms a value (see Terms)
	Clause string `json:"clause,omitempty"` // the licence's own words
}

// Terms are the licence properties every product page shows in the same
// place, so libraries can compare products term by term.
type Terms struct {
	WalkIn           Term `json:"walk_in"`           // walk-in users allowed
	RemoteAccess     Term `json:"remote_access"`     // remote access allowed
	InterlibraryLoan Term `json:"interlibrary_loan"` // value: print, electronic, print_electronic, none, unclear
	TextDataMining   Term `json:"text_data_mining"`  // text and data mining
	CoursePacks      Term `json:"course_packs"`      // course packs
	PerpetualAccess  Term `json:"perpetual_access"`  // perpetual access
	Archiving        Term `json:"archiving"`         // archiving rights
	ConcurrentUsers  Term `json:"concurrent_users"`  // value: a number, "unlimited" or "unclear"
	GoverningLaw     Term `json:"governing_law"`     // value: free text (e.g. "Norwegian law"), or "unclear"
}

// LicenceVersion is one version of a product's licence.
type LicenceVersion struct {
	bun.BaseModel `bun:"table:licence_versions"`

	ID           int64     `bun:"id,pk,autoincrement" json:"id"`
	ProductID    int64     `bun:"product_id" json:"product_id"`
	Version      int       `bun:"version" json:"version"`
	Text         string    `bun:"text" json:"text"`
	DocumentName string    `bun:"document_name" json:"document_name,omitempty"`
	Document     []byte    `bun:"document" json:"-"`
	TermsJSON    string    `bun:"terms" json:"-"`
	CreatedBy    string    `bun:"created_by" json:"created_by"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
}
