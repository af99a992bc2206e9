#!/usr/bin/env bash
# Hostile inputs from tests/hostile.tsv: each gets its expected outcome, and the server still answers afterwards.
. tests/lib.sh

make_capsule
start_server --request-timeout 2 --max-per-address 0 || exit 1

# tcp_send HEX [linger]: plain TCP; prints what came back (as text), bounded in time
tcp_send() {
	python3 - "$PORT" "$1" "${2:-0}" <<'PY'
import os, socket, sys, time
port, payload, linger = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
data = os.urandom(int(payload[7:])) if payload.startswith("random:") else bytes.fromhex(payload)
s = socket.create_connection(("127.0.0.1", port), timeout=6)
try:
    s.sendall(data)
    if linger:
        time.sleep(linger)
    got = b""
    while len(got) < 4096:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
except (ConnectionResetError, BrokenPipeError, socket.timeout):
    got = b""
sys.stdout.write(got.decode("latin-1"))
PY
}

burst() {
	python3 - "$PORT" "$1" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
for s in socks:
    s.close()
PY
}

make_client_cert() {
	local kind=$1
	if [ "$kind" = expired ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$WORK/ck.pem" -out "$WORK/cc-new.pem" -days 1 -subj /CN=old >/dev/null 2>&1
		openssl x509 -in "$WORK/cc-new.pem" -signkey "$WORK/ck.pem" -days -2 \
		    -out "$WORK/cc.pem" >/dev/null 2>&1 || cp "$WORK/cc-new.pem" "$WORK/cc.pem"
	else
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$WORK/ck.pem" -out "$WORK/cc.pem" -days 1 -subj "/CN=\\x00\\xff/O=%s%n" \
		    -addext "1.2.3.4.5.6.7=critical,DER:de:ad:be:ef" \
		    -addext "subjectAltName=DNS:*.*.*,email:not an address" >/dev/null 2>&1
	fi
}

prefix="gemini://localhost:$PORT/"
pad() { printf '%*s' $(($1 - ${#prefix})) '' | tr ' ' 0; }
PAD1024=$(pad 1024); PAD1025=$(pad 1025); PAD1026=$(pad 1026)

# outcome KIND ARG: prints the status code, or "closed"
outcome() {
	local kind=$1 arg=$2 out
	case $kind in
	req)
		arg=${arg//\$PORT/$PORT}
		arg=${arg//\$PAD1024/$PAD1024}; arg=${arg//\$PAD1025/$PAD1025}; arg=${arg//\$PAD1026/$PAD1026}
		out=$("$GEMGET" -t 6 -c 127.0.0.1:$PORT -H -r "$arg" "$BASE/" 2>/dev/null) ;;
	tls)
		# shellcheck disable=SC2086
		out=$("$GEMGET" -t 6 -c 127.0.0.1:$PORT -H $arg "$BASE/" 2>/dev/null) ;;
	random)
		head -c "$arg" /dev/urandom >"$WORK/random.bin"
		out=$("$GEMGET" -t 6 -c 127.0.0.1:$PORT -H --raw-file "$WORK/random.bin" "$BASE/" 2>/dev/null) ;;
	tcp)
		out=$(tcp_send "$arg" | head -c 200 | tr -d '\0') ;;
	tcpslow)
		out=$(tcp_send "$arg" 3 | head -c 200 | tr -d '\0') ;;
	burst)
		burst "$arg"; out= ;;
	cert)
		make_client_cert "$arg"
		out=$("$GEMGET" -t 6 -c 127.0.0.1:$PORT -H --cert "$WORK/cc.pem" --key "$WORK/ck.pem" "$BASE/" 2>/dev/null) ;;
	esac
	case $out in
	[0-9][0-9]\ *|[0-9][0-9]) echo "${out:0:2}" ;;
	*) echo closed ;;
	esac
}

while IFS=$'\t' read -r name expect kind arg; do
	case $name in ''|'#'*) continue ;; esac
	is "$(outcome "$kind" "$arg")" "$expect" "$name: $expect"
	like "$(header "$BASE/")" '^20 ' "  and the server still answers"
done <tests/hostile.tsv

ok_cmd "the server process is still alive" kill -0 "$SERVER_PID"
stop_server
done_testing
