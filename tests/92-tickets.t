#!/usr/bin/env bash
# Session-ticket keys shared by several instances: a session from one resumes on another; a malformed file is refused with the reason and the current keys kept.
. tests/lib.sh

make_capsule
key() { openssl rand 80 | base64 -w0; echo; }
key >"$WORK/keys"
start() {	# start NAME EXTRA...: an instance on a port of its own
	local name=$1; shift
	"$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen 127.0.0.1:0 "$@" 2>"$WORK/$name.log" &
	eval "${name}_PID=$!"
	for i in $(seq 1 100); do grep -q 'workers\? started' "$WORK/$name.log" && break; sleep 0.1; done
	eval "${name}_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$name.log" | head -n 1)"
}
fetch() {	# fetch PORT SESSION-OPTIONS...: "resumed: yes|no"
	local port=$1; shift
	"$GEMGET" -t 10 -c 127.0.0.1:$port -i "$@" "gemini://localhost:$port/" 2>&1 >/dev/null | grep '^resumed:'
}
start A --ticket-keys "$WORK/keys"
start B --ticket-keys "$WORK/keys"
start C
like "$(cat "$WORK/A.log")" '1 session-ticket keys from .*shared with other instances' "the shared keys are announced"
fetch "$A_PORT" --sess-out "$WORK/s1" >/dev/null
is "$(fetch "$B_PORT" --sess-in "$WORK/s1")" "resumed: yes" "a session from instance A resumes on instance B (same keys)"
is "$(fetch "$C_PORT" --sess-in "$WORK/s1")" "resumed: no" "  not on an instance with keys of its own"
is "$(fetch "$B_PORT" --sess-in "$WORK/s1" --tls-max 1.2)" "resumed: no" "  (a TLS 1.2 session is another session)"
fetch "$A_PORT" --tls-max 1.2 --sess-out "$WORK/s12" >/dev/null
is "$(fetch "$B_PORT" --tls-max 1.2 --sess-in "$WORK/s12")" "resumed: yes" "a TLS 1.2 ticket from A resumes on B too"

# Rotation: a new key first, the old one second, read on SIGHUP
{ key; cat "$WORK/keys"; } >"$WORK/keys.new"; mv "$WORK/keys.new" "$WORK/keys"
kill -HUP "$A_PID" "$B_PID"
ok_cmd "SIGHUP reads the rotated file" within 3 grep -q 'SIGHUP: 2 ticket keys read' "$WORK/B.log"
is "$(fetch "$B_PORT" --sess-in "$WORK/s1")" "resumed: yes" "  a ticket under the old key still resumes"
fetch "$A_PORT" --sess-out "$WORK/s2" >/dev/null
is "$(fetch "$B_PORT" --sess-in "$WORK/s2")" "resumed: yes" "  and one under the new key resumes on the other instance"

# A malformed or too short file is refused, and the current keys are kept
printf 'c2hvcnQ=\n' >"$WORK/keys"
kill -HUP "$B_PID"
ok_cmd "a malformed file is refused with the reason" within 3 grep -q 'keys:1: .*keeping\|ticket keys: .*keys:1: ' "$WORK/B.log"
ok_cmd "  and the current keys kept" within 2 grep -q 'keeping the current ticket keys' "$WORK/B.log"
is "$(fetch "$B_PORT" --sess-in "$WORK/s2")" "resumed: yes" "  which still resume"
timeout 10 "$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen 127.0.0.1:0 --ticket-keys "$WORK/keys" >"$WORK/bad.log" 2>&1
is "$?" 1 "a start with a malformed keys file fails"
like "$(cat "$WORK/bad.log")" 'error cannot start: no usable ticket keys' "  saying why"
for p in $A_PID $B_PID $C_PID; do kill -TERM "$p"; wait "$p"; done
done_testing
