#!/usr/bin/env bash
# Connections: clients that close early.
. tests/lib.sh

make_capsule

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
