#!/bin/sh
# deps.sh: check (and, as root, install) the Debian packages a make target needs.
# Usage: tools/deps.sh build|test|bench|deb [more packages]
set -eu

need_build="pkg-config libssl-dev libmagic-dev openssl"
need_test="$need_build perl libxml2-utils python3 procps mandoc groff-base amfora tmux"
need_bench="$need_build"
# dpkg-buildpackage: the Build-Depends of debian/control, and build-essential.
need_deb="$need_build build-essential debhelper dpkg-dev"

case "${1:-build}" in
build) want=$need_build ;;
test) want=$need_test ;;
bench) want=$need_bench ;;
deb) want=$need_deb ;;
*) echo "usage: $0 build|test|bench|deb" >&2; exit 2 ;;
esac
[ $# -gt 1 ] && { shift 1; want="$want $*"; }

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || apt-get update
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	    apt-get install -y --no-install-recommends $missing
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
if command -v sudo >/dev/null 2>&1; then
	echo "deps: run: sudo apt-get install -y$missing" >&2
else
	echo "deps: run as root: apt-get install -y$missing" >&2
fi
exit 1
