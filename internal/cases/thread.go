package cases

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/cases/mailmsg"
)

// Thread rules, stored on each inbound message so staff can see why a mail
// landed where it did.
const (
	RuleSigned       = "signed"        // Samla's own signed Message-ID or reply address
	RuleInReplyTo    = "in_reply_to"   // In-Reply-To names a mail Samla has seen
	RuleReferences   = "references"    // References names one, newest first
	RuleBounce       = "bounce"        // a bounce of a mail Samla has seen
	RuleSubjectToken = "subject_token" // [Samla #123] from someone on that case
	RuleVendorRef    = "vendor_ref"    // the vendor's own ticket number
	RuleNew          = "new"           // no rule matched: a new case
)

// threading is where an inbound mail goes.
type threading struct {
	CaseID int64  // 0: open a new case
	Rule   string // how it was found (RuleNew when CaseID is 0)
	// LinkTo is a case the new one is linked to: a token from a stranger,
	// or a case closed too long ago to reopen.
	LinkTo    int64
	VendorRef string // the vendor's ticket number, for a new case
	VendorID  int64  // whose ticket number it is
}

// thread applies the rules in order; the first that matches wins. Every
// lookup is scoped to Samla's own cases. Reopening or linking a closed case
// is decided by the caller, which knows the clock.
func (s *Service) thread(ctx context.Context, tx bun.IDB, m *mailmsg.Message, recipients []string, vendors []vendorMail) (threading, error) {
	signer, err := s.Signer(ctx)
	if err != nil {
		return threading{}, err
	}
	refs := newestFirst(m)

	// 2. Signed references: ids Samla made, and its signed reply address.
	for _, id := range refs {
		if n, ok := signer.Verify(id); ok {
			if found, err := caseExists(ctx, tx, n); err != nil || found {
				return threading{CaseID: n, Rule: RuleSigned}, err
			}
		}
	}
	// A bounce of a reply Samla sent names that reply in its returned
	// headers; only Samla's signed ids are trusted there, since anyone can
	// send a "bounce" naming any id.
	if m.Returned != nil {
		if n, ok := signer.Verify(m.Returned.MessageID); ok {
			if found, err := caseExists(ctx, tx, n); err != nil || found {
				return threading{CaseID: n, Rule: RuleBounce}, err
			}
		}
	}
	for _, a := range addressesOf(m, recipients) {
		if n, ok := signer.VerifyAddress(a); ok {
			if found, err := caseExists(ctx, tx, n); err != nil || found {
				return threading{CaseID: n, Rule: RuleSigned}, err
			}
		}
	}

	// 3. In-Reply-To, then References newest first, against every id seen.
	for i, id := range refs {
		n, err := caseOfMailID(ctx, tx, id)
		if err != nil {
			return threading{}, err
		}
		if n != 0 {
			rule := RuleReferences
			if i < len(m.InReplyTo) {
				rule = RuleInReplyTo
			}
			return threading{CaseID: n, Rule: rule}, nil
		}
	}
	// A bounce names the mail that bounced in its returned headers.
	if m.Returned != nil && m.Returned.MessageID != "" {
		n, err := caseOfMailID(ctx, tx, m.Returned.MessageID)
		if err != nil || n != 0 {
			return threading{CaseID: n, Rule: RuleBounce}, err
		}
	}

	// 4. The subject token, only from someone who takes part in that case.
	var link int64
	if n, ok := mailmsg.CaseToken(m.Subject); ok {
		found, err := caseExists(ctx, tx, n)
		if err != nil {
			return threading{}, err
		}
		if found {
			in, err := takesPart(ctx, tx, n, m.From.Address)
			if err != nil {
				return threading{}, err
			}
			if in {
				return threading{CaseID: n, Rule: RuleSubjectToken}, nil
			}
			link = n
		}
	}

	// 5. The vendor's own ticket number.
	if match := mailmsg.VendorRefs(ticketPatterns(vendors), m.Subject); len(match) > 0 {
		vendorID, _ := strconv.ParseInt(match[0].Vendor, 10, 64)
		var n int64
		err := tx.NewSelect().Table("cases").Column("id").Where("vendor_id = ?", vendorID).
			Where("vendor_ref = ?", match[0].Ref).OrderExpr("id DESC").Limit(1).Scan(ctx, &n)
		if err != nil && !isNoRows(err) {
			return threading{}, fmt.Errorf("case by vendor reference: %w", err)
		}
		if n != 0 && link == 0 {
			return threading{CaseID: n, Rule: RuleVendorRef}, nil
		}
		return threading{Rule: RuleNew, LinkTo: link, VendorRef: match[0].Ref, VendorID: vendorID}, nil
	}

	// 6. A new case.
	return threading{Rule: RuleNew, LinkTo: link}, nil
}

// newestFirst lists In-Reply-To, then References from the newest.
func newestFirst(m *mailmsg.Message) []string {
	out := append([]string(nil), m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- {
		out = append(out, m.References[i])
	}
	return out
}

// addressesOf lists where a mail was sent: its To and Cc, and the envelope
// recipients when it came by LMTP or SMTP (a Bcc to the desk shows only there).
func addressesOf(m *mailmsg.Message, recipients []string) []string {
	var out []string
	for _, a := range m.To {
		out = append(out, a.Address)
	}
	for _, a := range m.Cc {
		out = append(out, a.Address)
	}
	return append(out, recipients...)
}

func caseExists(ctx context.Context, db bun.IDB, id int64) (bool, error) {
	ok, err := db.NewSelect().Table("cases").Where("id = ?", id).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("case %d: %w", id, err)
	}
	return ok, nil
}

func caseOfMailID(ctx context.Context, db bun.IDB, id string) (int64, error) {
	if id == "" {
		return 0, nil
	}
	var n int64
	err := db.NewSelect().Table("case_mail_ids").Column("case_id").Where("message_id = ?", id).Scan(ctx, &n)
	if err != nil && !isNoRows(err) {
		return 0, fmt.Errorf("case of mail %s: %w", id, err)
	}
	return n, nil
}

// takesPart: the address is a participant of the case, or one of the
// consortium's own staff (who may write to any case).
func takesPart(ctx context.Context, db bun.IDB, caseID int64, addr string) (bool, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return false, nil
	}
	ok, err := db.NewSelect().Table("case_participants").Where("case_id = ?", caseID).Where("email = ?", addr).Exists(ctx)
	if err != nil || ok {
		return ok, err
	}
	return db.NewSelect().Table("users").Where("lower(email) = ?", addr).Where("role IN (?)", bun.In([]string{"admin", "staff"})).
		Where("disabled = ?", false).Exists(ctx)
}
