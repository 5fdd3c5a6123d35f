#!/bin/sh
# bench_compare_report.sh - bench_compare.sh's report: every ratio's median over the rounds, its spread, its target, pass or fail.
# Usage: sh demos/bench/bench_compare_report.sh RESULTS ROUNDS MIB (RESULTS: the "KEY VALUE" lines the runs wrote)
awk -v rounds="$2" -v mib="$3" '
function sort(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
# The median, lowest and highest of the values recorded under key, into M, LO, HI; how many there were.
function stats(key,   a, n) {
	n = split(vals[key], a, " ")
	if (n == 0) return 0
	sort(a, n)
	M = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	LO = a[1]; HI = a[n]
	return n
}
function med(key) { return stats(key) ? M : "" }
# The target of a ratio, as "<= X" or ">= X".
function target(key,   p) {
	split(key, p, ":")
	if (p[2] == "bench" && p[4] == "rtt") return "<= 1.03"
	if (p[2] == "bench" && (p[3] == "udp" || p[3] == "unixgram") && p[5] == "split") return ">= 0.90"
	if (p[2] == "bench") return ">= 0.97"
	if (p[2] == "sockperf") return "<= 1.00"
	if (p[2] == "batch") return ">= 0.97" # at least as fast as one per call, within the noise of bulk
	return ">= 1.00"
}
# One ratio line: what, the median and the spread, the target, the verdict, and a note after it.
function ratio(label, key, after,   t, ok) {
	if (!stats(key)) return
	t = target(key)
	ok = substr(t, 1, 1) == "<" ? M <= substr(t, 4) + 0 : M >= substr(t, 4) + 0
	printf "  %-34s %6.3f  [%5.3f, %5.3f]  %-7s  %s%s\n", label, M, LO, HI, t, ok ? "pass" : "FAIL", after
	total++
	if (ok) passed++
	else failed = failed "\n  " label " " sprintf("%.3f", M) " (target " t ")"
}
function left_out(tool) { if (("skipped:" tool) in vals) printf "  (left out: %s is not installed, or COMPARE_SKIP named it)\n", tool }
{ if (!($1 in vals)) order[++nkeys] = $1; vals[$1] = vals[$1] " " $2 }
/^better:/ { won[$1 ":" $2]++ }
END {
	printf "socklab compare: %d round%s; each ratio taken within a round from runs back to back, who goes first\n", rounds, rounds == 1 ? "" : "s"
	printf "turning around every round; shown: the median of the rounds [lowest, highest], target, verdict\n"
	printf "\n1. socklab bench: the socklab path over the raw path (plain calls), every placement\n"
	printf "  %-34s %6s  %-16s  %-7s\n", "transport, test, placement", "ratio", "[spread]", "target"
	for (i = 1; i <= nkeys; i++) {
		k = order[i]
		if (k !~ /^ratio:bench:/) continue
		split(k, p, ":")
		f = "fig:bench:" p[3] ":" p[4] ":" p[5]
		unit = p[4] == "rtt" ? "us" : "MB/s"
		w = won["better:bench:" p[3] ":" p[4] ":" p[5]] + 0
		ratio(sprintf("%-10s %-4s %-5s", p[3], p[4], p[5]), k, w ? sprintf("  * %d/%d", w, rounds) : "")
		if (med(f ":socklab") != "" && med(f ":raw") != "") {
			printf "      socklab %.1f %s, raw %.1f %s", med(f ":socklab"), unit, med(f ":raw"), unit
			if (med(f ":per_send") != "")
				printf "; datagrams per call: %.1f sent, %.1f received", med(f ":per_send"), med(f ":per_recv")
			printf "\n"
		}
	}
	printf "  * N/M: the better placement for that transport and test, in N of the M rounds\n"
	printf "\n   datagram bulk, the raw path: batched (at most 64 per call on one CPU, 16 on two) over one per call\n"
	for (i = 1; i <= nkeys; i++)
		if (order[i] ~ /^ratio:batch:/) {
			split(order[i], p, ":")
			ratio(sprintf("%-10s bulk %-5s batched / one", p[3], p[4]), order[i], "")
			printf "      batched %.1f MB/s, one per call %.1f MB/s\n", med("fig:bench:" p[3] ":bulk:" p[4] ":raw"),
				med("fig:batch1:" p[3] ":" p[4])
		}
	printf "\n2. transfers of %d MiB, checksum on: socklab send/recv over socat -u and over nc\n", mib
	for (i = 1; i <= nkeys; i++) {
		k = order[i]
		if (k !~ /^fig:xfer:.*:mbs$/) continue
		split(k, p, ":")
		b = "fig:xfer:" p[3] ":" p[4]
		printf "  %-5s %-8s %8.1f MB/s   CPU seconds per GB: sender %.3f, receiver %.3f\n", p[3], p[4], med(k),
			med(b ":send_cpu"), med(b ":recv_cpu")
	}
	for (i = 1; i <= nkeys; i++)
		if (order[i] ~ /^ratio:xfer:/) { split(order[i], p, ":"); ratio(sprintf("%-5s socklab / %s", p[3], p[4]), order[i], "") }
	left_out("socat"); left_out("nc")
	printf "\n3. TCP bulk: socklab bench (socklab path) over iperf3, at the same placement\n"
	for (i = 1; i <= nkeys; i++)
		if (order[i] ~ /^ratio:iperf3:/) {
			split(order[i], p, ":")
			ratio(sprintf("tcp   %-5s socklab / iperf3", p[3]), order[i], "")
			if (med("fig:iperf3:" p[3] ":iperf3") != "")
				printf "      socklab %.1f MB/s, iperf3 %.1f MB/s\n", med("fig:iperf3:" p[3] ":socklab"), med("fig:iperf3:" p[3] ":iperf3")
		}
	left_out("iperf3")
	printf "\n4. round trips, 64 B, median: socklab bench (socklab path) over sockperf ping-pong --full-rtt\n"
	for (i = 1; i <= nkeys; i++)
		if (order[i] ~ /^ratio:sockperf:/) {
			split(order[i], p, ":")
			ratio(sprintf("%-5s %-5s socklab / sockperf", p[3], p[4]), order[i], "")
			f = "fig:sockperf:" p[3] ":" p[4]
			if (med(f ":sockperf") != "")
				printf "      socklab %.1f us, sockperf %.1f us\n", med(f ":socklab"), med(f ":sockperf")
		}
	left_out("sockperf")
	printf "\n%d of %d ratios at or beyond their targets", passed, total
	printf "%s\n", failed == "" ? "." : "; not met:" failed
}' "$1"
