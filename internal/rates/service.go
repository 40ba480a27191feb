package rates

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/db"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/validate"
)

// Typed errors; the web layer maps them to status codes and messages.
var (
	ErrForbidden = errors.New("not allowed for this role")
	ErrNotFound  = errors.New("not found")
	// ErrNoRate means no rate for the currency is stored on or before the
	// day asked for. The wrapping error names both.
	ErrNoRate = errors.New("no exchange rate")
	// ErrBusy means another import wrote the same rates at the same
	// moment; trying again sorts it out.
	ErrBusy = errors.New("rates were being written by someone else; try again")
)

// ValidationError is the one validation error type of every domain.
type ValidationError = validate.Invalid

// ExchangeRate is one stored rate.
type ExchangeRate struct {
	bun.BaseModel `bun:"table:exchange_rates"`

	ID        int64         `bun:"id,pk,autoincrement" json:"id"`
	Currency  string        `bun:"currency" json:"currency"`
	Date      calendar.Date `bun:"rate_date" json:"date"`
	Rate      money.Rate    `bun:"rate_micro" json:"rate_micro"`
	Frequency string        `bun:"frequency" json:"frequency"`
	Source    string        `bun:"source" json:"source"`
	SourceRef string        `bun:"source_ref" json:"source_ref"` // file name, or the note of a manual rate
	CreatedBy string        `bun:"created_by" json:"created_by"`
	CreatedAt time.Time     `bun:"created_at" json:"created_at"`
}

// Service stores and looks up exchange rates. Only consortium admins and
// staff may change them; every change is written with its audit record in
// one transaction.
type Service struct {
	DB *db.DB
	// Now is the clock; tests set it. Nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Conflict is a rate in a file that differs from the one stored for the
// same currency, date and source.
type Conflict struct {
	Currency  string        `json:"currency"`
	Date      calendar.Date `json:"date"`
	Source    string        `json:"source"`
	Frequency string        `json:"frequency"`
	Stored    money.Rate    `json:"stored"`
	InFile    money.Rate    `json:"in_file"`
	Line      int           `json:"line"`
}

// Data is the message data for CodeConflict.
func (c Conflict) Data() map[string]any {
	return map[string]any{"Currency": c.Currency, "Date": string(c.Date), "Source": c.Source,
		"Stored": c.Stored.String(), "InFile": c.InFile.String(), "Line": c.Line}
}

// ConflictError refuses an import whose rates disagree with stored ones.
// Published central-bank rates are not revised, so a difference means a
// wrong or edited file, and invoices may already have been made with the
// stored rate: nothing is overwritten and nothing of the file is stored.
type ConflictError struct {
	Name      string
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	s := fmt.Sprintf("import %s: %d rate(s) differ from stored ones, nothing imported", e.Name, len(e.Conflicts))
	for i, c := range e.Conflicts {
		if i == MaxProblems {
			s += fmt.Sprintf("; and %d more", len(e.Conflicts)-i)
			break
		}
		s += fmt.Sprintf("; line %d: %s", c.Line, render(CodeConflict, c.Data()))
	}
	return s
}

// insert writes rows in batches: one statement per row would make the
// ECB's full history (tens of thousands of rates) slow.
func insert(ctx context.Context, tx bun.Tx, rows []ExchangeRate) error {
	const batch = 500
	for len(rows) > 0 {
		n := min(batch, len(rows))
		chunk := rows[:n]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			if db.IsUniqueViolation(err) {
				return ErrBusy
			}
			return fmt.Errorf("insert exchange rates: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}
