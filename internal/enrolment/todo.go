package enrolment

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/mail"
	"github.com/samla-org/samla/internal/members"
)

// Kinds of to-do item.
const (
	ToDoTerms     = "terms"     // accept the current licence version of a product
	ToDoAgreement = "agreement" // sign a data processing agreement with a vendor
	ToDoWindow    = "window"    // answer the offers of an open enrolment window
	ToDoTrial     = "trial"     // a trial lapsed: does the library want to enrol?
)

// TrialAnswerDays is how long after its last day a lapsed trial stays on a
// library's to-do list while the library has neither enrolled nor answered.
const TrialAnswerDays = 60

// ToDoItem is one thing that waits on a library. MessageID (obligations.todo.*)
// with Args is the sentence to show; the other fields are for links.
type ToDoItem struct {
	Kind           string         `json:"kind"`
	MessageID      string         `json:"message_id"`
	Args           map[string]any `json:"args,omitempty"`
	ProductID      int64          `json:"product_id,omitempty"`
	ProductName    string         `json:"product_name,omitempty"`
	ProductSlug    string         `json:"product_slug,omitempty"`
	LicenceVersion int            `json:"licence_version,omitempty"` // terms: the version to accept
	VendorID       int64          `json:"vendor_id,omitempty"`
	VendorName     string         `json:"vendor_name,omitempty"`
	WindowID       int64          `json:"window_id,omitempty"` // window; trial: an open window that offers the product
	WindowName     string         `json:"window_name,omitempty"`
	TrialID        int64          `json:"trial_id,omitempty"`
	Unanswered     int            `json:"unanswered,omitempty"` // window: offers without an answer
	Due            calendar.Date  `json:"due,omitempty"`        // first day of the subscription, or the window's last day
	Link           string         `json:"link,omitempty"`       // terms: /terms/<product id>?library=<id>; window (and trial with a window): /windows/<id>
}

// ToDo lists what waits on a library, soonest due first: licence terms to
// accept, data processing agreements to sign, open windows with unanswered
// offers, and lapsed trials that await an answer. For whoever acts for the
// library (its contacts, its county contact, consortium staff).
func (s *Service) ToDo(ctx context.Context, by auth.Actor, libraryID int64) ([]ToDoItem, error) {
	lib, err := obLibrary(ctx, s.DB, libraryID)
	if err != nil {
		return nil, err
	}
	if !by.ActsFor(lib.ID, lib.Country, lib.CountyNumber) {
		return nil, ErrNotFound
	}
	day := today(s.now())
	items, err := s.todoObligations(ctx, libraryID, day)
	if err != nil {
		return nil, err
	}
	windows, err := s.todoWindows(ctx, libraryID, day)
	if err != nil {
		return nil, err
	}
	trials, err := s.todoTrials(ctx, libraryID, day)
	if err != nil {
		return nil, err
	}
	items = append(append(items, windows...), trials...)
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Due, items[j].Due
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a < b
	})
	return items, nil
}

// todoObligations turns the blockers of the library's subscriptions into
// items: one per product for terms (when there is a licence to accept), one
// per vendor for agreements.
func (s *Service) todoObligations(ctx context.Context, libraryID int64, day calendar.Date) ([]ToDoItem, error) {
	var subs []Subscription
	err := s.DB.NewSelect().Model(&subs).Where("s.library_id = ? AND s.trial_id IS NULL AND s.ends_on >= ?", libraryID, string(day)).
		OrderExpr("s.starts_on, s.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of library %d: %w", libraryID, err)
	}
	c := newObChecker(s.DB, day)
	var items []ToDoItem
	terms := map[int64]bool{}
	vendors := map[int64]int{} // vendor → index in items
	for _, sub := range subs {
		v, err := c.view(ctx, sub)
		if err != nil {
			return nil, err
		}
		for _, b := range v.Blockers {
			switch {
			case b.Kind == BlockedTerms && b.LicenceVersion > 0 && !terms[v.ProductID]:
				terms[v.ProductID] = true
				items = append(items, ToDoItem{Kind: ToDoTerms, MessageID: "obligations.todo.terms",
					Args:      map[string]any{"Product": v.ProductName, "Version": b.LicenceVersion},
					ProductID: v.ProductID, ProductName: v.ProductName, ProductSlug: v.ProductSlug, LicenceVersion: b.LicenceVersion,
					VendorID: v.VendorID, VendorName: v.VendorName, Due: v.StartsOn, Link: "/terms/" + strconv.FormatInt(v.ProductID, 10) + "?library=" + strconv.FormatInt(libraryID, 10)})
			case b.Kind == BlockedAgreement:
				if i, ok := vendors[v.VendorID]; ok {
					if ps := items[i].Args["Products"].(string); !strings.Contains(", "+ps+", ", ", "+v.ProductName+", ") {
						items[i].Args["Products"] = ps + ", " + v.ProductName
					}
					continue
				}
				vendors[v.VendorID] = len(items)
				items = append(items, ToDoItem{Kind: ToDoAgreement, MessageID: "obligations.todo.agreement",
					Args:      map[string]any{"Vendor": v.VendorName, "Products": v.ProductName},
					ProductID: v.ProductID, ProductName: v.ProductName, ProductSlug: v.ProductSlug,
					VendorID: v.VendorID, VendorName: v.VendorName, Due: v.StartsOn})
			}
		}
	}
	return items, nil
}

// todoWindows lists the open windows (today between opens_on and closes_on)
// with offers the library has not answered.
func (s *Service) todoWindows(ctx context.Context, libraryID int64, day calendar.Date) ([]ToDoItem, error) {
	var rows []struct {
		ID         int64         `bun:"id"`
		Name       string        `bun:"name"`
		ClosesOn   calendar.Date `bun:"closes_on"`
		Unanswered int           `bun:"unanswered"`
	}
	err := s.DB.NewSelect().TableExpr("enrolment_windows AS w").
		ColumnExpr("w.id, w.name, w.closes_on, COUNT(*) AS unanswered").
		Join("JOIN window_offers AS wo ON wo.window_id = w.id").
		Where("w.opens_on <= ? AND w.closes_on >= ?", string(day), string(day)).
		Where("NOT EXISTS (SELECT 1 FROM enrolments AS e WHERE e.window_id = w.id AND e.offer_id = wo.offer_id AND e.library_id = ?)", libraryID).
		GroupExpr("w.id, w.name, w.closes_on").OrderExpr("w.closes_on, w.id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("open windows for library %d: %w", libraryID, err)
	}
	items := make([]ToDoItem, 0, len(rows))
	for _, r := range rows {
		items = append(items, ToDoItem{Kind: ToDoWindow, MessageID: "obligations.todo.window",
			Args:     map[string]any{"Window": r.Name, "Unanswered": r.Unanswered, "Due": r.ClosesOn},
			WindowID: r.ID, WindowName: r.Name, Unanswered: r.Unanswered, Due: r.ClosesOn, Link: "/windows/" + strconv.FormatInt(r.ID, 10)})
	}
	return items, nil
}

// todoTrials lists lapsed trials of the library, ended at most
// TrialAnswerDays ago, after which it has neither a subscription to the
// product nor an answer to an offer of it in a window that closed after
// the trial began.
func (s *Service) todoTrials(ctx context.Context, libraryID int64, day calendar.Date) ([]ToDoItem, error) {
	var rows []struct {
		ID          int64         `bun:"id"`
		ProductID   int64         `bun:"product_id"`
		EndsOn      calendar.Date `bun:"ends_on"`
		ProductName string        `bun:"product_name"`
		ProductSlug string        `bun:"product_slug"`
	}
	err := s.DB.NewSelect().TableExpr("trials AS t").
		ColumnExpr("t.id, t.product_id, t.ends_on, p.name AS product_name, p.slug AS product_slug").
		Join("JOIN subscriptions AS s ON s.trial_id = t.id AND s.library_id = ?", libraryID).
		Join("JOIN products AS p ON p.id = t.product_id").
		Where("t.lapsed_at IS NOT NULL AND t.ends_on >= ?", string(day.AddDays(-TrialAnswerDays))).
		Where(`NOT EXISTS (SELECT 1 FROM subscriptions AS s2 WHERE s2.library_id = s.library_id AND s2.product_id = t.product_id
			AND s2.trial_id IS NULL AND s2.ends_on >= ?)`, string(day)).
		Where(`NOT EXISTS (SELECT 1 FROM enrolments AS e JOIN offers AS o ON o.id = e.offer_id
			JOIN enrolment_windows AS w ON w.id = e.window_id
			WHERE e.library_id = s.library_id AND o.product_id = t.product_id AND w.closes_on >= t.starts_on)`).
		OrderExpr("t.ends_on, t.id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("lapsed trials of library %d: %w", libraryID, err)
	}
	items := make([]ToDoItem, 0, len(rows))
	for _, r := range rows {
		it := ToDoItem{Kind: ToDoTrial, MessageID: "obligations.todo.trial", TrialID: r.ID,
			Args:      map[string]any{"Product": r.ProductName, "EndsOn": r.EndsOn},
			ProductID: r.ProductID, ProductName: r.ProductName, ProductSlug: r.ProductSlug}
		var w struct {
			ID       int64         `bun:"id"`
			Name     string        `bun:"name"`
			ClosesOn calendar.Date `bun:"closes_on"`
		}
		err := s.DB.NewSelect().TableExpr("enrolment_windows AS w").ColumnExpr("w.id, w.name, w.closes_on").
			Join("JOIN window_offers AS wo ON wo.window_id = w.id").Join("JOIN offers AS o ON o.id = wo.offer_id").
			Where("o.product_id = ? AND w.opens_on <= ? AND w.closes_on >= ?", r.ProductID, string(day), string(day)).
			OrderExpr("w.closes_on, w.id").Limit(1).Scan(ctx, &w)
		switch {
		case err == nil:
			it.WindowID, it.WindowName, it.Due, it.Link = w.ID, w.Name, w.ClosesOn, "/windows/"+strconv.FormatInt(w.ID, 10)
		case !errors.Is(err, db.ErrNoRows):
			return nil, fmt.Errorf("window offering product %d: %w", r.ProductID, err)
		}
		items = append(items, it)
	}
	return items, nil
}

// obPrimaryContact is the library's primary contact, or nil when it has none.
func obPrimaryContact(ctx context.Context, idb bun.IDB, libraryID int64) (*members.Contact, error) {
	lc := new(members.LibraryContact)
	err := idb.NewSelect().Model(lc).Relation("Contact").
		Where("lc.library_id = ? AND lc.role = ?", libraryID, members.ContactPrimary).OrderExpr("lc.id").Limit(1).Scan(ctx)
	if errors.Is(err, db.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("primary contact of library %d: %w", libraryID, err)
	}
	return lc.Contact, nil
}

var obCatalog = sync.OnceValues(i18n.Load)

// obMailPrimary puts a mail to the library's primary contact in the outbox
// through tx, in Swedish for a Swedish library and Bokmål otherwise, from
// the messages msg.subject and msg.body. A library without a primary
// contact gets none: its to-do list still shows the matter.
func obMailPrimary(ctx context.Context, tx bun.IDB, libraryID int64, country, kind, key, msg string, args map[string]any) error {
	c, err := obPrimaryContact(ctx, tx, libraryID)
	if err != nil || c == nil {
		return err
	}
	cat, err := obCatalog()
	if err != nil {
		return fmt.Errorf("message catalogue: %w", err)
	}
	lang := i18n.Default
	if country == "SE" {
		lang = "sv"
	}
	data := maps.Clone(args)
	data["Name"] = c.Name
	for k, v := range data {
		if d, ok := v.(calendar.Date); ok && lang == "nb" {
			data[k] = d.Time().Format("02.01.2006") // Norwegian readers write days as 16.10.2026
		}
	}
	body := cat.T(lang, "obligations.mail.greeting", data) + "\n\n" + cat.T(lang, msg+".body", data) + "\n\n" +
		cat.T(lang, "obligations.mail.signature", data) + "\n"
	_, err = mail.Enqueue(ctx, tx, mail.Message{DedupeKey: key, Kind: kind, To: c.Email,
		Subject: cat.T(lang, msg+".subject", data), Body: body})
	return err
}
