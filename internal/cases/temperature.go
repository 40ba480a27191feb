package cases

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/samla-org/samla/internal/auth"
)

// Temperature is the state of each service out there: how many cases it
// brings, how many are open and for how long, and how fast they are
// answered and solved.
type Temperature struct {
	Period string      `json:"period"` // week or month
	Starts []time.Time `json:"starts"` // the first day of each period, oldest first
	Rows   []TempRow   `json:"rows"`
}

// TempRow is one product or vendor.
type TempRow struct {
	Kind string `json:"kind"` // product or vendor
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// New counts the cases opened in each period of Temperature.Starts.
	New        []int         `json:"new"`
	Open       int           `json:"open"`
	OldestOpen time.Duration `json:"oldest_open_ns"`
	// FirstAnswer and Solve are medians over the cases opened in the
	// periods shown, with how many cases they are taken over.
	FirstAnswer      time.Duration `json:"first_answer_median_ns"`
	FirstAnswerCount int           `json:"first_answer_count"`
	Solve            time.Duration `json:"solve_median_ns"`
	SolveCount       int           `json:"solve_count"`
}

// Temperature counts per product and per vendor over the last n weeks or
// months (period "week" or "month"; n from 1 to 104).
func (s *Service) Temperature(ctx context.Context, by auth.Actor, period string, n int) (*Temperature, error) {
	if err := mayWork(by); err != nil {
		return nil, err
	}
	if period != "month" {
		period = "week"
	}
	if n < 1 || n > 104 {
		n = 12
	}
	now := s.now()
	t := &Temperature{Period: period, Starts: periodStarts(now, period, n)}
	from := t.Starts[0]

	var rows []struct {
		ID              int64      `bun:"id"`
		State           string     `bun:"state"`
		ProductID       *int64     `bun:"product_id"`
		VendorID        *int64     `bun:"vendor_id"`
		ProductName     string     `bun:"product_name"`
		VendorName      string     `bun:"vendor_name"`
		CreatedAt       time.Time  `bun:"created_at"`
		FirstResponseAt *time.Time `bun:"first_response_at"`
		SolvedAt        *time.Time `bun:"solved_at"`
	}
	err := s.DB.NewSelect().TableExpr("cases AS c").
		ColumnExpr("c.id, c.state, c.product_id, c.vendor_id, c.created_at, c.first_response_at, c.solved_at").
		ColumnExpr("COALESCE(p.name, '') AS product_name, COALESCE(v.name, '') AS vendor_name").
		Join("LEFT JOIN products AS p ON p.id = c.product_id").
		Join("LEFT JOIN vendors AS v ON v.id = c.vendor_id").
		Where("c.product_id IS NOT NULL OR c.vendor_id IS NOT NULL").
		Where("c.created_at >= ? OR c.state NOT IN (?)", from, bun.In([]string{StateSolved, StateClosed})).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("temperature: %w", err)
	}

	type acc struct {
		row            *TempRow
		answer, solved []time.Duration
	}
	accs := map[string]*acc{}
	get := func(kind string, id int64, name string) *acc {
		k := fmt.Sprintf("%s:%d", kind, id)
		if a, ok := accs[k]; ok {
			return a
		}
		a := &acc{row: &TempRow{Kind: kind, ID: id, Name: name, New: make([]int, n)}}
		accs[k] = a
		return a
	}
	for _, r := range rows {
		var targets []*acc
		if r.ProductID != nil {
			targets = append(targets, get("product", *r.ProductID, r.ProductName))
		}
		if r.VendorID != nil {
			targets = append(targets, get("vendor", *r.VendorID, r.VendorName))
		}
		for _, a := range targets {
			if i := periodIndex(t.Starts, r.CreatedAt); i >= 0 {
				a.row.New[i]++
				if r.FirstResponseAt != nil {
					a.answer = append(a.answer, r.FirstResponseAt.Sub(r.CreatedAt))
				}
				if r.SolvedAt != nil {
					a.solved = append(a.solved, r.SolvedAt.Sub(r.CreatedAt))
				}
			}
			if r.State != StateSolved && r.State != StateClosed {
				a.row.Open++
				if age := now.Sub(r.CreatedAt); age > a.row.OldestOpen {
					a.row.OldestOpen = age
				}
			}
		}
	}
	for _, a := range accs {
		a.row.FirstAnswer, a.row.FirstAnswerCount = median(a.answer), len(a.answer)
		a.row.Solve, a.row.SolveCount = median(a.solved), len(a.solved)
		t.Rows = append(t.Rows, *a.row)
	}
	// The services in most trouble first: most open, then most new lately.
	sort.Slice(t.Rows, func(i, j int) bool {
		a, b := t.Rows[i], t.Rows[j]
		if a.Kind != b.Kind {
			return a.Kind == "product"
		}
		if a.Open != b.Open {
			return a.Open > b.Open
		}
		if la, lb := a.New[n-1], b.New[n-1]; la != lb {
			return la > lb
		}
		return a.Name < b.Name
	})
	return t, nil
}

// periodStarts are the starts of the n periods ending with the current
// one: Mondays (ISO weeks, as Norwegian and Swedish calendars count) or
// the first of the month, in UTC.
func periodStarts(now time.Time, period string, n int) []time.Time {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	out := make([]time.Time, n)
	if period == "month" {
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			out[n-1-i] = first.AddDate(0, -i, 0)
		}
		return out
	}
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	for i := 0; i < n; i++ {
		out[n-1-i] = monday.AddDate(0, 0, -7*i)
	}
	return out
}

func periodIndex(starts []time.Time, t time.Time) int {
	if len(starts) == 0 || t.Before(starts[0]) {
		return -1
	}
	return sort.Search(len(starts), func(i int) bool { return starts[i].After(t) }) - 1
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	m := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[m]
	}
	return (ds[m-1] + ds[m]) / 2
}
