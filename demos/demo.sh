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
echo "Same client, same server, five transports. Compare the calls: TCP and unix streams"
echo "connect() first; UDP and unixgram just sendto() (unixgram binds a name first, so that"
echo "the reply has somewhere to go); streams need no boundaries, the others keep each message."
echo
echo "== socklab contrast: what the kernel did, scenario by scenario, on each transport"
"$socklab" contrast
