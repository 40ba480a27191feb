package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/audit"
	"github.com/samla-org/samla/internal/auth"
)

// View is a named filter shared by the team.
type View struct {
	bun.BaseModel `bun:"table:case_views,alias:cv"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	Name      string    `bun:"name" json:"name"`
	Query     string    `bun:"query" json:"query"`
	CreatedBy *int64    `bun:"created_by" json:"-"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
}

// Filter is the view's filter.
func (v View) Filter() Filter { return FilterFrom(parseQuery(v.Query)) }

// SaveView saves f under name; a view of the same name is replaced.
func (s *Service) SaveView(ctx context.Context, by auth.Actor, name string, f Filter) (*View, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > 80 {
		return nil, &ValidationError{Problems: problems{{Field: "name", Code: "cases.view.name_required", Value: name}}}
	}
	v := &View{Name: name, Query: f.Values().Encode(), CreatedBy: &by.UserID, CreatedAt: s.now()}
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(v).On("CONFLICT (name) DO UPDATE").Set("query = EXCLUDED.query").Exec(ctx); err != nil {
			return fmt.Errorf("save view %q: %w", name, err)
		}
		if err := tx.NewSelect().Model(v).Where("name = ?", name).Scan(ctx); err != nil {
			return fmt.Errorf("saved view %q: %w", name, err)
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case_view", EntityID: v.ID, Action: "saved",
			Changes: []audit.Change{{Field: "query", After: v.Query}}})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Views lists the saved views by name.
func (s *Service) Views(ctx context.Context, by auth.Actor) ([]View, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	var vs []View
	if err := s.DB.NewSelect().Model(&vs).OrderExpr("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("case views: %w", err)
	}
	return vs, nil
}

// DeleteView removes a saved view.
func (s *Service) DeleteView(ctx context.Context, by auth.Actor, id int64) error {
	if err := mayWork(by); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*View)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete view %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit.Write(ctx, tx, by.Who(), audit.Record{Entity: "case_view", EntityID: id, Action: "deleted"})
	})
}
