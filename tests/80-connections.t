#!/usr/bin/env bash
# Connections: ClientHellos cut into records, clients that close early.
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
# request timeout.
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
ok_cmd "  the server holds none of them" test "$(ls /proc/$SERVER_PID/fd | wc -l)" -lt 30
stop_server
done_testing
