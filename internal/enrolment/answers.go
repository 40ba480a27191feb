package enrolment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/members"
)

// AnswerInput is a library's answer to one offer. A "no" needs a reason
// from Reasons, and "other" a text. ChangeReason is why a consortium admin
// answers for a library; it is required from an admin and goes into the
// audit record.
type AnswerInput struct {
	Answer       string `json:"answer"`
	Reason       string `json:"reason,omitempty"`
	ReasonText   string `json:"reason_text,omitempty"`
	ChangeReason string `json:"change_reason,omitempty"`
}

// OfferAnswer is one offer a library is invited to in a window, with its
// current answer (nil when it has not answered) and whether last period's
// subscription renews unless the library answers no.
type OfferAnswer struct {
	OfferDetail
	Enrolment *Enrolment `json:"enrolment,omitempty"`
	Renews    bool       `json:"renews"`
}

var enrolmentFields = []string{"window_id", "offer_id", "answer", "reason", "reason_text", "source", "subscription_id"}

func (e *Enrolment) snapshot(sub *Subscription) map[string]any {
	m := map[string]any{"window_id": e.WindowID, "offer_id": e.OfferID, "answer": e.Answer, "reason": e.Reason,
		"reason_text": e.ReasonText, "source": e.Source, "subscription_id": nil}
	if sub != nil {
		m["subscription_id"] = sub.ID
	}
	return m
}

// Answer records a library's answer to an offer in a window, replacing any
// earlier answer, and makes its subscription follow (yes: the product for
// the agreement's period; no: none), in one transaction with the audit
// record and a receipt mail.
//
// Who may answer:
//   - while the window is open, a library contact for its own library and a
//     county contact for a library in its county;
//   - while it is open, also a consortium admin on the library's behalf (a
//     phone call, a lost login) — but only with a ChangeReason, so that the
//     library's own answers stay distinguishable from the consortium's;
//   - after it closes, only a consortium admin, with a ChangeReason; anyone
//     else gets ErrWindowClosed;
//   - before it opens, nobody (ErrWindowClosed);
//   - consortium staff and vendor contacts never (ErrForbidden).
//
// A library the actor does not act for is ErrNotFound, as in the registry.
func (s *Service) Answer(ctx context.Context, by auth.Actor, windowID, offerID, libraryID int64, in AnswerInput) (*Enrolment, error) {
	var e *Enrolment
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, err := getWindow(ctx, tx, windowID)
		if err != nil {
			return err
		}
		lib := new(members.Library)
		if err := tx.NewSelect().Model(lib).Where("id = ?", libraryID).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("library %d: %w", libraryID, err)
		}
		source, err := answerSource(by, lib)
		if err != nil {
			return err
		}
		now := s.now()
		switch d := today(now); {
		case d.Before(w.OpensOn):
			return ErrWindowClosed
		case d.After(w.ClosesOn) && source != SourceAdmin:
			return ErrWindowClosed
		}
		pl, err := loadPlan(ctx, tx, w)
		if err != nil {
			return err
		}
		var od *OfferDetail
		for i := range pl.offers {
			if pl.offers[i].Offer.ID == offerID {
				od = &pl.offers[i]
			}
		}
		if od == nil {
			return ErrNotFound
		}
		in, err = checkAnswer(in, source, od, pl.invited[offerID][libraryID])
		if err != nil {
			return err
		}
		old := pl.answer(offerID, libraryID)
		if old != nil && old.Answer == in.Answer && old.Reason == in.Reason && old.ReasonText == in.ReasonText && old.Source == source {
			e = old
			return nil // nothing changed: no record, no receipt
		}
		e = &Enrolment{WindowID: windowID, OfferID: offerID, LibraryID: libraryID, Answer: in.Answer, Reason: in.Reason,
			ReasonText: in.ReasonText, Source: source, AnsweredBy: by.Name, AnsweredAt: now.UTC().Truncate(time.Microsecond)}
		if e.AnsweredBy == "" {
			e.AnsweredBy = by.Email
		}
		if by.UserID != 0 {
			e.UserID = &by.UserID
		}
		var before map[string]any
		action := "create"
		if old != nil {
			oldSub, err := subscriptionFor(ctx, tx, libraryID, offerID)
			if err != nil {
				return err
			}
			before, action, e.ID = old.snapshot(oldSub), "update", old.ID
			_, err = tx.NewUpdate().Model(e).ExcludeColumn("id", "window_id", "offer_id", "library_id").WherePK().Exec(ctx)
			if err != nil {
				return fmt.Errorf("update enrolment %d: %w", e.ID, err)
			}
		} else if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return ErrConflict
			}
			return fmt.Errorf("insert enrolment: %w", err)
		}
		var sub *Subscription
		if e.Answer == AnswerYes {
			if sub, err = s.EnsureSubscription(ctx, tx, offerSubscription(libraryID, *od)); err != nil {
				return err
			}
		} else if _, err := s.RemoveSubscription(ctx, tx, libraryID, offerID); err != nil {
			return err
		}
		err = audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "enrolment", EntityID: e.ID, LibraryID: libraryID,
			Action: action, Reason: in.ChangeReason, Changes: audit.Diff(enrolmentFields, before, e.snapshot(sub))})
		if err != nil {
			return err
		}
		return s.mailReceipt(ctx, tx, by, w, od, lib, e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// answerSource checks that the actor may answer for the library at all,
// and says in which capacity.
func answerSource(by auth.Actor, lib *members.Library) (string, error) {
	switch by.Role {
	case auth.RoleLibrary:
		if slices.Contains(by.LibraryIDs, lib.ID) {
			return SourceLibrary, nil
		}
		return "", ErrNotFound
	case auth.RoleCountyContact:
		if by.ActsFor(lib.ID, lib.Country, lib.CountyNumber) {
			return SourceCounty, nil
		}
		return "", ErrNotFound
	case auth.RoleAdmin:
		return SourceAdmin, nil
	}
	return "", ErrForbidden
}

// checkAnswer validates and normalises an answer.
func checkAnswer(in AnswerInput, source string, od *OfferDetail, invited bool) (AnswerInput, error) {
	var ps problems
	in.Answer = strings.ToLower(strings.TrimSpace(in.Answer))
	in.Reason = strings.TrimSpace(in.Reason)
	in.ReasonText = strings.TrimSpace(in.ReasonText)
	in.ChangeReason = strings.TrimSpace(in.ChangeReason)
	if !invited {
		ps.Addf("library_id", "enrolment.library.not_invited", "", map[string]any{"Product": od.Product.Name})
	}
	switch in.Answer {
	case AnswerYes:
		in.Reason, in.ReasonText = "", ""
		if !od.Offer.Orderable() {
			ps.Addf("answer", "enrolment.offer.no_price", in.Answer, nil)
		}
	case AnswerNo:
		switch {
		case in.Reason == "":
			ps.Addf("reason", "enrolment.reason.required", "", nil)
		case !slices.Contains(Reasons, in.Reason):
			ps.Addf("reason", "enrolment.reason.unknown", in.Reason, nil)
		case in.Reason == ReasonOther && in.ReasonText == "":
			ps.Addf("reason_text", "enrolment.reason_text.required", "", nil)
		}
		if in.Reason != ReasonOther {
			in.ReasonText = ""
		}
	default:
		ps.Addf("answer", "enrolment.answer.invalid", in.Answer, nil)
	}
	if source == SourceAdmin && in.ChangeReason == "" {
		ps.Addf("change_reason", "enrolment.change_reason.required", "", nil)
	}
	return in, ps.Err()
}

// LibraryAnswers lists the offers of a window that a library is invited
// to, with its answers: what the answer form shows. For those who act for
// the library (its contacts, its county contact, the consortium).
func (s *Service) LibraryAnswers(ctx context.Context, by auth.Actor, windowID, libraryID int64) ([]OfferAnswer, error) {
	lib := new(members.Library)
	if err := s.DB.NewSelect().Model(lib).Where("id = ?", libraryID).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("library %d: %w", libraryID, err)
	}
	if !by.ActsFor(lib.ID, lib.Country, lib.CountyNumber) {
		return nil, ErrNotFound
	}
	w, err := getWindow(ctx, s.DB, windowID)
	if err != nil {
		return nil, err
	}
	pl, err := loadPlan(ctx, s.DB, w)
	if err != nil {
		return nil, err
	}
	var out []OfferAnswer
	for _, od := range pl.libraryOffers(libraryID) {
		out = append(out, OfferAnswer{OfferDetail: od, Enrolment: pl.answer(od.Offer.ID, libraryID),
			Renews: pl.renews[od.Offer.ID][libraryID]})
	}
	return out, nil
}
