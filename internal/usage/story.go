package usage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/samla-org/samla/internal/auth"
)

// Story is the month's statistics, as the consortium tells them on its
// blog: the headline numbers, how they moved, and what moved them.
type Story struct {
	Month     string `json:"month"`
	PrevMonth string `json:"prev_month"`
	LastYear  string `json:"last_year"` // the same month a year before
	// Requests and Searches are the consortium's totals (PR:
	// Total_Item_Requests and Searches_Platform) this month, the month
	// before and the same month last year.
	Requests, RequestsPrev, RequestsLastYear int64
	Searches, SearchesPrev, SearchesLastYear int64
	Libraries                                int // libraries with usage this month
	// Platforms are this month's platforms by requests, with the change
	// from the month before; Movers are the biggest changes either way.
	Platforms []Mover    `json:"platforms"`
	Movers    []Mover    `json:"movers"`
	Titles    []TitleUse `json:"titles"`
	// Trend is the consortium's requests for the twelve months up to this.
	Trend *Table `json:"trend"`
}

// Mover is a platform's requests this month and the month before.
type Mover struct {
	Name     string `json:"name"`
	Count    int64  `json:"count"`
	Previous int64  `json:"previous"`
}

// Change is Count − Previous.
func (m Mover) Change() int64 { return m.Count - m.Previous }

// MonthStory gathers the story of month ("YYYY-MM").
func (s *Service) MonthStory(ctx context.Context, by auth.Actor, month string) (*Story, error) {
	if !by.IsConsortium() {
		return nil, ErrForbidden
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, &ValidationError{Problems: problemsOf("month", "usage.query.months", month)}
	}
	st := &Story{Month: month, PrevMonth: m.AddDate(0, -1, 0).Format("2006-01"), LastYear: m.AddDate(-1, 0, 0).Format("2006-01")}
	sum := func(metricName, mo string) (int64, error) {
		t, err := s.Usage(ctx, by, Query{From: mo, To: mo, Report: "PR", Metric: metricName}, "month")
		if err != nil {
			return 0, err
		}
		return t.Total.Total, nil
	}
	for _, x := range []struct {
		dst    *int64
		metric string
		month  string
	}{{&st.Requests, "Total_Item_Requests", month}, {&st.RequestsPrev, "Total_Item_Requests", st.PrevMonth},
		{&st.RequestsLastYear, "Total_Item_Requests", st.LastYear}, {&st.Searches, "Searches_Platform", month},
		{&st.SearchesPrev, "Searches_Platform", st.PrevMonth}, {&st.SearchesLastYear, "Searches_Platform", st.LastYear}} {
		if *x.dst, err = sum(x.metric, x.month); err != nil {
			return nil, err
		}
	}
	libs, err := s.Usage(ctx, by, Query{From: month, To: month, Report: "PR"}, "library")
	if err != nil {
		return nil, err
	}
	for _, r := range libs.Rows {
		if r.Total > 0 {
			st.Libraries++
		}
	}
	plats, err := s.Usage(ctx, by, Query{From: st.PrevMonth, To: month, Report: "PR"}, "platform")
	if err != nil {
		return nil, err
	}
	for _, r := range plats.Rows {
		st.Platforms = append(st.Platforms, Mover{Name: r.Name, Count: r.PerMonth[month], Previous: r.PerMonth[st.PrevMonth]})
	}
	sort.SliceStable(st.Platforms, func(i, j int) bool { return st.Platforms[i].Count > st.Platforms[j].Count })
	st.Movers = append([]Mover(nil), st.Platforms...)
	sort.SliceStable(st.Movers, func(i, j int) bool { return abs(st.Movers[i].Change()) > abs(st.Movers[j].Change()) })
	if len(st.Movers) > 5 {
		st.Movers = st.Movers[:5]
	}
	if st.Titles, err = s.TopTitles(ctx, by, Query{From: month, To: month}, 10); err != nil {
		return nil, err
	}
	if st.Trend, err = s.Usage(ctx, by, Query{From: m.AddDate(0, -11, 0).Format("2006-01"), To: month, Report: "PR"}, "month"); err != nil {
		return nil, fmt.Errorf("trend: %w", err)
	}
	return st, nil
}
