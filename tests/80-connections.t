#!/usr/bin/env bash
# Connections: ClientHellos cut into records, clients that close early, Nagle-on clients, limits and timeouts changed by SIGHUP.
. tests/lib.sh

make_capsule

# tcp_hello HEX...: plain TCP sending each HEX in turn, then waiting for the
# server to close; prints "closed after N ms" or "still open".
tcp_hello() {
	python3 - "$PORT" "$@" <<'PY'
import socket, sys, time
port, pieces = int(sys.argv[1]), [bytes.fromhex(h) for h in sys.argv[2:]]
s = socket.create_connection(("127.0.0.1", port), timeout=4)
start = time.time()
try:
    for p in pieces:
        s.sendall(p)
    while s.recv(4096):
        pass
    print("closed after %d ms" % ((time.time() - start) * 1000))
except (ConnectionResetError, BrokenPipeError):
    print("closed after %d ms" % ((time.time() - start) * 1000))
except socket.timeout:
    print("still open")
PY
}

# A ClientHello may come in any number of records: TLS state is allocated
# only once all of it is there (tests/45-slowloris.t measures the memory).
start_server || exit 1
for size in 1 5 64; do
	like "$(python3 tests/hello.py "$PORT" $size "$BASE/")" '^20 ' "a ClientHello in records of $size bytes is answered"
done
# A handshake header announcing 64 KiB; then 1-byte records of a 9 KiB
# ClientHello, whose records (54 KiB) exceed what is waited for.
like "$(tcp_hello 16030100040101000000)" '^closed after [0-9]{1,3} ms' "a ClientHello over 16 KiB is refused at once"
ok_cmd "  and the log says why" within 2 grep -q 'ClientHello too large' "$LOG"
records=$(python3 -c 'import sys; m = bytes.fromhex("01002400") + bytes(9216); sys.stdout.write("".join("1603010001%02x" % b for b in m))')
like "$(tcp_hello "$records")" '^closed after' "a ClientHello in too many records is refused"
ok_cmd "  and the log says why" within 2 grep -q 'ClientHello in too many records' "$LOG"
like "$(tcp_hello 16030100c4 1703030001ff)" '^closed after [0-9]{1,3} ms' "another record type in the middle of a ClientHello is refused at once"
stop_server

# A client that sends part of a ClientHello and closes is closed at once,
# and its per-address slot given back: 100 of them from one address must
# not lock that address out (--max-per-address 64, the default) until the
# request timeout (before the fix: 44 1, in each of 5 runs).
start_server || exit 1
python3 - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x16\x03\x01")
    s.close()
PY
start=$(date +%s%N)
within 1 sh -c "'$GEMGET' -t 1 -c 127.0.0.1:$PORT -H '$BASE/' | grep -q '^20 '"
rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 0 "after 100 clients from one address sent 3 bytes and closed, that address is served at once (${took} ms)"
like "$(header "$BASE/")" '^20 ' "  and again"
ok_cmd "  the server holds none of them" test "$(ls /proc/$(served_pid)/fd | wc -l)" -lt 30
stop_server

# A client that leaves Nagle on (Python's ssl module does) sends its
# request only once its Finished is acknowledged; the server, holding the
# session ticket back to leave with the answer, has nothing to send then,
# and its delayed ACK cost 40 ms per request.  The project measures
# performance with make bench, never with a timed test; this is a latency
# bug, 40 ms against well under 1, so the best of 5 tries under 15 ms is
# a safe threshold even on a busy machine (before the fix: 41-54 ms with
# TLS 1.3 and resumed TLS 1.2, every try, 0.1-0.4 ms with a full TLS 1.2
# handshake, whose last flight is the server's).
start_server || exit 1
for v in 1.3 1.2; do
	for kind in full resumed; do
		out=$(python3 tests/firstbyte.py "$PORT" "$BASE/" $v $kind 5)
		best=${out%% ms*}
		ok_cmd "TLS $v, $kind handshake, Nagle on: the first byte of the answer within 15 ms (best of 5: $out)" \
		    awk -v t="$best" 'BEGIN { exit !(t != "" && t < 15) }'
	done
done
stop_server

# The server from a configuration file, which reload() edits and SIGHUP
# reloads; one worker, so that all the connections share its timer lists.
cat >"$WORK/conn.conf" <<CONF
listen "localhost:0"
workers 1
max-per-address 3
request-timeout 60
write-timeout 60
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
}
CONF
start_conf() {
	LOG=$WORK/conf.log
	: >"$LOG"
	$ALMANAC_WRAPPER "$ALMANAC" -f "$WORK/conn.conf" 2>>"$LOG" &
	SERVER_PID=$!
	for i in $(seq 1 300); do grep -q 'workers\? started' "$LOG" && break; sleep 0.1; done
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$LOG" | head -n 1)
	BASE=gemini://localhost:$PORT
}
# reload SETTING VALUE
reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$LOG")
	sed -i "s/^$1 .*/$1 $2/" "$WORK/conn.conf"
	kill -HUP "$SERVER_PID"
	within 3 sh -c "[ \$(grep -c 'configuration reloaded' '$LOG') -gt $n ]"
}
fds() { ls "/proc/$(served_pid)/fd" | wc -l; }

# A connection gives back exactly the per-address slot it took, whatever
# the limit is when it closes: switched off and on again while connections
# are open, the limit must not lock their address out.
start_conf
base=$(fds)
held=
for i in 1 2 3; do
	"$GEMGET" -t 30 -c 127.0.0.1:$PORT --no-send "$BASE/" >/dev/null 2>&1 &
	held="$held $!"
done
within 5 sh -c "[ \$(ls /proc/$(served_pid)/fd | wc -l) -ge $((base + 3)) ]"
like "$(header "$BASE/")" '^44 ' "max-per-address 3: a 4th connection gets 44"
reload max-per-address 0
kill $held 2>/dev/null; wait $held 2>/dev/null
within 3 sh -c "[ \$(ls /proc/$(served_pid)/fd | wc -l) -le $base ]"
reload max-per-address 3
like "$(header "$BASE/")" '^20 ' "3 -> 0 -> 3 with SIGHUP while 3 were open: the address is served once they are gone"
codes=; for i in 1 2 3; do codes="$codes $(header "$BASE/" | cut -c1-2)"; done
is "$codes" " 20 20 20" "  and again"
stop_server

# A timeout lowered by SIGHUP applies at once, to the connections already
# waiting too, and one that waited longer does not shield the later ones
# (before the fix, with one worker: none of them closed, in every run).
# idle NAME: a TLS connection that sends no request; its exit code in NAME.rc
idle() {
	( "$GEMGET" -t 30 -c 127.0.0.1:$PORT --no-send "$BASE/" >/dev/null 2>&1
	  echo $? >"$WORK/$1.rc" ) &
}
start_conf
rm -f "$WORK"/*.rc
base=$(fds)
idle first
within 5 sh -c "[ \$(ls /proc/$(served_pid)/fd | wc -l) -gt $base ]"
reload request-timeout 2
start=$(date +%s%N)
idle second
within 5 sh -c "test -s '$WORK/first.rc' -a -s '$WORK/second.rc'"
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$(cat "$WORK/first.rc" "$WORK/second.rc" 2>/dev/null | xargs)" "5 5" "request-timeout 60 -> 2: both idle connections, opened before and after, are closed by the server"
ok_cmd "  within 4 s of the SIGHUP (${took} ms)" test "$took" -lt 4000
# With nothing else to wake it, the worker would sleep until the deadline
# it had computed under the old timeout.
reload request-timeout 60
base=$(fds)
idle third
within 5 sh -c "[ \$(ls /proc/$(served_pid)/fd | wc -l) -gt $base ]"
sleep 1.2
reload request-timeout 1
start=$(date +%s%N)
within 3 test -s "$WORK/third.rc"
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$(cat "$WORK/third.rc" 2>/dev/null)" 5 "request-timeout 60 -> 1 on a connection idle for over a second: closed at once (${took} ms)"
ok_cmd "  the worker is woken by the SIGHUP" test "$took" -lt 1000
stop_server

# A client that stops reading a large file: the write timeout.
truncate -s 64M "$CAPSULE/big.bin"
# stalled NAME: requests big.bin and reads nothing
stalled() {
	python3 - "$PORT" "$BASE/big.bin" <<'PY' &
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall((sys.argv[2] + "\r\n").encode())
time.sleep(30)
PY
}
sending() { ls -l "/proc/$(served_pid)/fd" | grep -c 'big\.bin'; }
start_conf
stalled; first=$!
within 5 sh -c "ls -l /proc/$(served_pid)/fd | grep -q big.bin"
reload write-timeout 2
start=$(date +%s%N)
stalled; second=$!
within 5 sh -c "[ \$(ls -l /proc/$(served_pid)/fd | grep -c big.bin) -eq 2 ]"
within 5 sh -c "! ls -l /proc/$(served_pid)/fd | grep -q big.bin"
took=$(( ($(date +%s%N) - start) / 1000000 ))
is "$(sending)" 0 "write-timeout 60 -> 2: both stalled downloads, started before and after, are cut by the server"
ok_cmd "  within 4 s of the SIGHUP (${took} ms)" test "$took" -lt 4000
ok_cmd "  and logged as write timeouts" within 2 sh -c "[ \$(grep -c 'big.bin.*write timeout' '$LOG') -eq 2 ]"
kill $first $second 2>/dev/null; wait $first $second 2>/dev/null
stop_server
done_testing
