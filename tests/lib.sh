# lib.sh: TAP helpers and a real server on an ephemeral port, for the integration tests.
# Sourced by tests/*.t.  ALMANAC and GEMGET name the binaries under test.

ALMANAC=${ALMANAC:-./almanac}
GEMGET=${GEMGET:-./gemget}
case $ALMANAC in /*) ;; *) ALMANAC=$PWD/$ALMANAC ;; esac
case $GEMGET in /*) ;; *) GEMGET=$PWD/$GEMGET ;; esac
TOP=$PWD
TESTS_RUN=0
TESTS_FAILED=0
WORK=$(mktemp -d /tmp/almanac-test.XXXXXX)
SERVER_PID=
PORT=

cleanup() {
	[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

pass() { TESTS_RUN=$((TESTS_RUN + 1)); echo "ok $TESTS_RUN - $1"; }
fail() {
	TESTS_RUN=$((TESTS_RUN + 1)); TESTS_FAILED=$((TESTS_FAILED + 1))
	echo "not ok $TESTS_RUN - $1"
	shift
	for line in "$@"; do printf '#   %s\n' "$line"; done
}
# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got:  '$1'" "want: '$2'"; fi
}
# like GOT EXTENDED-REGEX NAME
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then pass "$3"
	else fail "$3" "got:  '$(printf '%s' "$1" | head -c 600)'" "want match: $2"; fi
}
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		fail "$3" "got:  '$(printf '%s' "$1" | head -c 600)'" "want no match: $2"
	else pass "$3"; fi
}
# ok_cmd NAME COMMAND...: passes when the command exits 0
ok_cmd() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
done_testing() {
	echo "1..$TESTS_RUN"
	[ "$TESTS_FAILED" -eq 0 ]
	exit $?
}

# A fresh capsule directory to serve: a copy of the bundled one, or empty.
make_capsule() {
	CAPSULE=$WORK/capsule
	rm -rf "$CAPSULE"
	if [ "${1:-}" = empty ]; then mkdir -p "$CAPSULE"
	else cp -a "$TOP/capsule" "$CAPSULE"; fi
}

# start_server [almanac options...]: serves $CAPSULE on localhost, ephemeral port,
# with the publication dates in $WORK/state (a --state given wins).
start_server() {
	: "${CAPSULE:?make_capsule first}"
	LOG=$WORK/server.log
	: >"$LOG"
	# With --log FILE the start-up lines are in that file.
	local startlog=$LOG prev=
	for arg in "$@"; do [ "$prev" = --log ] && startlog=$arg; prev=$arg; done
	# ALMANAC_WRAPPER runs the server under a tool, e.g. valgrind.
	$ALMANAC_WRAPPER "$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" \
	    --listen localhost:0 --state "$WORK/state" "$@" 2>>"$LOG" &
	SERVER_PID=$!
	local i
	for i in $(seq 1 300); do
		grep -q 'workers\? started' "$startlog" 2>/dev/null && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$startlog" | head -n 1)
	if [ -z "$PORT" ] || ! grep -q 'workers\? started' "$startlog"; then
		echo "# server did not start:"; sed 's/^/#   /' "$startlog" "$LOG"
		return 1
	fi
	BASE=gemini://localhost:$PORT
}

# start_config FILE: serves what the configuration file says, the publication dates in
# $WORK/state; PORT is its first plain listener's.
start_config() {
	LOG=$WORK/server.log
	: >"$LOG"
	$ALMANAC_WRAPPER "$ALMANAC" -f "$1" --state "$WORK/state" 2>>"$LOG" &
	SERVER_PID=$!
	local i
	for i in $(seq 1 300); do
		grep -q 'workers\? started' "$LOG" && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG" | head -n 1)
	BASE=gemini://localhost:$PORT
}

# served_pid: the server process serving now (the child of the supervisor started as SERVER_PID).
served_pid() { pgrep -P "$SERVER_PID" -n 2>/dev/null || echo "$SERVER_PID"; }

# stop_server: SIGTERM, and the exit status must be 0 with no sanitizer report.
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	local rc=0
	wait "$SERVER_PID" || rc=$?
	SERVER_PID=
	is "$rc" 0 "server exits 0 on SIGTERM"
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$LOG"; then
		fail "no sanitizer report in the server log" "$(grep -E -A20 'Sanitizer|runtime error' "$LOG" | head -40)"
	else
		pass "no sanitizer report in the server log"
	fi
}

# gem URL [gemget options]: the whole response, connecting to our server.
gem() {
	local url=$1; shift
	"$GEMGET" -t 10 -c "127.0.0.1:$PORT" "$@" "$url"
}
# status URL [options]: the response header line only.
header() {
	local url=$1; shift
	"$GEMGET" -t 10 -c "127.0.0.1:$PORT" -H "$@" "$url"
}
body() {
	local url=$1; shift
	"$GEMGET" -t 10 -c "127.0.0.1:$PORT" -B "$@" "$url"
}
# raw STRING: send STRING (with \r \n \xHH escapes) and print the header.
raw() {
	"$GEMGET" -t 10 -c "127.0.0.1:$PORT" -H -r "$1" "gemini://localhost:$PORT/"
}

# within SECONDS COMMAND...: retries the command every 50 ms until it succeeds.
within() {
	local limit=$1 start
	shift
	start=$(date +%s%N)
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(( ($(date +%s%N) - start) / 1000000 )) -ge $((limit * 1000)) ] && return 1
		sleep 0.05
	done
}
# has URL REGEX: the response body matches
has() { body "$1" | grep -Eq -- "$2"; }
lacks() { ! body "$1" | grep -Eq -- "$2"; }
