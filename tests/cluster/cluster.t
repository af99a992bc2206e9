#!/usr/bin/env bash
# make test-cluster: three almanac instances behind HAProxy (TCP, PROXY v2, Gemini health checks) on loopback: spread, real client addresses, resumption across instances, an instance killed under load, one shared capsule.
. tests/lib.sh

command -v haproxy >/dev/null || { echo "1..0 # SKIP haproxy is not installed"; exit 0; }
command -v setsid >/dev/null || { echo "1..0 # SKIP setsid is not installed"; exit 0; }
N=3
HAPROXY_PID=
cluster_cleanup() {
	local i
	[ -n "$HAPROXY_PID" ] && kill -KILL "$HAPROXY_PID" 2>/dev/null
	for i in $(seq 1 $N); do
		eval "p=\${PG$i:-}"
		[ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null
	done
	cleanup
}
trap cluster_cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

make_capsule
openssl rand 80 | base64 -w0 >"$WORK/ticket.keys"; echo >>"$WORK/ticket.keys"
# start_instance I: its own proxy listener and a plain one, the shared capsule, certificate and ticket keys
start_instance() {
	local i=$1 log=$WORK/almanac$1.log k
	cat >"$WORK/almanac$i.conf" <<CONF
listen "127.0.0.1:0" proxy
listen "127.0.0.1:0"
workers 1
max-per-address 0
ticket keys "$WORK/ticket.keys"
log "$log"
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
}
CONF
	: >"$log"
	setsid "$ALMANAC" -f "$WORK/almanac$i.conf" 2>>"$WORK/almanac$i.err" &
	eval "PG$i=$!"
	for k in $(seq 1 300); do grep -q 'workers\? started' "$log" && break; sleep 0.1; done
	eval "PROXY$i=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) (a PROXY header first)$/\1/p' "$log" | head -n 1)"
	eval "PLAIN$i=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log" | head -n 1)"
}
for i in $(seq 1 $N); do start_instance "$i"; done	# one after the other: the first makes the certificate
ok_cmd "three instances start, each with a proxy listener and a plain one" test -n "$PROXY1$PLAIN1" -a -n "$PROXY2$PLAIN2" -a -n "$PROXY3$PLAIN3"
like "$(cat "$WORK/almanac2.log")" 'session-ticket keys from .*shared with other instances' "  sharing the ticket keys"

FRONT=$(free_port)
export HAPROXY_STATS=$WORK/haproxy.sock GEMINI_BIND=127.0.0.1:$FRONT HAPROXY_SOURCE=127.0.0.3
export ALMANAC1=127.0.0.1:$PROXY1 ALMANAC2=127.0.0.1:$PROXY2 ALMANAC3=127.0.0.1:$PROXY3
haproxy -f "$TOP/tests/cluster/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
stats() { python3 - "$HAPROXY_STATS" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(b"show stat\n"); data = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
for line in data.decode().splitlines():
    f = line.split(",")
    if len(f) > 17 and f[0] == "almanac" and f[1] == sys.argv[2]: print(f[17])
PY
}
all_up() { for i in $(seq 1 $N); do [ "$(stats almanac$i 2>/dev/null)" = UP ] || return 1; done; }
ok_cmd "HAProxy's Gemini health checks (PROXY header, TLS, a request, 20) mark the three up" within 20 all_up
[ -n "$(stats almanac1 2>/dev/null)" ] || { fail "HAProxy runs" "$(cat "$WORK/haproxy.log")"; done_testing; }

# through HAProxy: gemget connects to the frontend
front() { "$GEMGET" -t 10 -c "127.0.0.1:$FRONT" "$@"; }
for r in $(seq 1 30); do front -H "gemini://localhost/intro.gmi?spread-$r" >>"$WORK/spread.out" 2>&1; done
is "$(grep -c '^20 ' "$WORK/spread.out")" 30 "30 requests through HAProxy: all answer 20"
spread=
for i in $(seq 1 $N); do spread="$spread $(grep -c '"gemini://localhost/intro.gmi?spread-' "$WORK/almanac$i.log")"; done
like "$spread" '^ [1-9][0-9]* [1-9][0-9]* [1-9][0-9]*$' "  spread over the three instances (requests each:$spread)"
addrs=$(cat "$WORK"/almanac[123].log | grep 'intro.gmi?spread-' | sed -n 's/.* \([0-9.]*\):[0-9]* "gemini.*/\1/p' | sort -u | tr '\n' ' ')
is "$addrs" "127.0.0.1 " "  each instance logs the client's address (127.0.0.1), not HAProxy's (127.0.0.3)"
checks=$(cat "$WORK"/almanac[123].log | grep -c 'robots.txt' || true)
like "$checks" '^[1-9]' "  the health checks are Gemini requests too ($checks logged)"

# A session saved from one connection resumes through HAProxy on another instance
sclient() {	# sclient TAG SESSION-OPTION FILE: the request through HAProxy with openssl s_client
	printf 'gemini://localhost/intro.gmi?%s\r\n' "$1" |
	    timeout 20 openssl s_client -connect "127.0.0.1:$FRONT" -servername localhost "$2" "$3" -ign_eof 2>/dev/null
}
served_by() { grep -l "intro.gmi?$1\"" "$WORK"/almanac[123].log 2>/dev/null | sed 's/.*almanac\([0-9]\)\.log/\1/'; }
sclient resume-first -sess_out "$WORK/session" >"$WORK/first.out"
second=$(sclient resume-second -sess_in "$WORK/session")
within 3 test -n "$(served_by resume-second)"
a=$(served_by resume-first) b=$(served_by resume-second)
like "$(grep -E '^(New|Reused),' "$WORK/first.out")" '^New,' "s_client -sess_out: a new session (on instance $a)"
like "$second" '20 text/gemini' "s_client -sess_in through HAProxy: answered 20"
ok_cmd "  by another instance (first on $a, then on $b)" test -n "$a" -a -n "$b" -a "$a" != "$b"
like "$(printf '%s' "$second" | grep -E '^(New|Reused),')" '^Reused,' "  which resumed the session (shared ticket keys)"

# A file dropped into the shared capsule is served by every instance (each asked on its plain listener)
printf '# Dropped into the shared capsule\n' >"$CAPSULE/chapters/2024-05-dropped.gmi"
for i in $(seq 1 $N); do
	eval "p=\$PLAIN$i"
	ok_cmd "instance $i serves the dropped file and lists it" within 5 sh -c "'$GEMGET' -t 5 -c 127.0.0.1:$p -B gemini://localhost/ | grep -q '2024-05 - Dropped into the shared capsule'"
done
like "$(python3 tests/proxyclient.py "$PROXY2" v2 192.0.2.44 4444)" '^20 ' "a PROXY v2 header written by hand on instance 2's proxy listener: 20"
ok_cmd "  logged with that address" within 2 grep -q '192\.0\.2\.44:4444 "gemini' "$WORK/almanac2.log"

# One instance killed (supervisor and server, -9) under load: once HAProxy marks it down, nothing is lost
load() { local r=0; while [ ! -e "$WORK/stop-load" ] && [ $r -lt 2000 ]; do r=$((r + 1)); front -H "gemini://localhost/intro.gmi?load-$r" 2>&1 | head -c 3; echo; done >"$WORK/load.out"; }
load &
loader=$!
sleep 1
{ kill -KILL -- "-$PG2"; wait "$PG2"; } 2>/dev/null
PG2=
down() { [ "$(stats almanac2)" = DOWN ]; }
ok_cmd "instance 2 killed with -9: HAProxy marks it down" within 15 down
touch "$WORK/stop-load"; wait "$loader"
lost=$(grep -vc '^20' "$WORK/load.out" || true)
pass "  the loop meanwhile: $(wc -l <"$WORK/load.out") requests, $lost not answered 20 (redispatch retries refused connections)"
: >"$WORK/after.out"
for r in $(seq 1 40); do front -H "gemini://localhost/intro.gmi?after-$r" >>"$WORK/after.out" 2>&1; done
is "$(grep -c '^20 ' "$WORK/after.out")" 40 "  then 40 requests: every one answers 20"
after=
for i in 1 3; do after="$after $(grep -c 'intro.gmi?after-' "$WORK/almanac$i.log")"; done
like "$after" '^ [1-9][0-9]* [1-9][0-9]*$' "  from the two instances left (each:$after)"

readme=$(sed -n '/^```haproxy$/,/^```$/p' "$TOP/README.md" | sed '1d;$d')
is "$readme" "$(cat "$TOP/tests/cluster/haproxy.cfg")" "the README quotes this test's haproxy.cfg as it is"

kill -TERM "$HAPROXY_PID"; wait "$HAPROXY_PID" 2>/dev/null; HAPROXY_PID=
for i in 1 3; do
	eval "p=\$PG$i"
	kill -TERM "$p"; rc=0; wait "$p" || rc=$?
	is "$rc" 0 "instance $i stops on SIGTERM with status 0"
	eval "PG$i="
done
done_testing
