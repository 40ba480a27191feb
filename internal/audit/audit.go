// Package audit records who changed what, when, with the values before and
// after. Every change to data writes an entry in the same transaction as the
// change itself, so a change without its record cannot land.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/uptrace/bun"
)

// Who made a change.
type Who struct {
	UserID int64 // 0 for Samla itself
	Name   string
}

// Change is one field's value before and after.
type Change struct {
	Field  string `json:"field"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// Entry is one row of the audit log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID        int64     `bun:"id,pk,autoincrement" json:"id"`
	At        time.Time `bun:"at" json:"at"`
	UserID    *int64    `bun:"user_id" json:"user_id,omitempty"`
	Actor     string    `bun:"actor" json:"actor"`
	Entity    string    `bun:"entity" json:"entity"`
	EntityID  int64     `bun:"entity_id" json:"entity_id"`
	LibraryID *int64    `bun:"library_id" json:"library_id,omitempty"`
	Action    string    `bun:"action" json:"action"`
	Changes   string    `bun:"changes" json:"-"`
	Reason    string    `bun:"reason" json:"reason,omitempty"`
}

// Record is what a service hands to Write.
type Record struct {
	Entity    string // "library", "contact", "ip_range", "user", "api_token"
	EntityID  int64
	LibraryID int64 // 0 when the change belongs to no library
	Action    string
	Changes   []Change
	Reason    string
}

// Write stores one audit entry through db, which should be the transaction
// that makes the change.
func Write(ctx context.Context, db bun.IDB, who Who, r Record) error {
	changes, err := json.Marshal(r.Changes)
	if err != nil {
		return fmt.Errorf("audit %s %d: encode changes: %w", r.Entity, r.EntityID, err)
	}
	e := &Entry{
		At: time.Now().UTC(), Actor: who.Name, Entity: r.Entity, EntityID: r.EntityID,
		Action: r.Action, Changes: string(changes), Reason: r.Reason,
	}
	if who.UserID != 0 {
		e.UserID = &who.UserID
	}
	if r.LibraryID != 0 {
		e.LibraryID = &r.LibraryID
	}
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("audit %s %d: %w", r.Entity, r.EntityID, err)
	}
	return nil
}

// ChangeList decodes the entry's changes.
func (e Entry) ChangeList() []Change {
	var cs []Change
	_ = json.Unmarshal([]byte(e.Changes), &cs) // written by Write; an old or odd row shows no changes rather than failing the page
	return cs
}

// MarshalJSON includes the decoded changes in API output.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	return json.Marshal(struct {
		plain
		Changes []Change `json:"changes"`
	}{plain(e), e.ChangeList()})
}

// Diff lists the fields whose values differ between two snapshots, in the
// order of fields. A nil before means creation; a nil after, deletion.
func Diff(fields []string, before, after map[string]any) []Change {
	var out []Change
	for _, f := range fields {
		var b, a any
		if before != nil {
			b = before[f]
		}
		if after != nil {
			a = after[f]
		}
		if isEmpty(b) && isEmpty(a) {
			continue
		}
		if reflect.DeepEqual(b, a) {
			continue
		}
		out = append(out, Change{Field: f, Before: b, After: a})
	}
	return out
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	case reflect.String:
		return rv.Len() == 0
	}
	return false
}

// Query selects audit entries, newest first.
type Query struct {
	Entity    string
	EntityID  int64
	LibraryID int64
	Limit     int
}

// List returns the entries matching q.
func List(ctx context.Context, db bun.IDB, q Query) ([]Entry, error) {
	var es []Entry
	sel := db.NewSelect().Model(&es).OrderExpr("id DESC")
	if q.Entity != "" {
		sel = sel.Where("entity = ?", q.Entity)
	}
	if q.EntityID != 0 {
		sel = sel.Where("entity_id = ?", q.EntityID)
	}
	if q.LibraryID != 0 {
		sel = sel.Where("library_id = ?", q.LibraryID)
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	if err := sel.Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return es, nil
}
