package usage_test

import (
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/usage"
	"github.com/samla-org/samla/internal/usage/counter"
)

// BenchmarkImportTR imports a generated Title Report, streamed from the
// generator through the parser into the database, and reports report rows
// per second and the peak heap. SAMLA_BENCH_ROWS sets the size (default
// 100 000 rows; bench/usage-import.sh runs 1 000 000). Each JSON row has
// two metrics × twelve months, so 1 000 000 rows are 24 000 000 counts.
func BenchmarkImportTR(b *testing.B) {
	rows := 100_000
	if v, err := strconv.Atoi(os.Getenv("SAMLA_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	for _, format := range []string{"json", "tsv"} {
		b.Run(format, func(b *testing.B) {
			w := newWorld(b, 1)
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}()
			b.ResetTimer()
			var imported int64
			for i := 0; i < b.N; i++ {
				pr, pw := io.Pipe()
				go func() { pw.CloseWithError(counter.GenerateTR(pw, format, rows)) }()
				res, err := w.Svc.Import(context.Background(), admin, usage.ImportInput{LibraryID: w.Libs[0], FileName: "big-tr." + format, Kind: "cli"}, pr)
				if err != nil {
					b.Fatal(err)
				}
				imported += res.Rows
			}
			b.StopTimer()
			close(stop)
			b.ReportMetric(float64(imported)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}
