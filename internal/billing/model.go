package billing

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// Typed errors; the web and API layers map them to status codes.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("not allowed for this role")
	ErrConflict  = errors.New("the record was changed by someone else")
	// ErrNoRate means a price needs converting and no exchange rate is on
	// file for its currency on or before the run's rate date.
	ErrNoRate = errors.New("no exchange rate")
)

// ValidationError is the one validation error type of every domain.
type ValidationError = validate.Invalid

// RateFunc finds the exchange rate of currency (home units per one unit)
// on or before a day, with the day the rate is for. The rates package
// provides it; tests may give a table.
type RateFunc func(ctx context.Context, currency string, on calendar.Date) (money.Rate, calendar.Date, error)

// Service runs prices, invoice runs, credit notes, vendor invoices, the
// consortium's costs, deficits and the economy report.
type Service struct {
	DB      *db.DB
	Catalog *i18n.Catalog
	Rates   RateFunc
	Now     func() time.Time

	// approveHook, when set (tests only), is called after each invoice of
	// an approval is numbered; an error aborts the approval half-way, as a
	// crash would.
	approveHook func(n int) error
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Settings are the consortium's own details as a seller.
type Settings struct {
	bun.BaseModel `bun:"table:billing_settings"`

	ID              int64     `bun:"id,pk" json:"-"`
	Name            string    `bun:"name" json:"name"`
	OrgNumber       string    `bun:"org_number" json:"org_number"`
	VATRegistered   bool      `bun:"vat_registered" json:"vat_registered"`
	Street          string    `bun:"street" json:"street"`
	Postcode        string    `bun:"postcode" json:"postcode"`
	City            string    `bun:"city" json:"city"`
	Country         string    `bun:"country" json:"country"`
	BankAccount     string    `bun:"bank_account" json:"bank_account"`
	Email           string    `bun:"email" json:"email"`
	PaymentDays     int       `bun:"payment_days" json:"payment_days"`
	HomeCurrency    string    `bun:"home_currency" json:"home_currency"`
	ContributionVAT string    `bun:"contribution_vat" json:"contribution_vat"` // VAT category of deficit and cost shares
	Version         int64     `bun:"version" json:"version"`
	UpdatedAt       time.Time `bun:"updated_at" json:"updated_at"`
}

// Run kinds.
const (
	RunSubscriptions = "subscriptions"
	RunDeficit       = "deficit"
	RunCosts         = "consortium_costs"
)

// Statuses of runs and invoices.
const (
	StatusDraft    = "draft"
	StatusApproved = "approved"
)

// Run is an invoice run.
type Run struct {
	bun.BaseModel `bun:"table:invoice_runs,alias:r"`

	ID          int64         `bun:"id,pk,autoincrement" json:"id"`
	Kind        string        `bun:"kind" json:"kind"`
	Name        string        `bun:"name" json:"name"`
	Year        int           `bun:"year" json:"year"`
	PeriodFrom  calendar.Date `bun:"period_from" json:"period_from"`
	PeriodTo    calendar.Date `bun:"period_to" json:"period_to"`
	IssueDate   calendar.Date `bun:"issue_date" json:"issue_date"`
	DueDate     calendar.Date `bun:"due_date" json:"due_date"`
	Currency    string        `bun:"currency" json:"currency"`
	RateDate    calendar.Date `bun:"rate_date" json:"rate_date"`
	AgreementID *int64        `bun:"agreement_id" json:"agreement_id,omitempty"`
	Params      string        `bun:"params" json:"-"`
	Skipped     string        `bun:"skipped" json:"-"`
	Status      string        `bun:"status" json:"status"`
	CreatedBy   string        `bun:"created_by" json:"created_by"`
	CreatedAt   time.Time     `bun:"created_at" json:"created_at"`
	ApprovedBy  string        `bun:"approved_by" json:"approved_by,omitempty"`
	ApprovedAt  *time.Time    `bun:"approved_at" json:"approved_at,omitempty"`
}

// Invoice kinds.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"
)

// Invoice is one outgoing invoice or credit note. A credit note's amounts
// are negative, so sums over invoices and credit notes are net.
type Invoice struct {
	bun.BaseModel `bun:"table:invoices,alias:i"`

	ID               int64         `bun:"id,pk,autoincrement" json:"id"`
	RunID            *int64        `bun:"run_id" json:"run_id,omitempty"`
	Kind             string        `bun:"kind" json:"kind"`
	Number           *string       `bun:"number" json:"number,omitempty"`
	Status           string        `bun:"status" json:"status"`
	CreditsInvoiceID *int64        `bun:"credits_invoice_id" json:"credits_invoice_id,omitempty"`
	PartyKey         string        `bun:"party_key" json:"party_key"`
	PartyKind        string        `bun:"party_kind" json:"party_kind"`
	BuyerName        string        `bun:"buyer_name" json:"buyer_name"`
	BuyerOrgNumber   string        `bun:"buyer_org_number" json:"buyer_org_number"`
	BuyerAddress     string        `bun:"buyer_address" json:"buyer_address"`
	BuyerCountry     string        `bun:"buyer_country" json:"buyer_country"`
	BuyerEndpoint    string        `bun:"buyer_endpoint" json:"buyer_endpoint"`
	BuyerReference   string        `bun:"buyer_reference" json:"buyer_reference"`
	OrderReference   string        `bun:"order_reference" json:"order_reference"`
	Currency         string        `bun:"currency" json:"currency"`
	IssueDate        calendar.Date `bun:"issue_date" json:"issue_date"`
	DueDate          calendar.Date `bun:"due_date" json:"due_date"`
	NetMinor         int64         `bun:"net_minor" json:"net_minor"`
	VATMinor         int64         `bun:"vat_minor" json:"vat_minor"`
	TotalMinor       int64         `bun:"total_minor" json:"total_minor"`
	HomeRateMicro    *int64        `bun:"home_rate_micro" json:"home_rate_micro,omitempty"`
	Note             string        `bun:"note" json:"note"`
	CreatedAt        time.Time     `bun:"created_at" json:"created_at"`
	ApprovedAt       *time.Time    `bun:"approved_at" json:"approved_at,omitempty"`

	Lines []*Line `bun:"rel:has-many,join:id=invoice_id" json:"lines,omitempty"`
}

// NumberText is the invoice number or "".
func (i *Invoice) NumberText() string {
	if i.Number == nil {
		return ""
	}
	return *i.Number
}

// Line kinds.
const (
	LineSubscription = "subscription"
	LineMarkup       = "markup"
	LineDeficit      = "deficit"
	LineCosts        = "consortium_cost"
)

// Line is one invoice line.
type Line struct {
	bun.BaseModel `bun:"table:invoice_lines,alias:l"`

	ID               int64         `bun:"id,pk,autoincrement" json:"id"`
	InvoiceID        int64         `bun:"invoice_id" json:"invoice_id"`
	Position         int           `bun:"position" json:"position"`
	Kind             string        `bun:"kind" json:"kind"`
	LibraryID        *int64        `bun:"library_id" json:"library_id,omitempty"`
	AgreementID      *int64        `bun:"agreement_id" json:"agreement_id,omitempty"`
	OfferID          *int64        `bun:"offer_id" json:"offer_id,omitempty"`
	ProductID        *int64        `bun:"product_id" json:"product_id,omitempty"`
	Description      string        `bun:"description" json:"description"`
	AmountMinor      int64         `bun:"amount_minor" json:"amount_minor"`
	VATCategory      string        `bun:"vat_category" json:"vat_category"`
	VATRateBP        int64         `bun:"vat_rate_bp" json:"vat_rate_bp"`
	SourceCurrency   string        `bun:"source_currency" json:"source_currency"`
	SourceMinor      int64         `bun:"source_minor" json:"source_minor"`
	RateMicro        *int64        `bun:"rate_micro" json:"rate_micro,omitempty"`
	RateDate         calendar.Date `bun:"rate_date" json:"rate_date,omitempty"`
	MarkupBP         int64         `bun:"markup_bp" json:"markup_bp"`
	Computation      string        `bun:"computation" json:"-"`
	SourceKey        string        `bun:"source_key" json:"source_key"`
	Billed           bool          `bun:"billed" json:"billed"`
	CreditedByLineID *int64        `bun:"credited_by_line_id" json:"credited_by_line_id,omitempty"`
}

// VendorInvoice is an incoming invoice from a vendor.
type VendorInvoice struct {
	bun.BaseModel `bun:"table:vendor_invoices,alias:vi"`

	ID              int64         `bun:"id,pk,autoincrement" json:"id"`
	AgreementID     int64         `bun:"agreement_id" json:"agreement_id"`
	Number          string        `bun:"number" json:"number"`
	InvoiceDate     calendar.Date `bun:"invoice_date" json:"invoice_date"`
	Currency        string        `bun:"currency" json:"currency"`
	AmountMinor     int64         `bun:"amount_minor" json:"amount_minor"`
	RateMicro       int64         `bun:"rate_micro" json:"rate_micro"`
	HomeMinor       int64         `bun:"home_minor" json:"home_minor"`
	PaidOn          calendar.Date `bun:"paid_on" json:"paid_on,omitempty"`
	Status          string        `bun:"status" json:"status"`
	ExpectedMinor   int64         `bun:"expected_minor" json:"expected_minor"`
	DifferenceMinor int64         `bun:"difference_minor" json:"difference_minor"`
	Note            string        `bun:"note" json:"note"`
	CreatedBy       string        `bun:"created_by" json:"created_by"`
	CreatedAt       time.Time     `bun:"created_at" json:"created_at"`
	ApprovedBy      string        `bun:"approved_by" json:"approved_by,omitempty"`
	ApprovedAt      *time.Time    `bun:"approved_at" json:"approved_at,omitempty"`
	Version         int64         `bun:"version" json:"version"`
}

// Cost is one item of the consortium's own running costs for a year.
type Cost struct {
	bun.BaseModel `bun:"table:consortium_costs,alias:cc"`

	ID          int64     `bun:"id,pk,autoincrement" json:"id"`
	Year        int       `bun:"year" json:"year"`
	Description string    `bun:"description" json:"description"`
	AmountMinor int64     `bun:"amount_minor" json:"amount_minor"`
	Currency    string    `bun:"currency" json:"currency"`
	CreatedBy   string    `bun:"created_by" json:"created_by"`
	CreatedAt   time.Time `bun:"created_at" json:"created_at"`
}
