package inbox

import "context"

// The values of Delivery.Source.
const (
	SourceIMAP = "imap"
	SourceLMTP = "lmtp"
	SourceSMTP = "smtp"
)

// Store keeps delivered mail. The cases service implements it.
type Store interface {
	// Position returns how far mailbox has been read: the UIDVALIDITY seen
	// then and the highest UID delivered, or zeros when never read.
	Position(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error)
	// Deliver stores d and, for IMAP, advances mailbox's position to
	// d.UIDValidity/d.UID in the same transaction. It must be idempotent on
	// the message's Message-ID: after a crash or a UIDVALIDITY change the same
	// message may be delivered again, and must then succeed without a copy.
	Deliver(ctx context.Context, d Delivery) error
}

// Delivery is one message as it arrived.
type Delivery struct {
	Mailbox     string   // IMAP mailbox; "" for LMTP and SMTP
	UIDValidity uint32   // IMAP only
	UID         uint32   // IMAP only
	Raw         []byte   // the whole message, as received
	Source      string   // SourceIMAP, SourceLMTP or SourceSMTP
	Recipients  []string // envelope RCPT TO, for LMTP and SMTP
}
