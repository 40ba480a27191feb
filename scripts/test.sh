#!/usr/bin/env bash
# test.sh [--pg] — run all of Samla's tests.
#
#   ./scripts/test.sh        go vet, then go test ./... on SQLite; and again on
#                            PostgreSQL when SAMLA_TEST_DATABASE_URL is set
#   ./scripts/test.sh --pg   also start a throwaway PostgreSQL cluster
#                            (scripts/pg-test-cluster.sh) for the second run,
#                            and remove it afterwards
#   ./scripts/test.sh --mail also start a throwaway mail server
#                            (scripts/mail-stack.sh, as root) for the case
#                            desk's tests, and require them to run
#
# The case desk's tests against a real mail server (Postfix and Dovecot) run
# when SAMLA_TEST_MAIL_* is set (eval "$(scripts/mail-stack.sh start)"), and
# are skipped otherwise, which the output says; SAMLA_REQUIRE_MAIL=1 makes a
# missing mail server a failure (CI sets it).
#
# Browser tests (./e2e) are part of ./...: they skip when no Chromium is found,
# unless SAMLA_E2E=1, which makes a missing browser a failure. SAMLA_CHROMIUM,
# SAMLA_E2E_SHOTS and GOFLAGS are passed through as they are.
#
# Every stage runs even when an earlier one fails; the exit status is non-zero
# if any failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

pg=0
mailstack=0
for arg in "$@"; do
	case "$arg" in
	--pg) pg=1 ;;
	--mail) mailstack=1 ;;
	-h | --help) usage ;;
	*)
		echo "test.sh: unknown argument: $arg" >&2
		usage
		;;
	esac
done

banner() { printf '\n=== %s\n' "$*"; }

failed=()

if [ "$pg" = 1 ]; then
	# A state file of our own, so parallel runs do not stop each other's cluster.
	SAMLA_PG_STATE=$(mktemp "${TMPDIR:-/tmp}/samla-pg-state.XXXXXX")
	export SAMLA_PG_STATE
	cleanup() {
		# Quiet when all is well: only warnings from stopping are shown.
		local out
		out=$(scripts/pg-test-cluster.sh stop 2>&1) || true
		[ -z "$out" ] || grep -v -e '^pg-test-cluster: stopped and removed' <<<"$out" >&2 || true
		rm -f -- "$SAMLA_PG_STATE"
	}
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	banner "starting a throwaway PostgreSQL cluster"
	SAMLA_TEST_DATABASE_URL=$(scripts/pg-test-cluster.sh start)
	export SAMLA_TEST_DATABASE_URL
fi

if [ "$mailstack" = 1 ]; then
	banner "starting a throwaway mail server"
	eval "$(scripts/mail-stack.sh start)"
	export SAMLA_REQUIRE_MAIL=1
	stop_mail() { scripts/mail-stack.sh stop >/dev/null 2>&1 || true; }
	if [ "$pg" = 1 ]; then trap 'stop_mail; cleanup' EXIT; else trap stop_mail EXIT; fi
fi
if [ -z "${SAMLA_TEST_MAIL_SMTP:-}" ]; then
	banner "no mail server: the case desk's mail-server tests will be SKIPPED (start one with: eval \"\$(scripts/mail-stack.sh start)\", as root; or use --mail)"
fi

gotest=(go test -count=1 -timeout 20m ./...)

banner "go vet ./..."
go vet ./... || failed+=("go vet")

banner "go test ./... on SQLite"
env -u SAMLA_TEST_DATABASE_URL "${gotest[@]}" || failed+=("go test (SQLite)")

if [ -n "${SAMLA_TEST_DATABASE_URL:-}" ]; then
	# The URL without any password in it.
	banner "go test ./... on PostgreSQL ($(sed -E 's#://([^:/@]*):[^/@]*@#://\1:***@#' <<<"$SAMLA_TEST_DATABASE_URL"))"
	"${gotest[@]}" || failed+=("go test (PostgreSQL)")
fi

if [ "$pg" = 1 ]; then
	# Stop now rather than on exit, so the summary below is the last line.
	cleanup
	trap - EXIT
	if [ "$mailstack" = 1 ]; then trap stop_mail EXIT; fi
fi

if [ ${#failed[@]} -gt 0 ]; then
	summary=$(printf '%s, ' "${failed[@]}")
	printf '\nFAILED: %s\n' "${summary%, }" >&2
	exit 1
fi
