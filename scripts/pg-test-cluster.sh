#!/usr/bin/env bash
# pg-test-cluster.sh start|stop|status — a throwaway PostgreSQL cluster for tests.
#
#   url=$(scripts/pg-test-cluster.sh start)   # prints one line: the database URL
#   SAMLA_TEST_DATABASE_URL=$url go test ./...
#   scripts/pg-test-cluster.sh stop            # stops it and deletes everything
#
# The cluster lives in a fresh temporary directory (data, log and Unix socket),
# listens on 127.0.0.1 only, on the first free port from 55432 upward, trusts
# every local connection, and runs with fsync off: it is for tests, never data.
# The superuser is "samla"; the database is "samla_test".
#
# Needs PostgreSQL's server binaries under /usr/lib/postgresql/<version>/bin
# (Debian: apt-get install postgresql); the highest version there is used.
# PostgreSQL refuses to run as root, so when this script runs as root the
# cluster belongs to the "postgres" user; otherwise to the calling user.
#
# State (directory, port, URL) is kept in $SAMLA_PG_STATE, by default
# /tmp/samla-pg-test.state; set it to run several clusters side by side.
# Only the URL goes to stdout; everything else goes to stderr.
set -euo pipefail

STATE=${SAMLA_PG_STATE:-/tmp/samla-pg-test.state}
FIRST_PORT=55432
PORT_TRIES=100
DBUSER=samla
DBNAME=samla_test

say() { echo "pg-test-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
	echo "usage: $0 start|stop|status" >&2
	exit 2
}

# as_owner runs a command as the cluster's owner: postgres when we are root.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

find_bindir() {
	local d best=""
	for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && best=$d
	done
	[ -n "$best" ] || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
	echo "$best"
}

# port_free succeeds when nothing accepts connections on 127.0.0.1:$1.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# state_get KEY prints KEY's value from the state file (empty if absent).
state_get() {
	[ -f "$STATE" ] || return 0
	sed -n "s/^$1=//p" "$STATE" | head -n 1
}

# safe_dir succeeds when $1 looks like a directory this script created.
safe_dir() {
	case "$1" in
	/*/samla-pg.*) [ -d "$1" ] && [ ! -L "$1" ] ;;
	*) return 1 ;;
	esac
}

stop() {
	if [ ! -e "$STATE" ]; then
		say "not running (no $STATE)"
		return 0
	fi
	local dir bindir
	dir=$(state_get dir)
	bindir=$(state_get bindir)
	if [ -n "$dir" ] && safe_dir "$dir"; then
		if [ -f "$dir/data/postmaster.pid" ] && [ -x "$bindir/pg_ctl" ]; then
			(cd / && as_owner "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null 2>&1) ||
				(cd / && as_owner "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null 2>&1) ||
				say "warning: could not stop the server in $dir/data"
		fi
		rm -rf -- "$dir"
		say "stopped and removed $dir"
	elif [ -n "$dir" ]; then
		say "warning: $STATE names $dir, which is not a cluster directory; not removing it"
	fi
	rm -f -- "$STATE"
}

# start_failed cleans up after a start that did not finish.
start_failed() {
	if [ "$1" -ne 0 ]; then
		cd /
		stop
	fi
}

start() {
	if [ -e "$STATE" ] && [ -n "$(state_get dir)" ]; then
		say "a cluster from an earlier start is still recorded in $STATE; stopping it first"
		stop
	fi

	local bindir version dir owner locale port url i
	bindir=$(find_bindir)
	version=$(basename "$(dirname "$bindir")")

	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root, but there is no postgres user to run the server as"
		# /tmp, not $TMPDIR: postgres must be able to reach the directory.
		dir=$(mktemp -d /tmp/samla-pg.XXXXXX)
		chown postgres: "$dir"
		owner=postgres
	else
		dir=$(mktemp -d "${TMPDIR:-/tmp}/samla-pg.XXXXXX")
		owner=$(id -un)
	fi
	chmod 700 "$dir"
	# Recorded at once so that stop cleans up even if the start fails half-way.
	printf 'dir=%s\nbindir=%s\n' "$dir" "$bindir" >"$STATE"
	trap 'start_failed $?' EXIT

	# The server's working directory must be readable by its owner.
	cd "$dir"

	locale=C
	if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
		locale=C.UTF-8
	fi
	if ! as_owner "$bindir/initdb" -D "$dir/data" -A trust -U "$DBUSER" --encoding=UTF8 --locale="$locale" \
		>"$dir/initdb.log" 2>&1; then
		if [ "$locale" != C ]; then
			say "initdb with locale $locale failed; trying locale C"
			as_owner rm -rf "$dir/data"
			locale=C
			as_owner "$bindir/initdb" -D "$dir/data" -A trust -U "$DBUSER" --encoding=UTF8 --locale=C \
				>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
		else
			cat "$dir/initdb.log" >&2
			die "initdb failed"
		fi
	fi

	# Try free-looking ports until the server starts: another process may take
	# a port between the check and the bind.
	port=""
	for ((i = 0; i < PORT_TRIES; i++)); do
		local p=$((FIRST_PORT + i))
		port_free "$p" || continue
		[ -e "$dir/server.log" ] && : >"$dir/server.log"
		if as_owner "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "\
-p $p -k $dir -c listen_addresses=127.0.0.1 \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
-c max_connections=300 -c log_min_messages=warning" >/dev/null 2>&1; then
			port=$p
			break
		fi
		if ! grep -qiE 'could not bind|address already in use|could not create any TCP/IP sockets' "$dir/server.log" 2>/dev/null; then
			tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
			die "the server did not start (log above)"
		fi
		say "port $p was taken; trying the next"
	done
	[ -n "$port" ] || die "no free port in $FIRST_PORT-$((FIRST_PORT + PORT_TRIES - 1))"
	printf 'port=%s\n' "$port" >>"$STATE"

	for ((i = 0; i < 60; i++)); do
		"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DBUSER" -d postgres && break
		sleep 0.5
	done
	"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DBUSER" -d postgres ||
		die "the server on port $port did not become ready"

	"$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DBUSER" "$DBNAME" >&2

	url="postgres://$DBUSER@127.0.0.1:$port/$DBNAME?sslmode=disable"
	printf 'url=%s\n' "$url" >>"$STATE"
	trap - EXIT
	say "PostgreSQL $version running as $owner in $dir on 127.0.0.1:$port (stop: $0 stop)"
	echo "$url"
}

status() {
	local url
	url=$(state_get url)
	if [ -n "$url" ] && "$(state_get bindir)/pg_isready" -q -h 127.0.0.1 -p "$(state_get port)" 2>/dev/null; then
		echo "$url"
	else
		say "not running"
		return 1
	fi
}

[ $# -eq 1 ] || usage
case "$1" in
start) start ;;
stop) stop ;;
status) status ;;
*) usage ;;
esac
