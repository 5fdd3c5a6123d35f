# bench_compare_runs.sh - one measurement each, for bench_compare.sh (sourced: its variables and helpers): bench, a transfer, iperf3, sockperf.
# Each appends its figures to $results as "KEY VALUE" lines, KEY naming what and where; ratios are "ratio:..." lines.

# socklab bench over every transport, both tests, every placement: the interface against plain calls.
run_bench() {
	"$socklab" bench --transports "${COMPARE_TRANSPORTS:-tcp,udp,unix,unixgram,unixpacket}" --seconds "$secs" --json \
		>"$dir/bench.json" 2>"$dir/bench.err" || {
		note "socklab bench failed: $(cat "$dir/bench.err")"
		return
	}
	awk '{
		n = split(substr($0, 2, length($0) - 2), kv, ",")
		for (i = 1; i <= n; i++) { split(kv[i], a, ":"); gsub(/"/, "", a[1]); gsub(/"/, "", a[2]); f[a[1]] = a[2] }
		key = f["transport"] ":" f["test"] ":" f["placement"]
		fig = f["test"] == "rtt" ? f["median_us"] : f["mb_per_s"]
		print "fig:bench:" key ":" f["path"], fig
		if (f["path"] != "socklab")
			next
		print "ratio:bench:" key, f["ratio"]
		if (f["better"] == "true")
			print "better:bench:" f["transport"] ":" f["test"], f["placement"]
		if (f["per_send_call"] != "null")
			print "fig:bench:" key ":per_send", f["per_send_call"]
		if (f["per_recv_call"] != "null")
			print "fig:bench:" key ":per_recv", f["per_recv_call"]
	}' "$dir/bench.json" >>"$results"
}

# Datagram bulk with one datagram per system call (--batch 1), the plain program most would write: the raw
# path at bench's own batch sizes over this, from the run just before, says whether batching paid.
run_batch1() {
	dgram=$(echo "${COMPARE_TRANSPORTS:-udp,unixgram}" | tr , '\n' | grep -x -e udp -e unixgram | paste -sd, -)
	[ -n "$dgram" ] || return 0
	"$socklab" bench --transports "$dgram" --test bulk --batch 1 --seconds "$secs" --json 2>/dev/null |
		awk '/"path":"raw"/ {
			n = split(substr($0, 2, length($0) - 2), kv, ",")
			for (i = 1; i <= n; i++) { split(kv[i], a, ":"); gsub(/"/, "", a[1]); gsub(/"/, "", a[2]); f[a[1]] = a[2] }
			print f["transport"] ":" f["placement"], f["mb_per_s"]
		}' >"$dir/batch1"
	while read -r key mbs; do
		batched=$(awk -v k="fig:bench:${key%%:*}:bulk:${key#*:}:raw" '$1 == k { v = $2 } END { print v }' "$results")
		[ -n "$batched" ] || continue
		record "fig:batch1:$key" "$mbs"
		record "ratio:batch:$key" "$(awk -v a="$batched" -v b="$mbs" 'BEGIN { printf "%.4f", a / b }')"
	done <"$dir/batch1"
}

# The figure of the socklab path in one short socklab bench: bench_one TRANSPORT TEST PLACE.
bench_one() {
	"$socklab" bench --transports "$1" --test "$2" --pin "$3" --seconds "$secs" --json 2>/dev/null |
		awk -v key="$([ "$2" = rtt ] && echo median_us || echo mb_per_s)" '/"path":"socklab"/ {
			n = split(substr($0, 2, length($0) - 2), kv, ",")
			for (i = 1; i <= n; i++) { split(kv[i], a, ":"); gsub(/"/, "", a[1]); if (a[1] == key) print a[2] }
		}'
}

# The receiving and the sending side of a transfer: TOOL TRANSPORT PORT SOCKET.
receiver() {
	case $1:$2 in
	socklab:tcp) "$socklab" recv "tcp://127.0.0.1:$3" ;;
	socklab:unix) "$socklab" recv "unix:$4" ;;
	socat:tcp) socat -u "TCP-LISTEN:$3,bind=127.0.0.1,reuseaddr" - ;;
	socat:unix) socat -u "UNIX-LISTEN:$4" - ;;
	nc:tcp) nc -l 127.0.0.1 "$3" ;;
	nc:unix) nc -lU "$4" ;;
	esac
}
sender() {
	case $1:$2 in
	socklab:tcp) "$socklab" send "tcp://127.0.0.1:$3" "$file" ;;
	socklab:unix) "$socklab" send "unix:$4" "$file" ;;
	socat:tcp) socat -u "OPEN:$file" "TCP:127.0.0.1:$3" ;;
	socat:unix) socat -u "OPEN:$file" "UNIX-CONNECT:$4" ;;
	nc:tcp) nc -N 127.0.0.1 "$3" <"$file" ;;
	nc:unix) nc -NU "$4" <"$file" ;;
	esac
}

skipped=""
skip_once() {
	case " $skipped " in *" $1 "*) return ;; esac
	skipped="$skipped $1"
	note "$2"
	record "skipped:$1" 1
}

# Starts TOOL's receiver over TRANSPORT on the next port (or socket file), in the background as $rpid. 0 once it listens.
start_receiver() {
	next_port
	p=$port sock=$dir/x$port.sock
	rm -f "$sock" "$dir/recv.rc" "$dir/send.rc"
	(
		receiver "$1" "$2" "$p" "$sock" </dev/null >/dev/null 2>"$dir/recv.err"
		echo $? >"$dir/recv.rc"
		times >"$dir/recv.times"
	) &
	rpid=$!
	if [ "$2" = tcp ]; then wait_listen tcp "$p" "$rpid"; else wait_listen unix "$sock" "$rpid"; fi && return 0
	pkill -P "$rpid" 2>/dev/null
	wait "$rpid"
	return 1
}

# One transfer of $file from TOOL's sender to TOOL's receiver (output to /dev/null): MB/s and CPU seconds per GB.
run_transfer() {
	tool=$1 tr=$2
	case $tool in
	socat) have socat || { skip_once socat "socat is not installed or skipped: transfers against socat left out"; return; } ;;
	nc) [ "$nc_ok" = 1 ] || { skip_once nc "OpenBSD nc is not installed or skipped: transfers against nc left out"; return; } ;;
	esac
	rm -f "$dir/$tr.$tool.mbs"
	# A port another program holds makes the receiver fail at once: the next port is tried, twice.
	start_receiver "$tool" "$tr" || start_receiver "$tool" "$tr" || start_receiver "$tool" "$tr" || {
		note "$tool: the receiver over $tr never listened: $(cat "$dir/recv.err")"
		return
	}
	t0=$(now)
	(
		sender "$tool" "$tr" "$p" "$sock" 2>"$dir/send.err"
		echo $? >"$dir/send.rc"
		times >"$dir/send.times"
	)
	wait "$rpid"
	t1=$(now)
	if [ "$(cat "$dir/send.rc")" != 0 ] || [ "$(cat "$dir/recv.rc")" != 0 ]; then
		note "$tool over $tr failed: $(cat "$dir/send.err" "$dir/recv.err")"
		return
	fi
	if [ "$tool" = socklab ] && ! { grep -Eq "^send: cksum $sum $bytes( |\$)" "$dir/send.err" &&
		grep -Eq "^recv: cksum $sum $bytes( |\$)" "$dir/recv.err"; }; then
		note "socklab over $tr: the checksums are not the file's ($sum $bytes): $(cat "$dir/send.err" "$dir/recv.err")"
		return
	fi
	awk -v b="$bytes" -v t0="$t0" -v t1="$t1" -v s="$(cpu_of "$dir/send.times")" -v r="$(cpu_of "$dir/recv.times")" \
		-v k="fig:xfer:$tr:$tool" 'BEGIN {
		printf "%s:mbs %.1f\n%s:send_cpu %.3f\n%s:recv_cpu %.3f\n", k, b / 1e6 / (t1 - t0), k, s / (b / 1e9), k, r / (b / 1e9)
	}' | tee -a "$results" | awk '/:mbs/ { print $2 }' >"$dir/$tr.$tool.mbs"
}

# This round's ratios of socklab's transfer rate to each tool's.
transfer_ratios() {
	for tool in socat nc; do
		[ -s "$dir/$1.socklab.mbs" ] && [ -s "$dir/$1.$tool.mbs" ] || continue
		record "ratio:xfer:$1:$tool" "$(awk -v a="$(cat "$dir/$1.socklab.mbs")" -v b="$(cat "$dir/$1.$tool.mbs")" \
			'BEGIN { printf "%.4f", a / b }')"
	done
}

# Whole seconds for the tools that take no fraction: at least 1.
tool_seconds() { awk -v s="$secs" 'BEGIN { t = int(s + 0.5); print t < 1 ? 1 : t }'; }

# TCP bulk: socklab bench's socklab path against iperf3, both at placement PLACE, one right after the other.
run_iperf3() {
	have iperf3 || { skip_once iperf3 "iperf3 is not installed (apt-get install iperf3) or skipped: TCP against iperf3 left out"; return; }
	next_port
	pl=$1 p=$port t=$(tool_seconds) a="" b=""
	[ $(($2 % 2)) = 1 ] && a=$(bench_one tcp bulk "$pl")
	taskset -c "$(server_cpu "$pl")" iperf3 -s -1 -p "$p" >/dev/null 2>&1 &
	ipid=$!
	wait_listen tcp "$p" "$ipid" || { note "iperf3 never listened"; kill "$ipid" 2>/dev/null; return; }
	b=$(taskset -c "$cpu0" iperf3 -c 127.0.0.1 -p "$p" -t "$t" -f m 2>/dev/null |
		awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i / 8 }')
	wait "$ipid"
	[ $(($2 % 2)) = 0 ] && a=$(bench_one tcp bulk "$pl")
	[ -n "$a" ] && [ -n "$b" ] || { note "iperf3 at $pl: no figure"; return; }
	record "fig:iperf3:$pl:socklab" "$a"
	record "fig:iperf3:$pl:iperf3" "$b"
	record "ratio:iperf3:$pl" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", a / b }')"
}

# Round trips of 64 bytes, median: socklab bench's socklab path against sockperf ping-pong, at PLACE.
run_sockperf() {
	have sockperf || { skip_once sockperf "sockperf is not installed (apt-get install sockperf) or skipped: round trips against sockperf left out"; return; }
	next_port
	proto=$1 pl=$2 p=$port t=$(tool_seconds) flag="" a="" b=""
	[ "$proto" = tcp ] && flag=--tcp
	[ $(($3 % 2)) = 1 ] && a=$(bench_one "$proto" rtt "$pl")
	taskset -c "$(server_cpu "$pl")" sockperf server -i 127.0.0.1 -p "$p" $flag >/dev/null 2>&1 &
	spid=$!
	wait_listen "$proto" "$p" "$spid" || { note "sockperf never listened"; kill "$spid" 2>/dev/null; return; }
	b=$(taskset -c "$cpu0" sockperf ping-pong -i 127.0.0.1 -p "$p" $flag -m 64 -t "$t" --full-rtt 2>&1 |
		awk '/percentile 50.000/ { print $NF }')
	kill "$spid"
	wait "$spid" 2>/dev/null
	[ $(($3 % 2)) = 0 ] && a=$(bench_one "$proto" rtt "$pl")
	[ -n "$a" ] && [ -n "$b" ] || { note "sockperf $proto at $pl: no figure"; return; }
	record "fig:sockperf:$proto:$pl:socklab" "$a"
	record "fig:sockperf:$proto:$pl:sockperf" "$b"
	record "ratio:sockperf:$proto:$pl" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", a / b }')"
}
