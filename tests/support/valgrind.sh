#!/bin/sh
# valgrind.sh - runs test suites with every socklab they start under valgrind's memcheck; fails on any error, leak or open descriptor.
# usage: sh tests/support/valgrind.sh BUILD_DIR SUITE... [-- FD_SUITE...] (make valgrind does this)
# The suites after "--" run with --track-fds=yes as well: a descriptor socklab opened and left open at exit fails them.
set -u
b=$1
shift
logs=$b/valgrind
rm -rf "$logs"
mkdir -p "$logs/fds"
chmod 1777 "$logs/fds" # some suites run socklab as another user (test_multicast.c), whose log goes here too
# The program under test becomes a wrapper: the tests run it as they run socklab, and each run (each
# process it forks too) leaves a log named after its process; with -q a log holds only errors, leaks
# and their stacks, and, with --track-fds=yes, the descriptors open at exit.
wrapper() { # wrapper PATH TRACK_FDS LOGDIR
	cat >"$1" <<WRAPPER
#!/bin/sh
exec valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --track-fds=$2 --error-exitcode=99 \
	--log-file=$3/memcheck.%p.log "$b/socklab" "\$@"
WRAPPER
	chmod 755 "$1"
}
wrapper "$logs/socklab" no "$logs"
wrapper "$logs/fds/socklab" yes "$logs/fds"
status=0
fds=0
for suite in "$@"; do
	if [ "$suite" = "--" ]; then
		fds=1
		continue
	fi
	if [ $fds = 1 ]; then
		SOCKLAB=$logs/fds/socklab "$b/socklab-tests" --filter "$suite/*" --jobs 2 || status=1
	else
		SOCKLAB=$logs/socklab "$b/socklab-tests" --filter "$suite/*" --jobs 2 || status=1
	fi
done
runs=$(ls "$logs"/memcheck.*.log "$logs"/fds/memcheck.*.log 2>/dev/null | wc -l)
bad=0
for log in "$logs"/memcheck.*.log; do
	[ -s "$log" ] || continue
	cat "$log"
	bad=$((bad + 1))
done
# A descriptor report block: "Open AF_UNIX socket 4: ..." and then where it was opened, or "<inherited from parent>"
# for what the test harness handed over. Anything else in these logs is a memcheck error.
for log in "$logs"/fds/memcheck.*.log; do
	[ -e "$log" ] || continue
	awk '{ sub(/^==[0-9]+== ?/, "") }
	/^FILE DESCRIPTORS:/ { next }
	/^Open / { hdr = $0; inblock = 1; first = 1; next }
	inblock && /^ *$/ { inblock = 0; next }
	inblock && first { first = 0; keep = $0 !~ /<inherited from parent>/; if (keep) { print hdr; bad = 1 } }
	inblock { if (keep) print; next }
	/^ *$/ { next }
	{ print; bad = 1 }
	END { exit bad }' "$log" >"$log.bad" || { echo "== $log"; cat "$log.bad"; bad=$((bad + 1)); }
	rm -f "$log.bad"
done
fdruns=$(ls "$logs"/fds/memcheck.*.log 2>/dev/null | wc -l)
echo "valgrind: $runs runs of socklab under memcheck ($fdruns with --track-fds=yes), $bad with errors, leaks or open descriptors (logs in $logs)"
[ "$bad" -eq 0 ] || status=1
exit $status
