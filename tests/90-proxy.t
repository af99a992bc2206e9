#!/usr/bin/env bash
# Behind a load balancer: a listener with `proxy` takes the PROXY header (v1, v2 with TLVs, trickled), logs and limits the real client address, and closes a connection without one.
. tests/lib.sh

make_capsule
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PP=$(free_port)
cat >"$WORK/proxy.conf" <<CONF
listen "127.0.0.1:$PP" proxy
listen "localhost:0"
max-per-address 1
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
}
CONF
start_config "$WORK/proxy.conf"
pc() { python3 tests/proxyclient.py "$PP" "$@"; }

like "$(grep 'listening on' "$LOG")" "127\.0\.0\.1:$PP \(a PROXY header first\)" "the proxy listener is announced"
like "$(pc v1 203.0.113.7 5555)" '^20 ' "PROXY v1 then TLS: served"
ok_cmd "  and the log names the client's real address" within 2 grep -q '203\.0\.113\.7:5555 "gemini' "$LOG"
like "$(pc v2 198.51.100.9 6666)" '^20 ' "PROXY v2 with TLVs (ALPN, authority, unique id): served"
ok_cmd "  logged with the real address" within 2 grep -q '198\.51\.100\.9:6666 "gemini' "$LOG"
like "$(pc v2-trickle 192.0.2.1 7777)" '^20 ' "a v2 header trickled a byte at a time: served"
like "$(pc local 0.0.0.0 0)" '^20 ' "a v2 LOCAL (a health check): served with the connection's own address"
is "$(pc none 0.0.0.0 0)" closed "no PROXY header on a proxy listener: closed"
is "$(pc long 0.0.0.0 0)" closed "a v1 line too long: closed"
is "$(python3 tests/proxyclient.py "$PORT" v1 203.0.113.7 5555)" closed "a PROXY header on a plain listener is garbage: closed"

# Per-address limits count the real address: one open connection each
python3 tests/proxyclient.py "$PP" v2 203.0.113.50 1000 3 >"$WORK/held.out" &
held=$!
sleep 1
like "$(pc v2 203.0.113.51 1001)" '^20 ' "max-per-address 1: another real address is served while one is held"
like "$(pc v2 203.0.113.50 1002)" '^44 ' "  the same real address gets 44"
wait $held
like "$(cat "$WORK/held.out")" '^20 ' "  and the held one is answered"
stop_server

# The command-line form
"$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen-proxy "127.0.0.1:$PP" 2>"$WORK/cli.log" &
SERVER_PID=$!
for i in $(seq 1 100); do grep -q 'workers\? started' "$WORK/cli.log" && break; sleep 0.1; done
like "$(pc v1 203.0.113.8 5556)" '^20 ' "--listen-proxy ADDR:PORT: served behind a PROXY header"
LOG=$WORK/cli.log
stop_server
done_testing
