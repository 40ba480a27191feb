// Package enrolment runs the yearly cycle: agreements and their offers,
// enrolment windows in which libraries answer yes or no, renewals, trials,
// the subscriptions that follow, licence terms that libraries must accept
// themselves, and data processing agreements.
package enrolment

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/calendar"
)

// Agreement is a contract with a vendor for a period, holding offers.
type Agreement struct {
	bun.BaseModel `bun:"table:agreements,alias:ag"`

	ID             int64         `bun:"id,pk,autoincrement" json:"id"`
	VendorID       int64         `bun:"vendor_id" json:"vendor_id"`
	Name           string        `bun:"name" json:"name"`
	StartsOn       calendar.Date `bun:"starts_on" json:"starts_on"`
	EndsOn         calendar.Date `bun:"ends_on" json:"ends_on"`
	ProcurementRef string        `bun:"procurement_ref" json:"procurement_ref"`
	Notes          string        `bun:"notes" json:"notes"`
	Version        int64         `bun:"version" json:"version"`
	CreatedAt      time.Time     `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time     `bun:"updated_at" json:"updated_at"`
}

// Offer is one product in one agreement period, with its price per library
// (money in minor units; the pricing issue adds real price models).
type Offer struct {
	bun.BaseModel `bun:"table:offers,alias:o"`

	ID              int64     `bun:"id,pk,autoincrement" json:"id"`
	AgreementID     int64     `bun:"agreement_id" json:"agreement_id"`
	ProductID       int64     `bun:"product_id" json:"product_id"`
	PriceMinor      int64     `bun:"price_minor" json:"price_minor"`
	Currency        string    `bun:"currency" json:"currency"`
	PriceModel      string    `bun:"price_model" json:"price_model"`
	RenewsByDefault bool      `bun:"renews_by_default" json:"renews_by_default"`
	PreviousOfferID *int64    `bun:"previous_offer_id" json:"previous_offer_id,omitempty"` // last period's offer, whose subscribers renew
	CreatedAt       time.Time `bun:"created_at" json:"created_at"`
}

// Window is an enrolment window (tilknytningsperiode): libraries answer its
// offers from OpensOn to ClosesOn, both days included, in Europe/Oslo.
type Window struct {
	bun.BaseModel `bun:"table:enrolment_windows,alias:w"`

	ID               int64         `bun:"id,pk,autoincrement" json:"id"`
	Name             string        `bun:"name" json:"name"`
	OpensOn          calendar.Date `bun:"opens_on" json:"opens_on"`
	ClosesOn         calendar.Date `bun:"closes_on" json:"closes_on"`
	ReminderDays     int           `bun:"reminder_days" json:"reminder_days"`
	OpenedMailedAt   *time.Time    `bun:"opened_mailed_at" json:"opened_mailed_at,omitempty"`
	ReminderMailedAt *time.Time    `bun:"reminder_mailed_at" json:"reminder_mailed_at,omitempty"`
	CreatedAt        time.Time     `bun:"created_at" json:"created_at"`
}

// MaxWindowDays is the longest window before a warning: four weeks.
const MaxWindowDays = 28

// WindowOffer puts an offer in a window.
type WindowOffer struct {
	bun.BaseModel `bun:"table:window_offers"`

	WindowID int64 `bun:"window_id,pk"`
	OfferID  int64 `bun:"offer_id,pk"`
}

// Answers and reasons.
const (
	AnswerYes = "yes"
	AnswerNo  = "no"

	ReasonPrice    = "price"
	ReasonLowUse   = "low_use"
	ReasonNoNeed   = "no_need"
	ReasonNoBudget = "budget_not_decided"
	ReasonOther    = "other"
)

// Reasons in the order forms list them.
var Reasons = []string{ReasonPrice, ReasonLowUse, ReasonNoNeed, ReasonNoBudget, ReasonOther}

// Sources of an answer.
const (
	SourceLibrary = "library" // the library's own contact
	SourceCounty  = "county"  // a county contact for the county's library
	SourceAdmin   = "admin"   // a consortium admin after the window closed, with a reason
	SourceRenewal = "renewal" // carried over from last period (renews by default)
)

// Enrolment is a library's current answer to one offer in one window.
type Enrolment struct {
	bun.BaseModel `bun:"table:enrolments,alias:e"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	WindowID   int64     `bun:"window_id" json:"window_id"`
	OfferID    int64     `bun:"offer_id" json:"offer_id"`
	LibraryID  int64     `bun:"library_id" json:"library_id"`
	Answer     string    `bun:"answer" json:"answer"`
	Reason     string    `bun:"reason" json:"reason,omitempty"`
	ReasonText string    `bun:"reason_text" json:"reason_text,omitempty"`
	Source     string    `bun:"source" json:"source"`
	UserID     *int64    `bun:"user_id" json:"user_id,omitempty"`
	AnsweredBy string    `bun:"answered_by" json:"answered_by"`
	AnsweredAt time.Time `bun:"answered_at" json:"answered_at"`
}

// Trial is a trial period (prøveperiode) of a product for some libraries.
type Trial struct {
	bun.BaseModel `bun:"table:trials,alias:t"`

	ID        int64         `bun:"id,pk,autoincrement" json:"id"`
	ProductID int64         `bun:"product_id" json:"product_id"`
	StartsOn  calendar.Date `bun:"starts_on" json:"starts_on"`
	EndsOn    calendar.Date `bun:"ends_on" json:"ends_on"`
	Notes     string        `bun:"notes" json:"notes"`
	LapsedAt  *time.Time    `bun:"lapsed_at" json:"lapsed_at,omitempty"`
	CreatedAt time.Time     `bun:"created_at" json:"created_at"`
}

// Subscription states, derived when read.
const (
	StateTrial            = "trial"
	StatePendingTerms     = "pending_terms"
	StatePendingAgreement = "pending_agreement"
	StateActive           = "active"
	StateUpcoming         = "upcoming" // enrolled, period not begun, nothing missing
	StateEnded            = "ended"
)

// Subscription is a library's right to a product for a period.
type Subscription struct {
	bun.BaseModel `bun:"table:subscriptions,alias:s"`

	ID        int64         `bun:"id,pk,autoincrement" json:"id"`
	LibraryID int64         `bun:"library_id" json:"library_id"`
	ProductID int64         `bun:"product_id" json:"product_id"`
	OfferID   *int64        `bun:"offer_id" json:"offer_id,omitempty"`
	TrialID   *int64        `bun:"trial_id" json:"trial_id,omitempty"`
	StartsOn  calendar.Date `bun:"starts_on" json:"starts_on"`
	EndsOn    calendar.Date `bun:"ends_on" json:"ends_on"`
	CreatedAt time.Time     `bun:"created_at" json:"created_at"`
}

// TermsAcceptance records that a library's own contact accepted a licence version.
type TermsAcceptance struct {
	bun.BaseModel `bun:"table:terms_acceptances,alias:ta"`

	ID               int64     `bun:"id,pk,autoincrement" json:"id"`
	LibraryID        int64     `bun:"library_id" json:"library_id"`
	ProductID        int64     `bun:"product_id" json:"product_id"`
	LicenceVersionID int64     `bun:"licence_version_id" json:"licence_version_id"`
	UserID           int64     `bun:"user_id" json:"user_id"`
	AcceptedBy       string    `bun:"accepted_by" json:"accepted_by"`
	RemoteAddr       string    `bun:"remote_addr" json:"remote_addr"`
	AcceptedAt       time.Time `bun:"accepted_at" json:"accepted_at"`
}

// DataProcessingAgreement (databehandleravtale, GDPR art. 28) between a
// library and a vendor.
type DataProcessingAgreement struct {
	bun.BaseModel `bun:"table:data_processing_agreements,alias:dpa"`

	ID           int64         `bun:"id,pk,autoincrement" json:"id"`
	LibraryID    int64         `bun:"library_id" json:"library_id"`
	VendorID     int64         `bun:"vendor_id" json:"vendor_id"`
	Version      string        `bun:"version" json:"version"`
	SignedOn     calendar.Date `bun:"signed_on" json:"signed_on"`
	SignedBy     string        `bun:"signed_by" json:"signed_by"`
	ExpiresOn    calendar.Date `bun:"expires_on" json:"expires_on,omitempty"`
	DocumentName string        `bun:"document_name" json:"document_name,omitempty"`
	Document     []byte        `bun:"document" json:"-"`
	CreatedAt    time.Time     `bun:"created_at" json:"created_at"`
}
