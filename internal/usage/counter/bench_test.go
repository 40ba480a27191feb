package counter

import (
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

const benchRows = 1_000_000

// BenchmarkReadTR reads a generated R5.1 Title Report of a million rows,
// streamed through a pipe (the generator runs in its own goroutine), and
// reports rows/s and the peak live heap sampled during the read.
func BenchmarkReadTR(b *testing.B) {
	for _, format := range []string{"json", "tsv"} {
		b.Run(format, func(b *testing.B) {
			peak, stop := sampleHeap()
			var rows int64
			for b.Loop() {
				pr, pw := io.Pipe()
				go func() { pw.CloseWithError(GenerateTR(pw, format, benchRows)) }()
				rep, err := Read(pr, "bench."+format, func(Item, []Count) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				if rep.Rows != benchRows {
					b.Fatalf("rows %d, want %d", rep.Rows, benchRows)
				}
				rows += rep.Rows
			}
			stop()
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// sampleHeap samples the bytes of live and unswept heap objects every
// few milliseconds until stop is called.
func sampleHeap() (peak *uint64, stop func()) {
	runtime.GC()
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return peak, func() { close(done); wg.Wait() }
}
