#!/bin/sh
# demo.sh - `make demo`: the same echo client and server over all five transports,
# with the socket calls each one needed; then socklab contrast, the same scenarios over
# every transport, side by side. Usage: demos/demo.sh path/to/socklab
set -eu
socklab=${1:-build/socklab}
dir=$(mktemp -d /tmp/socklab-demo.XXXXXX)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

for ep in tcp://127.0.0.1:0 udp://127.0.0.1:0 "unix:$dir/echo.sock" "unixgram:$dir/echo.sock" "unixpacket:$dir/echo.sock"; do
	mkfifo "$dir/ready"
	"$socklab" echo-server --quiet "$ep" >"$dir/ready" 2>/dev/null &
	server=$!
	read -r _ _ where <"$dir/ready"   # "listening on ENDPOINT": the server is ready
	rm -f "$dir/ready"
	echo "== $where"
	"$socklab" --trace echo-client "$where" hello world 2>&1 | sed 's/^trace: /   /'
	kill "$server"
	wait "$server" || true
	server=""
	echo
done
# Every line fits 80 columns (tests/test_demo.c checks it): a student's terminal, a projector.
echo "Same client, same server, five transports. Compare the calls: TCP and unix"
echo "streams connect() first; UDP and unixgram just sendto() (unixgram binds a name"
echo "first, so that the reply has somewhere to go); streams need no boundaries, the"
echo "others keep each message."
echo
echo "== socklab contrast: what the kernel did, scenario by scenario"
# It fits the terminal: a grid when a column per transport fits, else a scenario at a time.
"$socklab" contrast
echo
echo "Each cell is a system call's result or a kernel counter (docs/contrast.md)."
echo "More: socklab contrast --help, --width 140 for a grid, --format sequence;"
echo "make lab (as root) for a network that really loses packets."
