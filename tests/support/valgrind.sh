#!/bin/sh
# valgrind.sh - runs test suites with every socklab they start under valgrind's memcheck; fails on any error or leak.
# usage: sh tests/support/valgrind.sh BUILD_DIR SUITE... (make valgrind does this)
set -u
b=$1
shift
logs=$b/valgrind
rm -rf "$logs"
mkdir -p "$logs"
# The program under test becomes this wrapper: the tests run it as they run socklab, and each run
# leaves a log named after its process; with -q a log holds only errors, leaks and their stacks.
cat >"$logs/socklab" <<WRAPPER
#!/bin/sh
exec valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --track-fds=no --error-exitcode=99 \
	--log-file=$logs/memcheck.%p.log "$b/socklab" "\$@"
WRAPPER
chmod +x "$logs/socklab"
status=0
for suite in "$@"; do
	SOCKLAB=$logs/socklab "$b/socklab-tests" --filter "$suite/*" --jobs 2 || status=1
done
runs=$(ls "$logs"/memcheck.*.log 2>/dev/null | wc -l)
bad=0
for log in "$logs"/memcheck.*.log; do
	[ -s "$log" ] || continue
	cat "$log"
	bad=$((bad + 1))
done
echo "valgrind: $runs runs of socklab under memcheck, $bad with errors or leaks (logs in $logs)"
[ "$bad" -eq 0 ] || status=1
exit $status
