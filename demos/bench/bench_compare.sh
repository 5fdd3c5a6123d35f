#!/bin/sh
# bench_compare.sh - socklab beside plain calls and the tools people use, in one run of interleaved rounds: every ratio, its target, pass or fail.
# Usage: sh demos/bench/bench_compare.sh path/to/socklab [ROUNDS]   (make compare; 5 rounds by default, a minute or two each)
# Linux: needs taskset, ss and awk; uses socat, OpenBSD nc, iperf3 and sockperf where installed (as root on
# Debian it installs iperf3 and sockperf first; COMPARE_INSTALL=0 stops that), and says so where one is missing.
# COMPARE_MB: the transfers' size in MiB (default 1024); COMPARE_SECONDS: each benchmark's time (default 3);
# COMPARE_SKIP: tools not to compare with; COMPARE_TRANSPORTS: socklab bench's (make test's smoke run: a few).
set -u
[ $# -ge 1 ] || { echo "usage: sh $0 path/to/socklab [ROUNDS]" >&2; exit 2; }
socklab=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
rounds=${2:-5}
mb=${COMPARE_MB:-1024}
secs=${COMPARE_SECONDS:-3}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/socklab-compare.XXXXXX)
results=$dir/results  # one line per figure of a round: KEY VALUE
# Ports below Linux's ephemeral range (32768 and up), so that no client's port is in the way of a listener.
port=$((20000 + $$ % 10000))
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

have() { case " ${COMPARE_SKIP:-} " in *" $1 "*) return 1 ;; esac; command -v "$1" >/dev/null 2>&1; }
note() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
next_port() { port=$((port + 1)); }  # the next port in $port (never in a subshell: it must count)
record() { echo "$1 $2" >>"$results"; }

# The tools: iperf3 and sockperf are Debian packages the tests do not need; install them when we may.
if [ "${COMPARE_INSTALL:-1}" != 0 ] && [ "$(id -u)" = 0 ] && have apt-get && { ! have iperf3 || ! have sockperf; }; then
	note "installing iperf3 and sockperf (COMPARE_INSTALL=0 to skip)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iperf3 sockperf >/dev/null 2>&1 ||
		note "apt-get install iperf3 sockperf failed: those comparisons are skipped"
fi
nc_ok=0
have nc && nc -h 2>&1 | grep -q OpenBSD && nc_ok=1

# The CPUs: the client on the first this process may use, a server on it (same) or the next (split).
cpus=$(taskset -pc $$ | sed 's/.*: //' | awk -F, '{ for (i = 1; i <= NF; i++) { split($i, r, "-"); for (c = r[1]; c <= (r[2] == "" ? r[1] : r[2]); c++) printf "%d ", c } }')
cpu0=$(echo "$cpus" | awk '{ print $1 }')
cpu1=$(echo "$cpus" | awk '{ print ($2 == "" ? $1 : $2) }')
places="same split"
[ "$cpu0" = "$cpu1" ] && places="same"
server_cpu() { [ "$1" = same ] && echo "$cpu0" || echo "$cpu1"; }

# Waits until something listens: tcp PORT, udp PORT or unix PATH (at most 5 s), while process PID lives. 0 when it does.
wait_listen() {
	i=0
	while [ $i -lt 500 ] && kill -0 "$3" 2>/dev/null; do
		case $1 in
		tcp) ss -Hltn "sport = :$2" | grep -q . && return 0 ;;
		udp) ss -Hlun "sport = :$2" | grep -q . && return 0 ;;
		unix) ss -Hlx | grep -q " $2 " && return 0 ;;
		esac
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

# CPU seconds (user + system) of the children a subshell waited for, from its `times` output.
cpu_of() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }

# A field of one JSON line of socklab bench: json_field LINE KEY.
json_field() { echo "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }

. "$here/bench_compare_runs.sh"

file=$dir/data
bytes=$((mb * 1048576))
note "bench_compare: $rounds rounds; placements: $places (CPUs $cpu0 and $cpu1); transfers of $mb MiB"
head -c "$bytes" /dev/urandom >"$file" || exit 1
sum=$(cksum <"$file" | awk '{ print $1 }')
r=1
while [ "$r" -le "$rounds" ]; do
	note "round $r of $rounds"
	# Who goes first turns around every round, in each comparison.
	if [ $((r % 2)) = 1 ]; then order="socklab socat nc"; else order="nc socat socklab"; fi
	run_bench "$r"
	run_batch1 "$r"
	for tr in tcp unix; do
		for tool in $order; do run_transfer "$tool" "$tr" "$r"; done
		transfer_ratios "$tr" "$r"
	done
	for pl in $places; do run_iperf3 "$pl" "$r"; done
	for proto in tcp udp; do
		for pl in $places; do run_sockperf "$proto" "$pl" "$r"; done
	done
	r=$((r + 1))
done
sh "$here/bench_compare_report.sh" "$results" "$rounds" "$mb"
