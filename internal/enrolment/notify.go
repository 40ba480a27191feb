package enrolment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/mail"
	"github.com/samla-org/samla/internal/members"
)

// The notices of a window go to each library's primary contact through the
// mail outbox, in the transaction of the change that causes them, keyed so
// that a notice is never sent twice:
//
//	window-open:<window>:<library>      when the window opens
//	window-reminder:<window>:<library>  ReminderDays before it closes, to libraries with unanswered offers
//	receipt:<enrolment>:<answered_at unix nanos>[:answerer]  after each change of an answer
//
// The texts are plain Norwegian Bokmål, the consortium's working language;
// they are not in the message catalogue (a mail has no reader's language
// setting to pick from). Links are paths ("/windows/12") for the reader to
// open on the Samla site.

// Mail kinds written by this file.
const (
	MailWindowOpen     = "window_open"
	MailWindowReminder = "window_reminder"
	MailReceipt        = "receipt"
)

// Tick is the daily duty the scheduler calls: it opens every window whose
// day has come (OpenWindow: renewals and opening notices, idempotent) and
// sends the reminders that are due. It goes on past a failing window and
// returns all errors together.
func (s *Service) Tick(ctx context.Context) error {
	day := string(today(s.now()))
	var ws []Window
	if err := s.DB.NewSelect().Model(&ws).Where("w.opens_on <= ? AND w.closes_on >= ?", day, day).OrderExpr("w.id").Scan(ctx); err != nil {
		return fmt.Errorf("open windows: %w", err)
	}
	var errs []error
	for _, w := range ws {
		// A window that closed since the query (midnight) is no failure.
		if err := s.OpenWindow(ctx, w.ID); err != nil && !errors.Is(err, ErrWindowClosed) {
			errs = append(errs, fmt.Errorf("open window %d: %w", w.ID, err))
		}
		if err := s.remind(ctx, w.ID); err != nil {
			errs = append(errs, fmt.Errorf("remind window %d: %w", w.ID, err))
		}
	}
	return errors.Join(errs...)
}

// remind sends a window's reminder once, when its day has come: to each
// invited library that has offers without an answer.
func (s *Service) remind(ctx context.Context, windowID int64) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, err := getWindow(ctx, tx, windowID)
		if err != nil {
			return err
		}
		now := s.now()
		d := today(now)
		if w.ReminderMailedAt != nil || !IsOpen(*w, now) || d.Before(w.ClosesOn.AddDays(-w.ReminderDays)) {
			return nil
		}
		pl, err := loadPlan(ctx, tx, w)
		if err != nil {
			return err
		}
		if err := pl.loadPrimary(ctx, tx); err != nil {
			return err
		}
		for _, l := range pl.libs {
			var open []string
			for _, od := range pl.libraryOffers(l.ID) {
				if pl.answer(od.Offer.ID, l.ID) == nil {
					open = append(open, "- "+od.Product.Name)
				}
			}
			to := pl.primaryEmail(l.ID)
			if len(open) == 0 || to == "" {
				continue
			}
			body := fmt.Sprintf("Hei,\n\ntilknytningsperioden «%s» stenger %s. %s har ennå ikke svart på disse tilbudene:\n\n%s\n\n"+
				"Svar innen fristen her: %s\n\nEtter fristen kan bare konsortiet endre påmeldinger.\n",
				w.Name, nbDate(w.ClosesOn), l.Name, strings.Join(open, "\n"), windowPath(w.ID))
			_, err := mail.Enqueue(ctx, tx, mail.Message{DedupeKey: fmt.Sprintf("window-reminder:%d:%d", w.ID, l.ID),
				Kind: MailWindowReminder, To: to, Subject: fmt.Sprintf("Påminnelse: «%s» stenger %s", w.Name, nbDate(w.ClosesOn)), Body: body})
			if err != nil {
				return err
			}
		}
		at := now.UTC().Truncate(time.Microsecond)
		w.ReminderMailedAt = &at
		if _, err := tx.NewUpdate().Model(w).Column("reminder_mailed_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("window %d reminded: %w", w.ID, err)
		}
		return nil
	})
}

// mailWindowOpen queues the opening notice for each invited library.
func (s *Service) mailWindowOpen(ctx context.Context, tx bun.IDB, pl *windowPlan) error {
	if err := pl.loadPrimary(ctx, tx); err != nil {
		return err
	}
	w := pl.w
	for _, l := range pl.libs {
		to := pl.primaryEmail(l.ID)
		if to == "" {
			continue
		}
		var lines []string
		for _, od := range pl.libraryOffers(l.ID) {
			line := "- " + od.Product.Name + " (" + od.Agreement.StartsOn.String() + "–" + od.Agreement.EndsOn.String() + ")"
			if e := pl.answer(od.Offer.ID, l.ID); e != nil && e.Source == SourceRenewal {
				line += ": fornyes automatisk; svar nei innen fristen om dere ikke vil fortsette"
			}
			lines = append(lines, line)
		}
		body := fmt.Sprintf("Hei,\n\ntilknytningsperioden «%s» er åpen fra %s til og med %s.\n\n%s er invitert til å svare på disse tilbudene:\n\n%s\n\n"+
			"Svar ja eller nei for hvert tilbud her: %s\n\nDere kan endre svarene til og med %s.\n",
			w.Name, nbDate(w.OpensOn), nbDate(w.ClosesOn), l.Name, strings.Join(lines, "\n"), windowPath(w.ID), nbDate(w.ClosesOn))
		_, err := mail.Enqueue(ctx, tx, mail.Message{DedupeKey: fmt.Sprintf("window-open:%d:%d", w.ID, l.ID),
			Kind: MailWindowOpen, To: to, Subject: fmt.Sprintf("Tilknytningsperioden «%s» er åpen", w.Name), Body: body})
		if err != nil {
			return err
		}
	}
	return nil
}

// mailReceipt queues a receipt for an answer to the library's primary
// contact and to the person who answered (once if they are the same).
func (s *Service) mailReceipt(ctx context.Context, tx bun.IDB, by auth.Actor, w *Window, od *OfferDetail, lib *members.Library, e *Enrolment) error {
	primary, err := primaryEmails(ctx, tx, []int64{lib.ID})
	if err != nil {
		return err
	}
	answer := "Ja"
	if e.Answer == AnswerNo {
		answer = "Nei (" + nbReasons[e.Reason]
		if e.ReasonText != "" {
			answer += ": " + e.ReasonText
		}
		answer += ")"
	}
	body := fmt.Sprintf("Hei,\n\nvi har registrert dette svaret i tilknytningsperioden «%s»:\n\nBibliotek: %s\nProdukt: %s\nSvar: %s\n"+
		"Avtaleperiode: %s–%s\nSvart av: %s, %s\n\n", w.Name, lib.Name, od.Product.Name, answer,
		nbDate(od.Agreement.StartsOn), nbDate(od.Agreement.EndsOn), e.AnsweredBy, e.AnsweredAt.In(calendar.Zone).Format("02.01.2006 15:04"))
	if e.Source == SourceAdmin {
		body += "Svaret er registrert av konsortiet på vegne av biblioteket.\n"
	}
	if IsOpen(*w, s.now()) {
		body += fmt.Sprintf("Dere kan endre svaret til og med %s: %s\n", nbDate(w.ClosesOn), windowPath(w.ID))
	} else {
		body += fmt.Sprintf("Perioden er stengt; spørsmål om svaret kan rettes til konsortiet. %s\n", windowPath(w.ID))
	}
	key := fmt.Sprintf("receipt:%d:%d", e.ID, e.AnsweredAt.UnixNano())
	subject := fmt.Sprintf("Kvittering: %s – %s", od.Product.Name, strings.ToLower(answer[:1])+answer[1:])
	to := primary[lib.ID].Contact
	sent := ""
	if to != nil && to.Email != "" {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{DedupeKey: key, Kind: MailReceipt, To: to.Email, Subject: subject, Body: body}); err != nil {
			return err
		}
		sent = to.Email
	}
	if by.Email != "" && !strings.EqualFold(by.Email, sent) {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{DedupeKey: key + ":answerer", Kind: MailReceipt, To: by.Email, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

func (p *windowPlan) loadPrimary(ctx context.Context, idb bun.IDB) error {
	if p.primary != nil {
		return nil
	}
	ids := make([]int64, 0, len(p.libs))
	for _, l := range p.libs {
		ids = append(ids, l.ID)
	}
	var err error
	p.primary, err = primaryEmails(ctx, idb, ids)
	return err
}

func (p *windowPlan) primaryEmail(libraryID int64) string {
	if c := p.primary[libraryID].Contact; c != nil {
		return strings.TrimSpace(c.Email)
	}
	return ""
}

// primaryEmails loads the primary contacts of libraries, by library id.
func primaryEmails(ctx context.Context, idb bun.IDB, libraryIDs []int64) (map[int64]members.LibraryContact, error) {
	out := map[int64]members.LibraryContact{}
	if len(libraryIDs) == 0 {
		return out, nil
	}
	var lcs []members.LibraryContact
	err := idb.NewSelect().Model(&lcs).Relation("Contact").
		Where("lc.role = ? AND lc.library_id IN (?)", members.ContactPrimary, bun.In(libraryIDs)).OrderExpr("lc.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("primary contacts: %w", err)
	}
	for _, lc := range lcs {
		if _, seen := out[lc.LibraryID]; !seen && lc.Contact != nil && lc.Contact.Email != "" {
			out[lc.LibraryID] = lc
		}
	}
	return out, nil
}

// nbReasons name the reasons for a "no" in mail texts.
var nbReasons = map[string]string{ReasonPrice: "pris", ReasonLowUse: "lite bruk", ReasonNoNeed: "ikke behov",
	ReasonNoBudget: "budsjett ikke avklart", ReasonOther: "annet"}

func nbDate(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02.01.2006")
}

func windowPath(id int64) string { return fmt.Sprintf("/windows/%d", id) }
