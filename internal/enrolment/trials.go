package enrolment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/validate"
)

// TrialInput starts a trial period of a product for some libraries.
type TrialInput struct {
	ProductID  int64         `json:"product_id"`
	StartsOn   calendar.Date `json:"starts_on"`
	EndsOn     calendar.Date `json:"ends_on"`
	LibraryIDs []int64       `json:"library_ids"`
	Notes      string        `json:"notes,omitempty"`
}

// Trial states, derived from the dates and the lapse.
const (
	TrialUpcoming = "upcoming"
	TrialRunning  = "running"
	TrialLapsed   = "lapsed" // ended; LapsedAt says when the libraries were asked whether to enrol
)

// MailTrialLapsed is the kind of the mail asking a library whether it wants
// to enrol after a trial (key trial-lapsed:<trial id>:<library id>).
const MailTrialLapsed = "trial_lapsed"

// TrialLibrary is one library in a trial.
type TrialLibrary struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	SubscriptionID int64  `json:"subscription_id"`
}

// TrialView is a trial with its product and libraries.
type TrialView struct {
	Trial
	ProductName string         `json:"product_name"`
	State       string         `json:"state"`
	Libraries   []TrialLibrary `json:"libraries"`
}

// CreateTrial starts a trial (consortium staff only) and gives each library
// a subscription for the trial's dates; their state is trial until the last
// day, then ended.
func (s *Service) CreateTrial(ctx context.Context, by auth.Actor, in TrialInput) (*Trial, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	var t *Trial
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ps []*validate.Problem
		bad := func(field, code, value string) {
			ps = append(ps, &validate.Problem{Field: field, Code: code, Value: value})
		}
		p, err := newObChecker(tx, "").product(ctx, in.ProductID)
		if errors.Is(err, ErrNotFound) {
			bad("product_id", "obligations.trial.product_unknown", strconv.FormatInt(in.ProductID, 10))
		} else if err != nil {
			return err
		}
		starts, err1 := calendar.Parse(string(in.StartsOn))
		if err1 != nil {
			bad("starts_on", "obligations.trial.starts_on", string(in.StartsOn))
		}
		ends, err2 := calendar.Parse(string(in.EndsOn))
		if err2 != nil {
			bad("ends_on", "obligations.trial.ends_on", string(in.EndsOn))
		}
		if err1 == nil && err2 == nil && ends.Before(starts) {
			bad("ends_on", "obligations.trial.ends_before_start", string(in.EndsOn))
		}
		ids := slices.Clone(in.LibraryIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		libs, err := obLibraries(ctx, tx, ids)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			bad("library_ids", "obligations.trial.no_libraries", "")
		}
		for _, id := range ids {
			if libs[id] == nil {
				bad("library_ids", "obligations.trial.library_unknown", strconv.FormatInt(id, 10))
			}
		}
		if len(ps) > 0 {
			return &ValidationError{Problems: ps}
		}
		t = &Trial{ProductID: p.ID, StartsOn: starts, EndsOn: ends, Notes: strings.TrimSpace(in.Notes), CreatedAt: s.now().UTC()}
		if _, err := tx.NewInsert().Model(t).Exec(ctx); err != nil {
			return fmt.Errorf("insert trial: %w", err)
		}
		names := make([]string, 0, len(ids))
		for _, id := range ids {
			names = append(names, libs[id].Name)
		}
		err = audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "trial", EntityID: t.ID, Action: "create",
			Changes: []audit.Change{{Field: "product", After: p.Name}, {Field: "starts_on", After: string(starts)},
				{Field: "ends_on", After: string(ends)}, {Field: "libraries", After: strings.Join(names, ", ")}, {Field: "notes", After: t.Notes}}})
		if err != nil {
			return err
		}
		for _, id := range ids {
			sub, err := s.EnsureSubscription(ctx, tx, Subscription{LibraryID: id, ProductID: p.ID, TrialID: &t.ID, StartsOn: starts, EndsOn: ends})
			if err != nil {
				return err
			}
			err = audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "subscription", EntityID: sub.ID, LibraryID: id, Action: "create",
				Changes: []audit.Change{{Field: "product", After: p.Name}, {Field: "trial", After: t.ID},
					{Field: "starts_on", After: string(starts)}, {Field: "ends_on", After: string(ends)}}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Trials lists trials, newest first: all of them for consortium staff; for
// county and library contacts those with their libraries (and only those
// libraries); for a vendor contact those of its products.
func (s *Service) Trials(ctx context.Context, by auth.Actor) ([]TrialView, error) {
	var rows []struct {
		Trial       `bun:",extend"`
		ProductName string `bun:"product_name"`
		VendorID    int64  `bun:"vendor_id"`
	}
	err := s.DB.NewSelect().Model(&rows).ColumnExpr("t.*").ColumnExpr("p.name AS product_name, p.vendor_id").
		Join("JOIN products AS p ON p.id = t.product_id").OrderExpr("t.starts_on DESC, t.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("trials: %w", err)
	}
	var links []struct {
		TrialID        int64  `bun:"trial_id"`
		SubscriptionID int64  `bun:"id"`
		LibraryID      int64  `bun:"library_id"`
		Name           string `bun:"name"`
		Country        string `bun:"country"`
		CountyNumber   string `bun:"county_number"`
	}
	err = s.DB.NewSelect().TableExpr("subscriptions AS s").ColumnExpr("s.trial_id, s.id, s.library_id, l.name, l.country, l.county_number").
		Join("JOIN libraries AS l ON l.id = s.library_id").Where("s.trial_id IS NOT NULL").OrderExpr("l.name").Scan(ctx, &links)
	if err != nil {
		return nil, fmt.Errorf("trial libraries: %w", err)
	}
	libs := map[int64][]TrialLibrary{}
	for _, m := range links {
		if by.Role == auth.RoleVendor || by.Sees(m.LibraryID, m.Country, m.CountyNumber) {
			libs[m.TrialID] = append(libs[m.TrialID], TrialLibrary{ID: m.LibraryID, Name: m.Name, SubscriptionID: m.SubscriptionID})
		}
	}
	day := today(s.now())
	var out []TrialView
	for _, r := range rows {
		if by.Role == auth.RoleVendor && r.VendorID != by.VendorID {
			continue
		}
		if !by.IsConsortium() && by.Role != auth.RoleVendor && len(libs[r.ID]) == 0 {
			continue
		}
		v := TrialView{Trial: r.Trial, ProductName: r.ProductName, State: TrialRunning, Libraries: libs[r.ID]}
		switch {
		case day.Before(r.StartsOn):
			v.State = TrialUpcoming
		case day.After(r.EndsOn):
			v.State = TrialLapsed
		}
		out = append(out, v)
	}
	return out, nil
}

// LapseTrials marks every trial whose last day has passed as lapsed and
// asks each of its libraries' primary contacts whether the library wants to
// enrol — once per library, however often it runs. The trial
// subscriptions need nothing: past their last day their state is ended.
func (s *Service) LapseTrials(ctx context.Context) error {
	day := today(s.now())
	var due []Trial
	if err := s.DB.NewSelect().Model(&due).Where("t.ends_on < ? AND t.lapsed_at IS NULL", string(day)).OrderExpr("t.id").Scan(ctx); err != nil {
		return fmt.Errorf("trials to lapse: %w", err)
	}
	var errs []error
	for _, t := range due {
		if err := s.lapseOneTrial(ctx, t); err != nil {
			errs = append(errs, fmt.Errorf("lapse trial %d: %w", t.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) lapseOneTrial(ctx context.Context, t Trial) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		at := s.now().UTC()
		res, err := tx.NewUpdate().Model((*Trial)(nil)).Set("lapsed_at = ?", at).Where("id = ? AND lapsed_at IS NULL", t.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another run got there first
		}
		if err := audit.Write(ctx, tx, auth.System.Who(), audit.Record{Entity: "trial", EntityID: t.ID, Action: "lapse",
			Changes: []audit.Change{{Field: "lapsed_at", After: at.Format("2006-01-02 15:04:05Z")}}}); err != nil {
			return err
		}
		p, err := newObChecker(tx, "").product(ctx, t.ProductID)
		if err != nil {
			return err
		}
		var subs []Subscription
		if err := tx.NewSelect().Model(&subs).Where("s.trial_id = ?", t.ID).OrderExpr("s.library_id").Scan(ctx); err != nil {
			return err
		}
		ids := make([]int64, 0, len(subs))
		for _, sub := range subs {
			ids = append(ids, sub.LibraryID)
		}
		libs, err := obLibraries(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			lib := libs[id]
			if lib == nil {
				continue
			}
			key := "trial-lapsed:" + strconv.FormatInt(t.ID, 10) + ":" + strconv.FormatInt(id, 10)
			args := map[string]any{"Library": lib.Name, "Product": p.Name, "StartsOn": t.StartsOn, "EndsOn": t.EndsOn}
			if err := obMailPrimary(ctx, tx, id, lib.Country, MailTrialLapsed, key, "obligations.mail.trial_lapsed", args); err != nil {
				return err
			}
		}
		return nil
	})
}
