#!/usr/bin/env bash
# bench/invoice-run.sh [count] — a full invoice run (draft and approval)
# over 400 libraries × 40 offers, every price model and five currencies
# mixed (internal/billing BenchmarkInvoiceRun), on SQLite, and on PostgreSQL
# when SAMLA_TEST_DATABASE_URL is set. Prints Go's benchmark lines; feed
# several runs to benchstat to compare.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-3}
go test -run '^$' -bench 'InvoiceRun' -benchtime 1x -count "$count" -timeout 60m ./internal/billing/
