package products

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/validate"
)

// TrainingKinds in the order pages list them.
var TrainingKinds = []string{TrainingRecording, TrainingGuide, TrainingUpcoming}

// TrainingInput is a new piece of training material. A recording and a guide
// need a URL; an upcoming webinar needs a start time (its URL, the sign-up
// page, is optional). Subtitled applies to recordings.
type TrainingInput struct {
	Kind      string     `json:"kind" enum:"recording,guide,upcoming"`
	Title     string     `json:"title"`
	URL       string     `json:"url,omitempty"`
	Lang      string     `json:"lang,omitempty" doc:"Language of the material: nb (default), sv or en"`
	Subtitled bool       `json:"subtitled,omitempty"`
	StartsAt  *time.Time `json:"starts_at,omitempty"`
}

var trainingFields = []string{"product_id", "kind", "title", "url", "lang", "subtitled", "starts_at"}

func (m *TrainingMaterial) snapshot() map[string]any {
	var starts any
	if m.StartsAt != nil {
		starts = m.StartsAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{"product_id": m.ProductID, "kind": m.Kind, "title": m.Title, "url": m.URL,
		"lang": m.Lang, "subtitled": m.Subtitled, "starts_at": starts}
}

func normaliseTraining(in TrainingInput) (*TrainingMaterial, error) {
	var ps problems
	m := &TrainingMaterial{Kind: strings.TrimSpace(in.Kind), Title: strings.Join(strings.Fields(in.Title), " "),
		Lang: strings.TrimSpace(in.Lang), Subtitled: in.Subtitled}
	if !slices.Contains(TrainingKinds, m.Kind) {
		ps.Addf("kind", "training.kind.unknown", in.Kind, nil)
	}
	if m.Title == "" {
		ps.Addf("title", "training.title.required", "", nil)
	}
	if m.Lang == "" {
		m.Lang = "nb"
	} else if !slices.Contains(TextLangs, m.Lang) {
		ps.Addf("lang", "products.lang.unknown", in.Lang, nil)
	}
	if u := strings.TrimSpace(in.URL); u != "" {
		w, p := validate.Website(u)
		if p != nil {
			p.Field = "url"
		}
		ps.Add(p)
		m.URL = w
	} else if m.Kind == TrainingRecording || m.Kind == TrainingGuide {
		ps.Addf("url", "training.url.required", "", nil)
	}
	if m.Kind == TrainingUpcoming {
		if in.StartsAt == nil || in.StartsAt.IsZero() {
			ps.Addf("starts_at", "training.starts_at.required", "", nil)
		} else {
			t := in.StartsAt.UTC().Truncate(time.Minute)
			m.StartsAt = &t
		}
	}
	if m.Kind != TrainingRecording {
		m.Subtitled = false
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// AddTraining adds training material to a product; consortium only.
func (s *Service) AddTraining(ctx context.Context, by auth.Actor, productID int64, in TrainingInput) (*TrainingMaterial, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	m, err := normaliseTraining(in)
	if err != nil {
		return nil, err
	}
	m.ProductID, m.CreatedAt = productID, time.Now().UTC()
	err = s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := getProduct(ctx, tx, productID); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("insert training material: %w", err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "training_material", EntityID: m.ID, Action: "create",
			Changes: audit.Diff(trainingFields, nil, m.snapshot())})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveTraining removes one piece of a product's training material.
func (s *Service) RemoveTraining(ctx context.Context, by auth.Actor, productID, id int64) error {
	if !by.IsConsortium() {
		return ErrForbidden
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		m := new(TrainingMaterial)
		if err := tx.NewSelect().Model(m).Where("id = ? AND product_id = ?", id, productID).Scan(ctx); err != nil {
			if db.IsNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("training material %d: %w", id, err)
		}
		if _, err := tx.NewDelete().Model(m).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("delete training material %d: %w", id, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "training_material", EntityID: id, Action: "delete",
			Changes: audit.Diff(trainingFields, m.snapshot(), nil)})
	})
}

// Training lists all of a product's training material the actor may see,
// past webinars included: recordings, guides, then webinars by start.
func (s *Service) Training(ctx context.Context, by auth.Actor, productID int64) ([]TrainingMaterial, error) {
	if _, err := s.Product(ctx, by, productID); err != nil {
		return nil, err
	}
	ms, err := loadTraining(ctx, s.DB, []int64{productID})
	if err != nil {
		return nil, err
	}
	return ms[productID], nil
}

func loadTraining(ctx context.Context, idb bun.IDB, productIDs []int64) (map[int64][]TrainingMaterial, error) {
	out := map[int64][]TrainingMaterial{}
	if len(productIDs) == 0 {
		return out, nil
	}
	var ms []TrainingMaterial
	if err := idb.NewSelect().Model(&ms).Where("product_id IN (?)", bun.In(productIDs)).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("training material: %w", err)
	}
	sortTraining(ms)
	for _, m := range ms {
		out[m.ProductID] = append(out[m.ProductID], m)
	}
	return out, nil
}

func sortTraining(ms []TrainingMaterial) {
	rank := func(k string) int { return slices.Index(TrainingKinds, k) }
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Kind != b.Kind {
			return rank(a.Kind) < rank(b.Kind)
		}
		if a.StartsAt != nil && b.StartsAt != nil && !a.StartsAt.Equal(*b.StartsAt) {
			return a.StartsAt.Before(*b.StartsAt)
		}
		return false
	})
}

// ForCatalogue keeps recordings, guides and the webinars that have not yet
// started, in list order: past webinars are hidden from the catalogue.
func ForCatalogue(ms []TrainingMaterial, now time.Time) []TrainingMaterial {
	out := []TrainingMaterial{}
	for _, m := range ms {
		if m.Kind == TrainingUpcoming && (m.StartsAt == nil || m.StartsAt.Before(now)) {
			continue
		}
		out = append(out, m)
	}
	return out
}
