// Package cases is the consortium's shared case desk: cases collected from
// e-mail and worked by the whole team, with the libraries and vendors they
// concern, participants, tags, text snippets, saved views, full-text search
// and the temperature of each service.
//
// Mail comes in through Deliver (the IMAP fetcher and the LMTP/SMTP listener
// in package inbox call it) and is threaded by the rules in thread.go; replies
// go out through the mail outbox with headers that thread in the
// recipients' mail clients.
package cases

import (
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/validate"
)

// States of a case, in the order a case usually passes through them.
const (
	StateNew            = "new"
	StateOpen           = "open"
	StateWaitingLibrary = "waiting_library"
	StateWaitingVendor  = "waiting_vendor"
	StateSolved         = "solved"
	StateClosed         = "closed"
)

// States lists every state, for forms and validation.
var States = []string{StateNew, StateOpen, StateWaitingLibrary, StateWaitingVendor, StateSolved, StateClosed}

// Priorities of a case.
var Priorities = []string{"low", "normal", "high", "urgent"}

// Message kinds.
const (
	KindInbound  = "inbound"
	KindOutbound = "outbound"
	KindNote     = "note" // internal: never sent
)

// Participant kinds.
const (
	PartStaff    = "staff"
	PartLibrary  = "library"
	PartVendor   = "vendor"
	PartExternal = "external"
)

// Typed errors; the web and API layers map them.
var (
	ErrNotFound  = errors.New("case not found")
	ErrForbidden = errors.New("not allowed for this role")
	ErrConflict  = errors.New("the case was changed by someone else")
)

// ValidationError carries every problem found in an input.
type ValidationError = validate.Invalid

type problems = validate.List

// Case is one case on the desk.
type Case struct {
	bun.BaseModel `bun:"table:cases,alias:c"`

	ID              int64      `bun:"id,pk,autoincrement" json:"id"`
	Subject         string     `bun:"subject" json:"subject"`
	State           string     `bun:"state" json:"state"`
	Priority        string     `bun:"priority" json:"priority"`
	LibraryID       *int64     `bun:"library_id" json:"library_id,omitempty"`
	ProductID       *int64     `bun:"product_id" json:"product_id,omitempty"`
	VendorID        *int64     `bun:"vendor_id" json:"vendor_id,omitempty"`
	OwnerID         *int64     `bun:"owner_id" json:"owner_id,omitempty"`
	VendorRef       string     `bun:"vendor_ref" json:"vendor_ref,omitempty"`
	LinkedCaseID    *int64     `bun:"linked_case_id" json:"linked_case_id,omitempty"`
	CreatedAt       time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`
	LastMessageAt   time.Time  `bun:"last_message_at" json:"last_message_at"`
	FirstResponseAt *time.Time `bun:"first_response_at" json:"first_response_at,omitempty"`
	SolvedAt        *time.Time `bun:"solved_at" json:"solved_at,omitempty"`
	ClosedAt        *time.Time `bun:"closed_at" json:"closed_at,omitempty"`
	Version         int64      `bun:"version" json:"version"`
}

// Open reports whether the case still needs work.
func (c *Case) Open() bool { return c.State != StateSolved && c.State != StateClosed }

// Participant is a person on a case.
type Participant struct {
	bun.BaseModel `bun:"table:case_participants,alias:cp"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	CaseID    int64     `bun:"case_id" json:"-"`
	Email     string    `bun:"email" json:"email"`
	Name      string    `bun:"name" json:"name,omitempty"`
	Kind      string    `bun:"kind" json:"kind"`
	LibraryID *int64    `bun:"library_id" json:"library_id,omitempty"`
	VendorID  *int64    `bun:"vendor_id" json:"vendor_id,omitempty"`
	Copied    bool      `bun:"copied" json:"copied"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
}

// Message is one entry in a case's thread.
type Message struct {
	bun.BaseModel `bun:"table:case_messages,alias:cm"`

	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	CaseID     int64      `bun:"case_id" json:"case_id"`
	Kind       string     `bun:"kind" json:"kind"`
	MessageID  *string    `bun:"message_id" json:"message_id,omitempty"`
	InReplyTo  string     `bun:"in_reply_to" json:"in_reply_to,omitempty"`
	Refs       string     `bun:"refs" json:"references,omitempty"` // space-separated, oldest first
	FromAddr   string     `bun:"from_addr" json:"from,omitempty"`
	FromName   string     `bun:"from_name" json:"from_name,omitempty"`
	ToAddrs    string     `bun:"to_addrs" json:"to,omitempty"` // comma-separated
	CcAddrs    string     `bun:"cc_addrs" json:"cc,omitempty"`
	Subject    string     `bun:"subject" json:"subject"`
	BodyText   string     `bun:"body_text" json:"text"`
	BodyHTML   string     `bun:"body_html" json:"-"` // as received; sanitised when shown
	Auto       string     `bun:"auto" json:"auto,omitempty"`
	Problem    string     `bun:"problem" json:"problem,omitempty"`
	ThreadRule string     `bun:"thread_rule" json:"thread_rule,omitempty"`
	RawID      *int64     `bun:"raw_id" json:"-"`
	AuthorID   *int64     `bun:"author_id" json:"author_id,omitempty"`
	OutboxID   *int64     `bun:"outbox_id" json:"-"`
	SentAt     *time.Time `bun:"sent_at" json:"sent_at,omitempty"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
}

// Attachment is a file that came with a message.
type Attachment struct {
	bun.BaseModel `bun:"table:case_attachments,alias:ca"`

	ID          int64  `bun:"id,pk,autoincrement" json:"id"`
	MessageID   int64  `bun:"message_id" json:"message_id"`
	Filename    string `bun:"filename" json:"filename"`
	ContentType string `bun:"content_type" json:"content_type"`
	ContentID   string `bun:"content_id" json:"content_id,omitempty"`
	Inline      bool   `bun:"inline" json:"inline"`
	Size        int64  `bun:"size" json:"size"`
	Data        []byte `bun:"data" json:"-"`
}

type rawMail struct {
	bun.BaseModel `bun:"table:mail_raw,alias:mr"`

	ID         int64     `bun:"id,pk,autoincrement"`
	SHA256     string    `bun:"sha256"`
	Size       int64     `bun:"size"`
	Data       []byte    `bun:"data"`
	Source     string    `bun:"source"`
	ReceivedAt time.Time `bun:"received_at"`
}

type mailID struct {
	bun.BaseModel `bun:"table:case_mail_ids"`

	MessageID string `bun:"message_id,pk"`
	CaseID    int64  `bun:"case_id"`
}

type inboxPosition struct {
	bun.BaseModel `bun:"table:mail_inbox_positions"`

	Mailbox     string    `bun:"mailbox,pk"`
	UIDValidity int64     `bun:"uid_validity"`
	LastUID     int64     `bun:"last_uid"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

type searchRow struct {
	bun.BaseModel `bun:"table:case_search"`

	CaseID    int64  `bun:"case_id"`
	MessageID int64  `bun:"message_id"`
	Subject   string `bun:"subject"`
	Body      string `bun:"body"`
}
