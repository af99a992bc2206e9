#!/usr/bin/env bash
# FastCGI: locations answered by an application (the test responder over a Unix socket and TCP, and a shell script through a real fcgiwrap): relayed as it streams, every failure a 42 with a log line, connections bounded, scripts never served as files.
. tests/lib.sh

./tools/deps.sh test fcgiwrap >/dev/null || { echo "1..0 # SKIP fcgiwrap missing"; exit 0; }
make_capsule
mkdir -p "$CAPSULE/cgi" "$CAPSULE/app"
cp tests/fcgi/hello.sh "$CAPSULE/cgi/hello.sh"
chmod 755 "$CAPSULE/cgi/hello.sh"
printf 'secret source\n' >"$CAPSULE/app/source.gmi"

python3 tests/fcgi/responder.py "unix:$WORK/app.sock" >"$WORK/responder.log" 2>&1 &
RESPONDER=$!
tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 tests/fcgi/responder.py "tcp:127.0.0.1:$tport" >"$WORK/responder-tcp.log" 2>&1 &
RESPONDER_TCP=$!
fcgiwrap -s "unix:$WORK/cgi.sock" >"$WORK/fcgiwrap.log" 2>&1 &
FCGIWRAP=$!
trap 'kill $RESPONDER $RESPONDER_TCP $FCGIWRAP 2>/dev/null; cleanup' EXIT
for f in app.sock cgi.sock; do
	within 5 test -S "$WORK/$f" || fail "$f listens"
done
within 5 grep -q ready "$WORK/responder-tcp.log" || fail "the TCP responder listens"

cat >"$WORK/fcgi.conf" <<CONF
listen "localhost:0"
max-per-address 0
request-timeout 3
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	location "/app/*" {
		fastcgi socket "$WORK/app.sock"
		fastcgi max connections 64
	}
	location "/one/*" {
		fastcgi socket "$WORK/app.sock"
		fastcgi max connections 1
	}
	location "/tcp/*" {
		fastcgi socket tcp "127.0.0.1" "$tport"
	}
	location "/cgi/*" {
		fastcgi socket "$WORK/cgi.sock"
	}
	location "/fixed/*" {
		fastcgi socket "$WORK/app.sock"
		fastcgi param SCRIPT_NAME "/fixed"
		fastcgi param EXTRA "from the configuration"
	}
	location "/down/*" {
		fastcgi socket "$WORK/nobody.sock"
	}
}
CONF
start_config "$WORK/fcgi.conf"

# Client identities, as in 59-access.
ids=$WORK/ids
mkdir -p "$ids"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -keyout "$ids/alice.key" -out "$ids/alice.pem" -subj "/CN=alice" 2>/dev/null
alice_hash=SHA256:$(openssl x509 -in "$ids/alice.pem" -pubkey -noout |
    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)

is "$(header "$BASE/app/small")" "20 text/gemini" "a small page from the application"
like "$(body "$BASE/app/small")" '^# Small page' "  its body"
like "$(header "$BASE/tcp/small")" '^20 text/gemini' "an application on TCP"
is "$(header "$BASE/app/input")" "10 Your name?" "10 from the application"
like "$(body "$BASE/app/input?J%C3%BCrgen")" 'Hello, Jürgen!' "its query, decoded"
lacks "$BASE/app/source.gmi" 'secret source' "a file under a FastCGI location is never served"
lacks "$BASE/" 'source' "nor listed in the index"

params=$(body "$BASE/app/params?a%20b")
for want in "GATEWAY_INTERFACE=CGI/1.1" "GEMINI_URL=$BASE/app/params?a%20b" "GEMINI_URL_PATH=/app/params" \
    "GEMINI_SEARCH_STRING=a b" "QUERY_STRING=a%20b" "REMOTE_ADDR=127.0.0.1" "REQUEST_METHOD=GET" \
    "SERVER_NAME=localhost" "SERVER_PORT=$PORT" "SERVER_PROTOCOL=GEMINI" "SERVER_SOFTWARE=almanac/" \
    "TLS_VERSION=TLSv1.3" "TLS_CIPHER=TLS_" "DOCUMENT_ROOT=$CAPSULE"; do
	case $params in *"$want"*) pass "parameter $want" ;; *) fail "parameter $want"; echo "$params" | sed 's/^/#   /' ;; esac
done
unlike "$params" 'AUTH_TYPE|TLS_CLIENT_HASH' "no certificate parameters without a certificate"
cparams=$(body "$BASE/app/params" --cert "$ids/alice.pem" --key "$ids/alice.key")
for want in "AUTH_TYPE=CERTIFICATE" "REMOTE_USER=alice" "TLS_CLIENT_HASH=$alice_hash" "TLS_CLIENT_SUBJECT=" \
    "TLS_CLIENT_ISSUER=" "TLS_CLIENT_NOT_BEFORE=" "TLS_CLIENT_NOT_AFTER="; do
	case $cparams in *"$want"*) pass "with a certificate: $want" ;; *) fail "with a certificate: $want" ;; esac
done
fparams=$(body "$BASE/fixed/more/params")
like "$fparams" 'SCRIPT_NAME=/fixed' "fastcgi param replaces a built-in parameter"
like "$fparams" 'PATH_INFO=/more/params' "  and PATH_INFO follows it"
like "$fparams" 'EXTRA=from the configuration' "  and adds its own"

# Failures: each a 42 with a log line, at once where nothing is to be waited for.
t0=$(date +%s%N)
like "$(header "$BASE/down/x")" '^42 the application is not available' "an application that is down: 42"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] && pass "  at once (${ms} ms)" || fail "  at once (${ms} ms)"
like "$(header "$BASE/app/badheader")" '^42 bad header' "a bad header: 42"
like "$(header "$BASE/app/longheader")" '^42 bad header' "a META over 1024 bytes: 42"
like "$(header "$BASE/app/crashbefore")" '^42 ' "a crash before the header: 42"
like "$(header "$BASE/app/overloaded")" '^42 the application refused' "END_REQUEST overloaded: 42"
t0=$(date +%s%N)
like "$(header "$BASE/app/hang")" '^42 no header from the application in time' "no header within the request timeout: 42"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 2500 ] && [ "$ms" -lt 8000 ] && pass "  after the timeout (${ms} ms)" || fail "  after the timeout (${ms} ms)"
mid=$(gem "$BASE/app/crashmid" | wc -c)
[ "$mid" -gt 60000 ] && [ "$mid" -lt 70000 ] && pass "a crash mid-body: what came is relayed, then the end ($mid bytes)" || fail "crash mid-body ($mid bytes)"
for why in 'bad header' 'no header from the application in time' 'closed without END_REQUEST' 'not available'; do
	grep -q "warn fastcgi .*$why" "$LOG" && pass "logged: $why" || fail "logged: $why"
done
grep -q 'warn fastcgi .*responder: a line on stderr' "$LOG" || { body "$BASE/app/stderr" >/dev/null; sleep 0.3; }
grep -q 'warn fastcgi .*responder: a line on stderr' "$LOG" && pass "the application's stderr is logged" || fail "stderr logged"

# Streaming: the answer flows before the application has finished.
slow=$(timeout 10 python3 - "$PORT" <<'PY'
import socket, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"gemini://localhost:%s/app/slow?5\r\n" % sys.argv[1].encode())
t0 = time.time(); times = []
while True:
    b = s.recv(65536)
    if not b: break
    times.append(time.time() - t0)
print(len(times), "%.2f" % (times[-1] - times[0]))
PY
)
read -r nlines spread <<<"$slow"
[ "${nlines:-0}" -ge 4 ] && python3 -c "import sys; sys.exit(0 if $spread > 0.8 else 1)" &&
    pass "slow output streams line by line ($nlines lines over ${spread} s)" || fail "slow output streams ($slow)"

# 50 MB to a client that reads slowly: almanac does not buffer it.
pid=$(served_pid)
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
python3 - "$PORT" >"$WORK/slowread.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"gemini://localhost:%s/app/big\r\n" % sys.argv[1].encode())
got = 0; t0 = time.time()
while True:
    b = s.recv(65536)
    if not b: break
    got += len(b)
    if time.time() - t0 < 3: time.sleep(0.05)
print(got)
PY
SLOW=$!
sleep 2
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
grow=$(( (rss1 - rss0) / 1024 ))
[ "$grow" -lt 16 ] && pass "a slow reader of 50 MB: the server grew ${grow} MiB" || fail "slow reader: the server grew ${grow} MiB"
wait $SLOW
is "$(cat "$WORK/slowread.out")" "52428829" "  and got the whole answer at the end (header + 50 MiB)"

# Parallel requests, and the per-location limit.
seq 1 40 | xargs -P 20 -I{} "$GEMGET" -t 10 -c "127.0.0.1:$PORT" -H "$BASE/app/small?{}" >"$WORK/par.out" 2>&1
is "$(grep -c '^20 ' "$WORK/par.out")" 40 "40 requests, 20 at a time: all 20"
grep -v '^20 ' "$WORK/par.out" | sed 's/^/#   /' | head -5
grep -v '" 20 ' "$LOG" | grep 'small?' | sed 's/^/#   /' | head -5
"$GEMGET" -t 10 -c "127.0.0.1:$PORT" -H "$BASE/one/slow?6" >"$WORK/one1" 2>&1 &
ONE=$!
sleep 0.5
like "$(header "$BASE/one/small")" '^44 ' "fastcgi max connections 1: a second request at once is 44"
wait $ONE
like "$(cat "$WORK/one1")" '^20 ' "  while the first is answered"
like "$(header "$BASE/one/small")" '^20 ' "  and the next one after it is 20"

# A real CGI script through fcgiwrap.
is "$(header "$BASE/cgi/hello.sh")" "10 Say something" "fcgiwrap: a shell script answers 10 without a query"
cgi=$(gem "$BASE/cgi/hello.sh?hi%20there" --cert "$ids/alice.pem" --key "$ids/alice.key")
like "$cgi" '^20 text/gemini' "  and 20 with one"
like "$cgi" 'QUERY_STRING=hi%20there' "  it sees QUERY_STRING"
like "$cgi" "GEMINI_URL=$BASE/cgi/hello.sh\\?hi%20there" "  GEMINI_URL"
like "$cgi" 'REMOTE_ADDR=127.0.0.1' "  REMOTE_ADDR"
like "$cgi" "TLS_CLIENT_HASH=$alice_hash" "  and the client certificate's hash"
unlike "$(gem "$BASE/cgi/hello.sh?x")" 'QUERY_STRING=\$' "the script's source is never served"
like "$(header "$BASE/cgi/missing.sh")" '^42 bad header' "a missing script (fcgiwrap's HTTP Status line): 42"

stop_server
done_testing
