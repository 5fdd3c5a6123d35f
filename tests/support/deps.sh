#!/bin/sh
# deps.sh - installs what `make test` needs, when it is missing: as root on Debian it
# runs apt-get; otherwise it prints the exact command and fails.
# Usage: deps.sh [PACKAGE:PROBE...]   (arguments: only these, as `make lab` asks for its two)
set -u

# Debian package, and a file or command that shows it is there.
need="libcriterion-dev:/usr/include/criterion/criterion.h
socat:socat
netcat-openbsd:nc
ncat:ncat
python3:python3
valgrind:valgrind
clang:clang
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
iproute2:ip
nftables:nft
tcpdump:tcpdump"
[ $# -gt 0 ] && need="$*"

missing=""
for entry in $need; do
	pkg=${entry%%:*}
	probe=${entry#*:}
	case $probe in
	/*) [ -e "$probe" ] && continue ;;
	*) command -v "$probe" >/dev/null 2>&1 && continue ;;
	esac
	missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "socklab needs:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "socklab needs:$missing" >&2
	echo "install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "deps.sh: apt-get install$missing failed" >&2
	exit 1
}
