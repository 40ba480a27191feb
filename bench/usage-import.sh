#!/usr/bin/env bash
# usage-import.sh — how fast a large COUNTER Title Report goes into the
# database: generated (JSON R5.1 and TSV), streamed through the parser and
# the import into SQLite (or PostgreSQL when SAMLA_TEST_DATABASE_URL is set),
# in one transaction, as `samla import counter` does it.
#
#   bench/usage-import.sh              # 1 000 000 rows each
#   ROWS=200000 bench/usage-import.sh
#
# Prints rows/s and the peak Go heap per format, and the process's peak
# resident memory. A JSON row is one title with two metrics × twelve months
# (24 counts); a TSV row is one title × metric with twelve month columns.
# The parser alone: bench/counter-ingest.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows=${ROWS:-1000000}
echo "importing a generated TR of $rows rows (JSON and TSV) into $([ -n "${SAMLA_TEST_DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)"
go test -c -o /tmp/usage-bench.test ./internal/usage/ >/dev/null
if [ -x /usr/bin/time ]; then
	SAMLA_BENCH_ROWS=$rows /usr/bin/time -f 'peak resident memory: %M KiB, wall %e s' \
		/tmp/usage-bench.test -test.run '^$' -test.bench BenchmarkImportTR -test.benchtime 1x -test.timeout 60m
else
	SAMLA_BENCH_ROWS=$rows /tmp/usage-bench.test -test.run '^$' -test.bench BenchmarkImportTR -test.benchtime 1x -test.timeout 60m
fi
rm -f /tmp/usage-bench.test
