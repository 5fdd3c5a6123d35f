#!/bin/sh
# lab.sh - `make lab`: a network namespace whose loopback loses packets (nftables), and socklab inside it.
# Usage: demos/lab.sh path/to/socklab [LOSS_PERCENT]    (as root; LOSS_PERCENT defaults to 10)
set -u
socklab=${1:-build/socklab}
loss=${2:-10}
filtered=9 # a port whose every packet the lab drops: a firewall, for contrast --filtered

say() { printf '%s\n' "$*" 2>/dev/null || exit 141; } # a reader gone (make lab | head): end, cleaning up
fail() { say "socklab: lab: $*" >&2; exit 1; }

case $loss in
'' | *[!0-9]*) fail "the loss is a whole percentage from 0 to 100, not '$loss'" ;;
esac
[ "$loss" -le 100 ] || fail "the loss is a whole percentage from 0 to 100, not '$loss'"
[ "$(id -u)" = 0 ] || fail "needs root: it creates a network namespace and nftables rules (run: sudo make lab)"
command -v ip >/dev/null 2>&1 || fail "needs ip from iproute2 (apt-get install iproute2)"
command -v nft >/dev/null 2>&1 || fail "needs nft from nftables (apt-get install nftables)"
[ -x "$socklab" ] || fail "no program at $socklab (run make first)"
socklab=$(cd "$(dirname "$socklab")" && pwd)/$(basename "$socklab")

# Whatever ends the run (its end, an error, Ctrl-C, a reader that stopped reading as in
# `make lab | head -1`), the namespace, the receiver and the folder go. A signal becomes an
# exit, so that the EXIT trap runs; the cleanup writes nothing to standard output, which may
# be a closed pipe.
ns=socklab-lab-$$
dir=""
receiver=""
cleanup() {
	trap - EXIT HUP INT TERM PIPE
	if [ -n "$receiver" ]; then
		kill "$receiver" 2>/dev/null
		wait "$receiver" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	[ -n "$dir" ] && rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM
dir=$(mktemp -d "${TMPDIR:-/tmp}/socklab-lab.XXXXXX") || fail "cannot make a directory in ${TMPDIR:-/tmp}"

in_ns() { ip netns exec "$ns" "$@"; }

# A namespace of its own: its loopback, its counters (/proc/net/snmp), its firewall; nothing else is touched.
ip netns add "$ns" || fail "ip netns add $ns failed (a container without CAP_SYS_ADMIN?)"
in_ns ip link set lo up || fail "cannot bring up the namespace's loopback"
# Every packet on lo comes back in through the input hook once: drop a share of the UDP datagrams
# and of the TCP segments there (SYN, FIN and RST excepted, so that connections open and close
# without waiting), and everything sent to port $filtered. On input, as on a real network, the
# sender is never told; a drop on output would fail its send() with EPERM.
in_ns nft -f - <<EOF || fail "nft refused the rules (is the nf_tables module available?)"
table inet socklab_lab {
	chain input {
		type filter hook input priority 0; policy accept;
		th dport $filtered counter drop
		meta l4proto udp numgen random mod 100 < $loss counter drop
		meta l4proto tcp tcp flags & (syn | fin | rst) == 0 numgen random mod 100 < $loss counter drop
	}
}
EOF

snmp() { in_ns awk -v p="$1:" -v f="$2" '$1 == p { if (n++) print $i; else for (i = 2; i <= NF; i++) if ($i == f) break }' /proc/net/snmp; }

say "== a network namespace ($ns) whose loopback drops $loss% of UDP datagrams and TCP segments,"
say "   and every packet to port $filtered (a firewall)"
say
say "== socklab contrast over tcp and udp, in it: unix sockets never cross a network, so they are left out"
in_ns "$socklab" contrast --transports tcp,udp --scenarios handshake,boundaries,flow,clients,calls,delivery \
	--filtered "$filtered"
say

# A transfer each way: socklab recv listens, socklab send sends 1 MB.
head -c 1000000 /dev/urandom >"$dir/data" || fail "cannot write $dir/data"
transfer() {
	ep=$1
	shift
	rm -f "$dir/ready" "$dir/out"
	mkfifo "$dir/ready" || fail "mkfifo failed"
	in_ns "$socklab" recv --timeout 2 "$ep" "$dir/out" >"$dir/ready" 2>"$dir/recv.err" &
	receiver=$!
	read -r _ _ where <"$dir/ready" # "listening on ENDPOINT": the receiver is ready
	retrans=$(snmp Tcp RetransSegs)
	rcvbuf=$(snmp Udp RcvbufErrors)
	start=$(date +%s%N)
	in_ns "$socklab" send "$@" "$where" "$dir/data" 2>&1 | sed 's/^/   /'
	wait "$receiver"
	receiver=""
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	sed 's/^/   /' "$dir/recv.err"
	case $ep in
	tcp:*) evidence="kernel: Tcp RetransSegs +$(( $(snmp Tcp RetransSegs) - retrans ))" ;;
	*) evidence="kernel: Udp RcvbufErrors +$(( $(snmp Udp RcvbufErrors) - rcvbuf )) (drops at a full receive buffer)" ;;
	esac
	say "   $ms ms; $evidence; the file arrived $(cmp -s "$dir/data" "$dir/out" && echo byte-exact || echo damaged)"
}
say "== socklab send/recv, 1 MB over udp, paced (--rate 4M) so that the receiver keeps up: what is lost, the network lost"
transfer udp://127.0.0.1:0 --rate 4M --timeout 2
say
say "== the same over tcp, unpaced: everything arrives, byte-exact; what was lost was sent again (RetransSegs)"
transfer tcp://127.0.0.1:0
say
say "== what nftables dropped"
in_ns nft list chain inet socklab_lab input |
	awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") n = $(i + 1)
		print "   " n (/dport/ ? " packets to the filtered port" : /udp/ ? " UDP datagrams" : " TCP segments") }'
