#!/usr/bin/env bash
# bench/counter-ingest.sh [count] — streams a generated COUNTER R5.1 Title
# Report of 1,000,000 rows, as JSON and as TSV, through counter.Read
# (internal/usage/counter BenchmarkReadTR; the generator writes into an
# io.Pipe, nothing is held in memory). Prints Go's benchmark lines with
# rows/s and peak-heap-MB (live heap sampled every 5 ms during the read),
# then the peak RSS of the whole test binary from /usr/bin/time -v when
# that exists. Feed several runs to benchstat to compare.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-1}
bin=$(mktemp -d)/counter.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
# Built first so the peak RSS below is the benchmark's, not the compiler's.
go test -c -o "$bin" ./internal/usage/counter/
args=(-test.run '^$' -test.bench 'BenchmarkReadTR' -test.benchmem -test.count "$count" -test.timeout 60m)
cd internal/usage/counter
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v "$bin" "${args[@]}" 2> >(grep -E 'Maximum resident set size|Elapsed \(wall' >&2)
else
	"$bin" "${args[@]}"
fi
