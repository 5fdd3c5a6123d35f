#!/bin/sh
# run.sh - runs every fuzz target at once for SECONDS, from its seeds and past crashes; fails on a crash.
# usage: sh fuzz/run.sh BUILD_DIR SECONDS NAME... (make fuzz does this)
set -u
b=$1
seconds=$2
shift 2
mkdir -p "$b/crashes"
for t in "$@"; do
	mkdir -p "$b/corpus/$t"
	dirs="$b/corpus/$t fuzz/corpus/$t"
	[ -d "fuzz/regressions/$t" ] && dirs="$dirs fuzz/regressions/$t"
	# New inputs go to the first directory, in the build: fuzz/ only changes by hand.
	"$b/fuzz-$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$b/crashes/$t-" $dirs >"$b/fuzz-$t.log" 2>&1 &
	echo $! >"$b/fuzz-$t.pid"
done
status=0
for t in "$@"; do
	if wait "$(cat "$b/fuzz-$t.pid")"; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$b/fuzz-$t.log")
		echo "fuzz $t: $execs executions in $seconds s, no crash; corpus $(ls "$b/corpus/$t" | wc -l) inputs"
	else
		tail -n 40 "$b/fuzz-$t.log"
		echo "fuzz $t: FAILED (log: $b/fuzz-$t.log); the input is in $b/crashes/:" \
			"add it to fuzz/regressions/$t/ once fixed"
		status=1
	fi
	rm -f "$b/fuzz-$t.pid"
done
exit $status
