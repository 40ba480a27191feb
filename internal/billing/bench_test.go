package billing

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
)

// BenchmarkInvoiceRun is a full invoice run — draft and approval — over
// 400 libraries × 40 offers with every price model and five currencies
// mixed: 16 000 subscriptions, about 22 000 lines on 400 invoices.
//
//	go test -run '^$' -bench InvoiceRun -benchtime 3x ./internal/billing/
func BenchmarkInvoiceRun(b *testing.B) {
	f := newFix(b)
	r := rand.New(rand.NewPCG(400, 40))
	for _, cur := range []string{"EUR", "USD", "SEK", "GBP", "DKK"} {
		f.rates[cur] = money.Rate(1_000_000 + 10*r.Int64N(1_000_000))
	}
	counties := []string{"03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"}
	var libs []*members.Library
	for i := 0; i < 400; i++ {
		opts := []libOpt{fte(1 + r.Int64N(5_000)), population(1_000 + r.Int64N(700_000))}
		if i < len(counties) {
			opts = append(opts, typ("county"))
		}
		libs = append(libs, f.library(fmt.Sprintf("Bibliotek %03d", i), counties[i%len(counties)], opts...))
	}
	ag := f.agreement("Avtale 2027", 2027)
	for k := 0; k < 40; k++ {
		in := randomPrice(r)
		if in.Model == ModelTiers { // every library must land in a band
			in.Spec.Bands[len(in.Spec.Bands)-1].To = 0
		}
		f.subscribe(f.offer(ag, fmt.Sprintf("Produkt %02d", k), in), libs...)
	}
	b.ResetTimer()
	var lines int
	for i := 0; i < b.N; i++ {
		run, err := f.svc.CreateRun(f.ctx, admin, RunInput{Kind: RunSubscriptions, Name: "Bench", PeriodFrom: "2027-01-01", PeriodTo: "2027-12-31"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		lines = f.count("SELECT COUNT(*) FROM invoice_lines")
		// Undo the approval so the next iteration bills everything again.
		for _, q := range []string{"DELETE FROM invoice_lines", "DELETE FROM invoices", "DELETE FROM invoice_runs"} {
			if _, err := f.db.ExecContext(f.ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(lines), "lines/run")
}
