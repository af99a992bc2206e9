#!/usr/bin/env bash
# test-deb.sh: the Debian package built, linted, installed in a throwaway
# chroot, run as its unit runs it, removed and purged; TAP for prove.
#
# Needs root (debootstrap, chroot, dpkg in the chroot).  The minbase chroot
# comes from the mirror of this machine's apt sources (DEB_MIRROR overrides
# it) and is cached as a tarball in build/deb-chroot/; every run unpacks a
# fresh copy in build/deb-test/, removed at the end (KEEP=1 keeps it).
# The server listens on loopback only: localhost:1965, as the package's
# configuration says, or another free port too when 1965 is taken here.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
CACHE=$TOP/build/deb-chroot
WORK=$TOP/build/deb-test
ROOT=$WORK/root
T0=$(date +%s)
N=0
FAILED=0
SERVER=
out=

ok() { N=$((N + 1)); echo "ok $N - $1"; }
nok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
check() { # check NAME COMMAND...: passes when the command exits 0
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
diag() { sed 's/^/# /'; }
note() { echo "# $*"; }
since() { echo $(($(date +%s) - $1)); }
bail() { echo "Bail out! $*"; exit 1; }
# Every pattern is in $out.
says_all() { local w; for w in "$@"; do grep -q -- "$w" <<<"$out" || return 1; done; }
# Run in the chroot with a clean environment, bounded in time.
in_root() {
	timeout 60 chroot "$ROOT" /usr/bin/env -i \
	    PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root "$@"
}
dpkg_do() {
	in_root dpkg "$@" >"$WORK/dpkg.log" 2>&1 || { diag <"$WORK/dpkg.log"; return 1; }
}
owner_mode() { in_root stat -c '%U %a' "$@" | sort -u | paste -sd' ' -; }
listing() { (cd "$1" && find . | LC_ALL=C sort | paste -sd' ' -); }

cleanup() {
	if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
		kill -KILL "$SERVER" 2>/dev/null
	fi
	if [ -d "$ROOT" ]; then
		# Whatever is mounted below the chroot, deepest first.
		awk -v r="$ROOT/" 'index($2, r) == 1 { print $2 }' /proc/mounts |
		    sort -r | while read -r m; do umount -l "$m"; done
		[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (debootstrap, chroot)"
	exit 0
fi
for t in dpkg-buildpackage lintian debootstrap setpriv timeout openssl; do
	command -v "$t" >/dev/null ||
	    bail "$t is missing: run make test-deb (tools/deps.sh deb lintian debootstrap)"
done

# --- build -----------------------------------------------------------------
t=$(date +%s)
VERSION=$(dpkg-parsechangelog -l debian/changelog -S Version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=$TOP/build/deb/almanac_${VERSION}_${ARCH}.deb
NAME=$(basename "$DEB")
mkdir -p "$TOP/build"
if make -s deb >"$TOP/build/deb-build.log" 2>&1 && [ -f "$DEB" ]; then
	ok "make deb builds $NAME ($(since "$t") s)"
else
	nok "make deb builds $NAME"
	tail -40 "$TOP/build/deb-build.log" | diag
	bail "no package"
fi

t=$(date +%s)
lint=$(lintian --display-info --show-overrides --fail-on error,warning "${DEB%.deb}.changes" 2>&1)
rc=$?
grep -v 'running with root privileges' <<<"$lint" | diag
if [ $rc = 0 ] && ! grep -q '^[EW]: ' <<<"$lint"; then
	ok "lintian: no errors, no warnings ($(since "$t") s)"
else
	nok "lintian: no errors, no warnings"
fi

contents=$(dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|')
missing=""
for f in /usr/bin/almanac /usr/bin/gemget /usr/share/man/man8/almanac.8.gz \
    /usr/share/man/man5/almanac.conf.5.gz /usr/share/man/man1/gemget.1.gz \
    /etc/almanac/almanac.conf /lib/systemd/system/almanac.service \
    /lib/systemd/system/almanac.socket /usr/share/almanac/capsule/intro.gmi; do
	grep -qx "$f" <<<"$contents" || missing="$missing $f"
done
[ -z "$missing" ] || note "missing:$missing"
check "the package holds both programs, three man pages, the conffile and both units" \
    test -z "$missing"
check "conffiles: /etc/almanac/almanac.conf and /etc/logrotate.d/almanac" \
    test "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles | LC_ALL=C sort | paste -sd' ' -)" \
    = "/etc/almanac/almanac.conf /etc/logrotate.d/almanac"

# --- the chroot --------------------------------------------------------------
# The mirror apt uses here, from sources.list or a deb822 .sources file.
mirror() {
	local u
	u=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
	    grep -v security | awk '{ print $2 }' | head -1)
	[ -n "$u" ] || u=$(grep -hsi '^URIs:' /etc/apt/sources.list.d/*.sources |
	    grep -v security | awk '{ print $2 }' | head -1)
	echo "${u:-http://deb.debian.org/debian}"
}
SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
MIRROR=${DEB_MIRROR:-$(mirror)}
# The package's dependencies, first alternatives, without versions.
INCLUDE=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' |
    grep . | LC_ALL=C sort -u | paste -sd, -)
KEY=$(echo "$SUITE $MIRROR $INCLUDE" | sha256sum | cut -c1-12)
TARBALL=$CACHE/$SUITE-minbase-$KEY.tar

rm -rf "$WORK"
mkdir -p "$ROOT" "$CACHE"
t=$(date +%s)
if [ -f "$TARBALL" ]; then
	how="cached in build/deb-chroot/"
else
	how="debootstrap --variant=minbase from $MIRROR"
	note "debootstrap --variant=minbase --include=$INCLUDE $SUITE $MIRROR"
	if ! timeout 600 debootstrap --variant=minbase --include="$INCLUDE" \
	    "$SUITE" "$WORK/new" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
		tail -20 "$WORK/debootstrap.log" | diag
		bail "debootstrap cannot make a $SUITE chroot from $MIRROR (DEB_MIRROR= names another)"
	fi
	rm -f "$WORK/new/var/cache/apt/archives/"*.deb
	tar --numeric-owner -C "$WORK/new" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
	rm -rf "$WORK/new"
	# Tarballs for other dependency lists are of no more use.
	find "$CACHE" -name "$SUITE-minbase-*.tar" ! -name "$(basename "$TARBALL")" -delete
fi
tar --numeric-owner -C "$ROOT" -xpf "$TARBALL"
# As on a real machine: / is 755, and localhost resolves.
chmod 755 "$ROOT"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
mount -t proc proc "$ROOT/proc" || bail "cannot mount /proc in the chroot"
[ -c "$ROOT/dev/null" ] || bail "the chroot has no /dev/null"
check "a $SUITE minbase chroot with $INCLUDE ($how, $(since "$t") s)" \
    eval 'in_root dpkg-query -W libc6 libssl3 libmagic1 adduser >/dev/null'

# What the chroot holds: type, mode, owner, and for all but directories
# (whose times change as entries come and go) size and time, of every
# file but in the kernel's file systems and what dpkg and apt keep to
# themselves (their databases and logs: the package's entries in them are
# asked of dpkg instead).
snapshot() {
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./sys \
	    -o -path ./tmp -o -path ./run -o -path ./var/lib/dpkg -o -path ./var/cache/apt \
	    -o -path ./var/lib/apt -o -path ./var/log/apt -o -path ./var/log/dpkg.log \
	    -o -path ./var/log/alternatives.log -o -path ./var/cache/debconf \) -prune \
	    -o -type d -printf '%y %m %U:%G - - %p\n' \
	    -o -printf '%y %m %U:%G %s %T@ %p\n') | LC_ALL=C sort -k6
}
# The user almanac stays after purge, as policy allows for system users:
# the account files change, and the tools that change them keep backups.
accounts='^\./etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$'
snapshot >"$WORK/before"

# --- install ---------------------------------------------------------------
cp "$DEB" "$ROOT/tmp/"
t=$(date +%s)
if dpkg_do -i "/tmp/$NAME"; then
	ok "dpkg -i $NAME in the chroot ($(since "$t") s)"
else
	nok "dpkg -i $NAME in the chroot"
	bail "not installed"
fi
pw=$(in_root getent passwd almanac)
system_user() {
	local uid h s
	IFS=: read -r _ _ uid _ _ h s <<<"$pw"
	[ "$uid" -lt 1000 ] && [ "$h" = /var/lib/almanac ] && [ "$s" = /usr/sbin/nologin ]
}
check "a system user almanac, without a login shell ($pw)" system_user
check "/var/lib/almanac and /var/log/almanac: almanac, mode 750" \
    test "$(owner_mode /var/lib/almanac /var/log/almanac)" = "almanac 750"
copied() {
	diff -r "$ROOT/usr/share/almanac/capsule" "$ROOT/var/lib/almanac/capsule" &&
	    [ -z "$(find "$ROOT/var/lib/almanac/capsule" ! -user 0)" ]
}
check "the bundled capsule is copied to /var/lib/almanac/capsule, owned by root" copied
check "almanac.service is enabled" \
    test -L "$ROOT/etc/systemd/system/multi-user.target.wants/almanac.service"
check "almanac.socket is not" \
    test ! -e "$ROOT/etc/systemd/system/sockets.target.wants/almanac.socket"

# The unit's User=, ExecStart=, capabilities and umask, to run it the same way.
UNIT=$ROOT/lib/systemd/system/almanac.service
unit() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }
USER_=$(unit User)
EXEC=$(unit ExecStart)
CAPS=$(unit AmbientCapabilities | tr 'A-Z ' 'a-z\n' | sed 's/^cap_/+/' | paste -sd, -)
UMASK=$(unit UMask)
check "the unit runs $EXEC as $USER_ with $CAPS, umask $UMASK" \
    test "$EXEC" = "/usr/bin/almanac -f /etc/almanac/almanac.conf" -a "$USER_" = almanac \
    -a "$CAPS" = "+net_bind_service,+lease"
# The unit's user and groups, capabilities, NoNewPrivileges= and UMask=,
# in the chroot: a command line to run as it is.
AS_UNIT=(chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
    setpriv --reuid="$USER_" --regid="$USER_" --init-groups
    --inh-caps="$CAPS" --ambient-caps="$CAPS" --bounding-set=-all,"$CAPS"
    --no-new-privs /bin/sh -c 'umask "$0" && exec "$@"' "$UMASK")
as_unit() { timeout 60 "${AS_UNIT[@]}" "$@"; }

out=$(as_unit /usr/bin/almanac -n -f /etc/almanac/almanac.conf 2>&1)
rc=$?
diag <<<"$out"
check "almanac -n -f /etc/almanac/almanac.conf, as almanac: valid" test $rc = 0
check "almanac -n names localhost, the capsule and the certificates' place" \
    says_all "gemini://localhost/" "root /var/lib/almanac/capsule" "/var/lib/almanac/certs"

# --- run it as the unit does -------------------------------------------------
listening() { # PORT: is anything here listening on it, IPv4 or IPv6?
	awk '$4 == "0A" { print $2 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    grep -qi "$(printf ':%04X$' "$1")"
}
PORT=1965
EXTRA=()
if listening 1965; then
	PORT=$((20000 + RANDOM % 20000))
	while listening "$PORT"; do PORT=$((PORT + 1)); done
	EXTRA=(-l "localhost:$PORT")
	note "port 1965 is taken on this machine: the server gets -l localhost:$PORT as well"
fi
URL=gemini://localhost:$PORT/
[ $PORT = 1965 ] && URL=gemini://localhost/
t=$(date +%s)
# Each program execs the next: $! is the supervisor's PID, as $MAINPID is.
# shellcheck disable=SC2086 # ExecStart= split into words, as systemd does
"${AS_UNIT[@]}" $EXEC "${EXTRA[@]}" >"$WORK/server.out" 2>&1 &
SERVER=$!
up=0
for _ in $(seq 50); do
	if in_root gemget -t 2 -H "$URL" >/dev/null 2>&1; then up=1; break; fi
	kill -0 "$SERVER" 2>/dev/null || break
	sleep 0.2
done
check "the server answers on $URL ($(since "$t") s)" test $up = 1
LOG=$ROOT/var/log/almanac/almanac.log
[ $up = 1 ] || { diag <"$WORK/server.out"; [ -f "$LOG" ] && diag <"$LOG"; }

status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
uid=$(in_root id -u almanac)
CHILDREN=$(cat "/proc/$SERVER/task/"*/children 2>/dev/null | xargs)
as_almanac() {
	local p
	[ -n "$CHILDREN" ] || return 1
	for p in $SERVER $CHILDREN; do
		[ "$(status "$p" Uid)" = "$uid" ] || return 1
	done
}
check "supervisor $SERVER and its child ${CHILDREN:-(none)} run as almanac (uid $uid)" as_almanac
check "the supervisor has CAP_NET_BIND_SERVICE and CAP_LEASE, and no other capability" \
    test "$(status "$SERVER" CapEff)" = 0000000010000400

out=$(in_root gemget -t 5 "$URL" 2>&1)
head -3 <<<"$out" | diag
check "gemget in the chroot fetches the index: 20 text/gemini" says_all "^20 text/gemini"
check "the index is the bundled capsule's, with its chapters" says_all "^# Camp Ashraf" "^=> .*1986"
fp=$(in_root gemget -t 5 -i -H "$URL" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
want=$(openssl x509 -in "$ROOT/var/lib/almanac/certs/cert.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
check "its certificate is the one generated in /var/lib/almanac/certs" \
    test -n "$fp" -a "$fp" = "$want"
check "/var/lib/almanac/certs (700) and key.pem (600), owned by almanac" \
    test "$(owner_mode /var/lib/almanac/certs) / $(owner_mode /var/lib/almanac/certs/key.pem)" \
    = "almanac 700 / almanac 600"
sleep 0.3	# request lines are written within 100 ms
logged() {
	grep -q "\"$URL\" 20 " "$LOG" &&
	    [ "$(owner_mode /var/log/almanac/almanac.log)" = "almanac 640" ]
}
check "/var/log/almanac/almanac.log (almanac, 640) has the request" logged

# logrotate's way: rename, then SIGUSR1 to the main process alone.
mv "$LOG" "$LOG.1"
kill -USR1 "$SERVER"
sleep 0.3
in_root gemget -t 5 -H "${URL}chapters/" >/dev/null 2>&1
sleep 0.3
check "SIGUSR1 to the supervisor: the log is reopened, the next request in the new file" \
    grep -q "\"${URL}chapters/\" " "$LOG"
kill -HUP "$SERVER"
sleep 0.5
answers() { in_root gemget -t 5 -H "$URL" 2>/dev/null | grep -q "^20 "; }
check "SIGHUP to the supervisor (ExecReload=): still answering" answers

t=$(date +%s)
kill -TERM "$SERVER"
for _ in $(seq 75); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$SERVER" 2>/dev/null; then
	nok "SIGTERM to the supervisor: it stops within 15 s (TimeoutStopSec=)"
	kill -KILL "$SERVER"
	wait "$SERVER"
else
	wait "$SERVER"
	rc=$?
	check "SIGTERM to the supervisor: it stops with status 0 ($(since "$t") s)" test $rc = 0
fi
SERVER=
gone() { local p; for p in $CHILDREN; do [ ! -d "/proc/$p" ] || return 1; done; }
check "no server process is left" gone

# Installing again (an upgrade does the same) copies nothing over the capsule.
rm "$ROOT/var/lib/almanac/capsule/robots.txt"
dpkg_do -i "/tmp/$NAME"
check "installed again: a file the operator removed from the capsule stays removed" \
    test ! -e "$ROOT/var/lib/almanac/capsule/robots.txt" -a -f "$ROOT/var/lib/almanac/capsule/intro.gmi"

# --- remove, then purge ---------------------------------------------------------
T=$(date +%s)
check "dpkg -r almanac" dpkg_do -r almanac
removed() {
	test -f "$ROOT/etc/almanac/almanac.conf" -a -f "$ROOT/var/lib/almanac/capsule/intro.gmi" \
	    -a -f "$ROOT/var/lib/almanac/certs/key.pem" -a -f "$ROOT/var/log/almanac/almanac.log" \
	    -a ! -e "$ROOT/usr/bin/almanac" -a ! -e "$ROOT/usr/bin/gemget"
}
check "after remove: the conffile, capsule, certificates and log stay; the programs go" removed
if dpkg_do -P almanac; then
	ok "dpkg -P almanac ($(since "$T") s for both)"
else
	nok "dpkg -P almanac"
fi
diag <"$WORK/dpkg.log"
forgotten() {
	! in_root dpkg-query -W -f='${db:Status-Status}' almanac 2>/dev/null | grep -q . &&
	    ! compgen -G "$ROOT/var/lib/dpkg/info/almanac.*" >/dev/null
}
check "dpkg knows nothing of almanac any more" forgotten
snapshot >"$WORK/after"
diff <(cut -d' ' -f6- "$WORK/before") <(cut -d' ' -f6- "$WORK/after") >"$WORK/paths.diff"
grep '^[<>]' "$WORK/paths.diff" | diag
check "after purge: nothing that was there before the package is gone" \
    eval '! grep -q "^<" "$WORK/paths.diff"'
check "after purge: nothing the package made is left" \
    eval '! grep "^>" "$WORK/paths.diff" | cut -c3- | grep -Ev "$accounts" | grep -q .'
diff "$WORK/before" "$WORK/after" | grep '^>' | awk '{ print $7 }' |
    grep -Ev "$accounts" >"$WORK/changed"
diag <"$WORK/changed"
check "after purge: no file changed but the account files" test ! -s "$WORK/changed"
check "the user almanac is kept, as policy allows" eval 'in_root getent passwd almanac >/dev/null'

# --- an operator's capsule ---------------------------------------------------
# One that was there before the package: never copied over, kept on purge.
mkdir -p "$ROOT/var/lib/almanac/capsule"
printf '# Mine\n' >"$ROOT/var/lib/almanac/capsule/index.gmi"
check "installed again, over an operator's capsule" dpkg_do -i "/tmp/$NAME"
check "the operator's capsule is left as it was" \
    test "$(listing "$ROOT/var/lib/almanac/capsule")" = ". ./index.gmi"
check "almanac -n accepts it" \
    eval 'as_unit /usr/bin/almanac -n -f /etc/almanac/almanac.conf >/dev/null 2>&1'
dpkg_do -P almanac
diag <"$WORK/dpkg.log"
check "purged: the operator's capsule is kept, byte for byte" \
    test "$(listing "$ROOT/var/lib/almanac"):$(cat "$ROOT/var/lib/almanac/capsule/index.gmi")" \
    = ". ./capsule ./capsule/index.gmi:# Mine"
rm -rf "$ROOT/var/lib/almanac"

# The bundled one, changed and added to: only the unchanged files go.
dpkg_do -i "/tmp/$NAME"
C=$ROOT/var/lib/almanac/capsule
printf '\nA line of mine.\n' >>"$C/intro.gmi"
printf '# New\n' >"$C/2026-12-01-new.gmi"
dpkg_do -P almanac
diag <"$WORK/dpkg.log"
check "purged after the operator edited intro.gmi and added a page: those two alone stay" \
    test "$(listing "$C")" = ". ./2026-12-01-new.gmi ./intro.gmi"
rm -rf "$ROOT/var/lib/almanac"

# A user made by hand beforehand, as for an installation from source.
in_root userdel almanac
in_root useradd --system --home-dir /var/lib/almanac --shell /usr/sbin/nologin almanac
check "installed where useradd --system made the user almanac already" dpkg_do -i "/tmp/$NAME"
check "with its directories for that user" \
    test "$(owner_mode /var/lib/almanac /var/log/almanac)" = "almanac 750"
check "and purged again" dpkg_do -P almanac
snapshot >"$WORK/after2"
check "and otherwise the chroot is as before the package, but for the account files" \
    eval '! diff "$WORK/before" "$WORK/after2" | grep "^[<>]" | awk "{ print \$7 }" |
	grep -Ev "$accounts" | grep -q .'

note "test-deb took $(since "$T0") s"
echo "1..$N"
[ $FAILED = 0 ]
