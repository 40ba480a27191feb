package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/db"
)

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	Token  string    `bun:"token,pk"`
	Data   []byte    `bun:"data"`
	Expiry time.Time `bun:"expiry"`
}

// SessionStore keeps scs sessions in the database, so logins survive a
// restart and work the same on SQLite and PostgreSQL.
type SessionStore struct{ DB *db.DB }

// Find implements scs.Store.
func (s SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// FindCtx implements scs.CtxStore.
func (s SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	r := new(sessionRow)
	err := s.DB.NewSelect().Model(r).Where("token = ? AND expiry > ?", token, time.Now().UTC()).Scan(ctx)
	if err != nil {
		if errors.Is(err, db.ErrNoRows) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return r.Data, true, nil
}

// Commit implements scs.Store.
func (s SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// CommitCtx implements scs.CtxStore.
func (s SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	r := &sessionRow{Token: token, Data: b, Expiry: expiry.UTC()}
	_, err := s.DB.NewInsert().Model(r).On("CONFLICT (token) DO UPDATE").
		Set("data = EXCLUDED.data").Set("expiry = EXCLUDED.expiry").Exec(ctx)
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// Delete implements scs.Store.
func (s SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteCtx implements scs.CtxStore.
func (s SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.DB.NewDelete().Model((*sessionRow)(nil)).Where("token = ?", token).Exec(ctx); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PurgeExpired removes sessions past their expiry.
func (s SessionStore) PurgeExpired(ctx context.Context) error {
	_, err := s.DB.NewDelete().Model((*sessionRow)(nil)).Where("expiry <= ?", time.Now().UTC()).Exec(ctx)
	return err
}
