#!/bin/sh
# bench_scale.sh - the echo server's cost per client: peak memory and CPU time per message, for
# 10 to 10,000 clients all connected at once, over TCP and unix streams, with epoll and with poll.
# Usage: demos/bench/bench_scale.sh path/to/socklab [CLIENTS...] (default: 10 100 1000 10000)
# Linux: reads the server's /proc/PID/status (VmHWM) and /proc/PID/stat (CPU time).
set -eu
socklab=${1:-build/socklab}
[ $# -gt 0 ] && shift
counts=${*:-10 100 1000 10000}
total=${SCALE_MESSAGES:-200000}   # messages per run, shared out among the clients
dir=$(mktemp -d /tmp/socklab-scale.XXXXXX)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ticks=$(getconf CLK_TCK)
kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server/status"; }
cpu() { awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$server/stat"; }   # utime + stime, seconds

printf '%-9s %-6s %7s %10s %14s %11s %13s\n' transport poller clients msgs/s "server us/msg" "peak RSS kB" "bytes/client"
for poller in epoll poll; do
	for ep in tcp://127.0.0.1:0 "unix:$dir/echo.sock"; do
		for n in $counts; do
			mkfifo "$dir/ready"
			"$socklab" echo-server --quiet --poller "$poller" "$ep" >"$dir/ready" 2>"$dir/server.err" &
			server=$!
			read -r _ _ where <"$dir/ready"   # "listening on ENDPOINT": bound and serving
			rm -f "$dir/ready"
			base=$(kb VmRSS)
			cpu0=$(cpu)
			json=$("$socklab" load "$where" --clients "$n" --messages $((total / n)) --size 64 --json)
			hwm=$(kb VmHWM)
			cpu1=$(cpu)
			kill "$server"
			wait "$server" || true
			server=""
			echo "$json" | grep -q '"ok":true' || { echo "bench_scale.sh: load failed: $json" >&2; exit 1; }
			rate=$(echo "$json" | sed 's/.*"msgs_per_s":\([0-9]*\).*/\1/')
			msgs=$(echo "$json" | sed 's/.*"echoed":\([0-9]*\).*/\1/')
			awk -v t="${where%%:*}" -v p="$poller" -v n="$n" -v r="$rate" -v c0="$cpu0" -v c1="$cpu1" -v m="$msgs" \
				-v h="$hwm" -v b="$base" 'BEGIN {
				printf "%-9s %-6s %7d %10d %14.2f %11d %13.0f\n", t, p, n, r, (c1 - c0) * 1e6 / m, h, (h - b) * 1024 / n }'
		done
	done
done
