#!/usr/bin/env bash
# bench/access-lookup.sh [duration] — the IP lookup over HTTP against a bare
# net/http handler, with the same wrk settings on loopback.
#
# Seeds a fresh SQLite data directory with 400 libraries, 100 000 IP ranges
# (60 % IPv4, 40 % IPv6, one in a hundred shared) and 50 products, starts
# `samla serve --access-only` on it, and loads
#   GET /api/v1/access/ip/{address}
# with a vendor token, cycling through 10 000 addresses (8 in 10 inside a
# library's range). Then it loads a handler that returns a constant body of
# the lookup's median size, and prints both, with p50/p99 and the ratio.
#
#   duration   how long each wrk run lasts (default 15s; bounded, e.g. 30s)
#   THREADS, CONNECTIONS   wrk settings (default 2 and 64)
#
# Needs wrk (Debian package wrk). Not part of the tests: run it by hand and
# compare figures from the same machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=${1:-15s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "access-lookup: wrk not found (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/samla" ./cmd/samla
go build -o "$work/accessbench" ./bench/accessbench
"$work/accessbench" seed -data "$work/data" -out "$work"
token=$(cat "$work/token.txt")

port=18181
bareport=18182
SAMLA_LOG_LEVEL=warn "$work/samla" serve --access-only --data "$work/data" --addr "127.0.0.1:$port" >"$work/samla.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
# The index is built in the background at start; wait until a lookup of a
# known address answers with a library.
probe=$(head -n 50 "$work/addresses.txt" | tail -n 1)
for _ in $(seq 1 300); do
	if curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/access/ip/$probe" 2>/dev/null | grep -q '"libraries"'; then
		break
	fi
	sleep 0.2
done

# The bare handler answers with the median size of the lookup's answers.
size=$(head -n 200 "$work/addresses.txt" | while read -r a; do
	curl -fsS -o /dev/null -w '%{size_download}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/access/ip/$a"
done | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
"$work/accessbench" bare -addr "127.0.0.1:$bareport" -size "$size" &
pids+=($!)
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$bareport/" >/dev/null 2>&1 && break
	sleep 0.1
done

cat >"$work/lookup.lua" <<'EOF'
local addrs = {}
for line in io.lines(os.getenv("ADDRESSES")) do addrs[#addrs + 1] = line end
local i = math.random(#addrs)
request = function()
  i = i % #addrs + 1
  return wrk.format("GET", "/api/v1/access/ip/" .. addrs[i])
end
EOF

run() { # name url
	ADDRESSES="$work/addresses.txt" wrk -t "$threads" -c "$connections" -d "$duration" --latency -s "$work/lookup.lua" \
		-H "Authorization: Bearer $token" "$2" >"$work/$1.txt"
	local rps p50 p99 errs
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$1.txt")
	p50=$(awk '$1 == "50%" {print $2}' "$work/$1.txt")
	p99=$(awk '$1 == "99%" {print $2}' "$work/$1.txt")
	errs=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/$1.txt")
	printf '%-8s %12s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${errs:-0}"
	echo "$rps" >"$work/$1.rps"
}

echo "wrk -t$threads -c$connections -d$duration on $(nproc) cores; body $size bytes; $(wc -l <"$work/addresses.txt") addresses"
run lookup "http://127.0.0.1:$port"
run bare "http://127.0.0.1:$bareport"
awk -v a="$(cat "$work/lookup.rps")" -v b="$(cat "$work/bare.rps")" 'BEGIN {printf "ratio    %.2f× the bare handler (target ≥ 0.80)\n", a / b}'
