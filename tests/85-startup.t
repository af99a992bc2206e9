#!/usr/bin/env bash
# Start-up that cannot half-succeed: a second almanac on a port is refused, an address in use is fatal and named, fatal conditions are errors; socket activation; a closed terminal ends the server.
. tests/lib.sh

make_capsule
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P=$(free_port)
"$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen "127.0.0.1:$P" 2>"$WORK/first.log" &
SERVER_PID=$!
for i in $(seq 1 100); do grep -q 'workers\? started' "$WORK/first.log" && break; sleep 0.1; done
timeout 10 "$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen "127.0.0.1:$P" >"$WORK/second.log" 2>&1
is "$?" 1 "a second almanac on the same port exits 1"
like "$(cat "$WORK/second.log")" "error cannot listen on 127\.0\.0\.1:$P: address already in use by another process" "  saying the address is in use by another process"
codes=; for i in 1 2 3 4 5 6; do codes="$codes$("$GEMGET" -t 5 -c 127.0.0.1:$P -H "gemini://localhost:$P/" | cut -c1-2)"; done
is "$codes" 202020202020 "  and the first one answers every request"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=

# 127.0.0.1:P held by another program: "localhost" must not go on with [::1] alone
P=$(free_port)
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", '"$P"')); s.listen(); time.sleep(15)' &
holder=$!
sleep 0.5
timeout 10 "$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen "localhost:$P" >"$WORK/partial.log" 2>&1
is "$?" 1 "an address of 'localhost' in use: exit 1, not half the addresses"
like "$(cat "$WORK/partial.log")" "error cannot listen on 127\.0\.0\.1:$P" "  naming the exact address"
unlike "$(cat "$WORK/partial.log")" 'workers? started' "  and nothing is served"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# A fatal condition is an error, not a warning
mkdir -p "$WORK/half"; cp "$WORK/certs/cert.pem" "$WORK/half/"
timeout 10 "$ALMANAC" --root "$CAPSULE" --certs "$WORK/half" --listen 127.0.0.1:0 >"$WORK/half.log" 2>&1
is "$?" 1 "a certs directory with only cert.pem: exit 1"
like "$(cat "$WORK/half.log")" ' error cannot start' "  with an error line"

# Socket activation: sockets handed over the way systemd does replace every listen address
if command -v systemd-socket-activate >/dev/null; then
	P=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$P" "$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" \
	    --listen localhost:0 >"$WORK/act.log" 2>&1 &
	SERVER_PID=$!
	sleep 0.3
	like "$("$GEMGET" -t 10 -c 127.0.0.1:$P -H "gemini://localhost:$P/")" '^20 ' "socket activation: the handed-over socket is served (the first connection starts almanac)"
	for i in $(seq 1 50); do grep -q 'workers\? started' "$WORK/act.log" && break; sleep 0.1; done
	like "$(cat "$WORK/act.log")" "listening on 127\.0\.0\.1:$P \(a socket handed over by systemd\)" "  the log says so"
	is "$(grep -c 'listening on' "$WORK/act.log")" 1 "  and --listen is not bound besides"
	codes=; for i in 1 2 3 4; do codes="$codes$("$GEMGET" -t 5 -c 127.0.0.1:$P -H "gemini://localhost:$P/" | cut -c1-2)"; done
	is "$codes" 20202020 "  every request is answered"
	kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=
else
	for n in 1 2 3 4; do pass "systemd-socket-activate not installed # SKIP"; done
fi

# Started from a terminal that then closes: the hang-up ends the server (a daemon's SIGHUP still reloads)
out=$(python3 - "$ALMANAC" "$CAPSULE" "$WORK/certs" <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "--root", sys.argv[2], "--certs", sys.argv[3], "--listen", "127.0.0.1:0"])
buf = b""
end = time.time() + 10
while b"started" not in buf and time.time() < end:
    try:
        buf += os.read(fd, 4096)
    except OSError:
        break
os.close(fd)
for _ in range(60):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("exited", os.WEXITSTATUS(status) if os.WIFEXITED(status) else "signal")
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    print("still running")
PY
)
like "$out" '^exited' "a server started from a terminal ends when the terminal closes ($out)"
done_testing
