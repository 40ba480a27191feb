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
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// DefaultReminderDays is how many days before closing the reminder goes
// out when a window does not say.
const DefaultReminderDays = 7

// Window statuses, as Status reports them.
const (
	WindowUpcoming = "upcoming"
	WindowOpen     = "open"
	WindowClosed   = "closed"
)

// WindowInput creates or changes an enrolment window. ReminderDays nil
// means DefaultReminderDays; 0 sends the reminder on the closing day.
type WindowInput struct {
	Name         string        `json:"name"`
	OpensOn      calendar.Date `json:"opens_on"`
	ClosesOn     calendar.Date `json:"closes_on"`
	ReminderDays *int          `json:"reminder_days,omitempty"`
	OfferIDs     []int64       `json:"offer_ids"`
}

// IsOpen reports whether libraries may answer in w at now: today in
// Europe/Oslo is between the opening and closing days, both included.
func IsOpen(w Window, now time.Time) bool { return today(now).Within(w.OpensOn, w.ClosesOn) }

// Status is upcoming, open or closed at now (Europe/Oslo days).
func (w Window) Status(now time.Time) string {
	d := today(now)
	switch {
	case d.Before(w.OpensOn):
		return WindowUpcoming
	case d.After(w.ClosesOn):
		return WindowClosed
	}
	return WindowOpen
}

// Days is the window's length in days, the opening and closing days both
// counted (16 Oct–12 Nov is 28 days: four weeks, the most the consortium
// wants); more than MaxWindowDays draws a warning.
func (w Window) Days() int { return w.OpensOn.DaysUntil(w.ClosesOn) + 1 }

var windowFields = []string{"name", "opens_on", "closes_on", "reminder_days", "offers"}

func (w *Window) snapshot(offerIDs []int64) map[string]any {
	ids := make([]string, len(offerIDs))
	for i, id := range offerIDs {
		ids[i] = fmt.Sprint(id)
	}
	return map[string]any{"name": w.Name, "opens_on": string(w.OpensOn), "closes_on": string(w.ClosesOn),
		"reminder_days": w.ReminderDays, "offers": strings.Join(ids, ",")}
}

// CreateWindow adds an enrolment window with its offers; consortium admins
// and staff. A window longer than four weeks is saved with a warning. A
// window that is open already is opened at once (renewals, notices).
func (s *Service) CreateWindow(ctx context.Context, by auth.Actor, in WindowInput) (*Window, []*validate.Problem, error) {
	if !by.IsConsortium() {
		return nil, nil, ErrForbidden
	}
	var w *Window
	var warns []*validate.Problem
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ids []int64
		var err error
		if w, ids, warns, err = normaliseWindow(ctx, tx, in); err != nil {
			return err
		}
		w.CreatedAt = s.now().UTC()
		if _, err := tx.NewInsert().Model(w).Exec(ctx); err != nil {
			return fmt.Errorf("insert window: %w", err)
		}
		if err := setWindowOffers(ctx, tx, w.ID, ids); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "window", EntityID: w.ID, Action: "create",
			Changes: audit.Diff(windowFields, nil, w.snapshot(ids))}); err != nil {
			return err
		}
		if IsOpen(*w, s.now()) {
			return s.openWindowTx(ctx, tx, w)
		}
		return nil
	})
	if err != nil {
		return nil, warns, err
	}
	return w, warns, nil
}

// UpdateWindow changes a window. Its opening day and its offers can change
// only until it opens; its name, closing day and reminder at any time.
func (s *Service) UpdateWindow(ctx context.Context, by auth.Actor, id int64, in WindowInput) (*Window, []*validate.Problem, error) {
	if !by.IsConsortium() {
		return nil, nil, ErrForbidden
	}
	var w *Window
	var warns []*validate.Problem
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := getWindow(ctx, tx, id)
		if err != nil {
			return err
		}
		oldIDs, err := windowOfferIDs(ctx, tx, id)
		if err != nil {
			return err
		}
		var ids []int64
		if w, ids, warns, err = normaliseWindow(ctx, tx, in); err != nil {
			return err
		}
		if !today(s.now()).Before(old.OpensOn) {
			var ps problems
			if w.OpensOn != old.OpensOn {
				ps.Addf("opens_on", "enrolment.window.opens_locked", string(w.OpensOn), nil)
			}
			if !slices.Equal(ids, oldIDs) {
				ps.Addf("offer_ids", "enrolment.window.offers_locked", "", nil)
			}
			if err := ps.Err(); err != nil {
				return err
			}
		}
		changes := audit.Diff(windowFields, old.snapshot(oldIDs), w.snapshot(ids))
		if len(changes) == 0 {
			w = old
			return nil
		}
		w.ID, w.CreatedAt, w.OpenedMailedAt, w.ReminderMailedAt = old.ID, old.CreatedAt, old.OpenedMailedAt, old.ReminderMailedAt
		if _, err := tx.NewUpdate().Model(w).Column("name", "opens_on", "closes_on", "reminder_days").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("update window %d: %w", id, err)
		}
		if !slices.Equal(ids, oldIDs) {
			if _, err := tx.NewDelete().Model((*WindowOffer)(nil)).Where("window_id = ?", id).Exec(ctx); err != nil {
				return fmt.Errorf("offers of window %d: %w", id, err)
			}
			if err := setWindowOffers(ctx, tx, id, ids); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "window", EntityID: w.ID, Action: "update", Changes: changes}); err != nil {
			return err
		}
		if IsOpen(*w, s.now()) {
			return s.openWindowTx(ctx, tx, w)
		}
		return nil
	})
	if err != nil {
		return nil, warns, err
	}
	return w, warns, nil
}

// GetWindow loads a window; everyone but vendor contacts may read windows.
func (s *Service) GetWindow(ctx context.Context, by auth.Actor, id int64) (*Window, error) {
	if by.Role == auth.RoleVendor || !by.Role.Valid() {
		return nil, ErrForbidden
	}
	return getWindow(ctx, s.DB, id)
}

// Windows lists the windows, the latest opening first.
func (s *Service) Windows(ctx context.Context, by auth.Actor) ([]Window, error) {
	if by.Role == auth.RoleVendor || !by.Role.Valid() {
		return nil, ErrForbidden
	}
	var ws []Window
	if err := s.DB.NewSelect().Model(&ws).OrderExpr("w.opens_on DESC, w.id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list windows: %w", err)
	}
	return ws, nil
}

// WindowOffers lists a window's offers with product and agreement, by product name.
func (s *Service) WindowOffers(ctx context.Context, by auth.Actor, windowID int64) ([]OfferDetail, error) {
	if _, err := s.GetWindow(ctx, by, windowID); err != nil {
		return nil, err
	}
	return windowOfferDetails(ctx, s.DB, windowID)
}

func windowOfferDetails(ctx context.Context, idb bun.IDB, windowID int64) ([]OfferDetail, error) {
	var os []Offer
	err := idb.NewSelect().Model(&os).Where("o.id IN (SELECT offer_id FROM window_offers WHERE window_id = ?)", windowID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("offers of window %d: %w", windowID, err)
	}
	return offerDetails(ctx, idb, os)
}

func getWindow(ctx context.Context, idb bun.IDB, id int64) (*Window, error) {
	w := new(Window)
	if err := idb.NewSelect().Model(w).Where("w.id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("window %d: %w", id, err)
	}
	return w, nil
}

func windowOfferIDs(ctx context.Context, idb bun.IDB, windowID int64) ([]int64, error) {
	var ids []int64
	err := idb.NewSelect().Model((*WindowOffer)(nil)).Column("offer_id").Where("window_id = ?", windowID).
		OrderExpr("offer_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("offers of window %d: %w", windowID, err)
	}
	return ids, nil
}

func setWindowOffers(ctx context.Context, tx bun.IDB, windowID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([]WindowOffer, len(ids))
	for i, id := range ids {
		rows[i] = WindowOffer{WindowID: windowID, OfferID: id}
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("offers of window %d: %w", windowID, err)
	}
	return nil
}

// normaliseWindow checks an input; it returns the window, its offer ids
// (sorted, without repeats) and warnings.
func normaliseWindow(ctx context.Context, tx bun.IDB, in WindowInput) (*Window, []int64, []*validate.Problem, error) {
	var ps, warns problems
	w := &Window{Name: strings.TrimSpace(in.Name), ReminderDays: DefaultReminderDays}
	if w.Name == "" {
		ps.Addf("name", "enrolment.name.required", "", nil)
	}
	w.OpensOn = requiredDate(&ps, "opens_on", in.OpensOn)
	w.ClosesOn = requiredDate(&ps, "closes_on", in.ClosesOn)
	if !w.OpensOn.IsZero() && !w.ClosesOn.IsZero() {
		if w.ClosesOn.Before(w.OpensOn) {
			ps.Addf("closes_on", "enrolment.window.order", string(w.ClosesOn), map[string]any{"Opens": string(w.OpensOn)})
		} else if days := w.Days(); days > MaxWindowDays {
			warns.Addf("closes_on", "enrolment.window.too_long", string(w.ClosesOn), map[string]any{"Days": days, "Max": MaxWindowDays})
		}
	}
	if in.ReminderDays != nil {
		w.ReminderDays = *in.ReminderDays
		if w.ReminderDays < 0 || w.ReminderDays > 90 {
			ps.Addf("reminder_days", "enrolment.window.reminder_range", fmt.Sprint(w.ReminderDays), map[string]any{"Max": 90})
		}
	}
	ids := slices.Clone(in.OfferIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > 0 {
		var os []Offer
		if err := tx.NewSelect().Model(&os).Where("o.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return nil, nil, nil, fmt.Errorf("offers %v: %w", ids, err)
		}
		found := map[int64]*Offer{}
		for i := range os {
			found[os[i].ID] = &os[i]
		}
		for _, id := range ids {
			switch o := found[id]; {
			case o == nil:
				ps.Addf("offer_ids", "enrolment.offer.unknown", fmt.Sprint(id), nil)
			case !o.Orderable():
				ps.Addf("offer_ids", "enrolment.offer.no_price", fmt.Sprint(id), nil)
			}
		}
	}
	if err := ps.Err(); err != nil {
		return nil, nil, warns, err
	}
	return w, ids, warns, nil
}
