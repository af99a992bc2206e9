#!/usr/bin/env bash
# Reverse proxy: pages of a second almanac relayed byte-exact (1 MiB too), its 51, an upstream down, silent, or sending garbage (43), the certificate's name checked or not, a client certificate presented to the upstream, molly-brown as upstream.
. tests/lib.sh

# The upstream: a second almanac serving its own capsule.
up=$WORK/up
mkdir -p "$up" "$up/certs" "$WORK/ids"
cp -a "$TOP/capsule" "$up/capsule"
mkdir -p "$up/capsule/other/members"
printf '# Upstream page\n' >"$up/capsule/other/page.gmi"
printf 'members only\n' >"$up/capsule/other/members/club.txt"
head -c 1048576 /dev/urandom >"$up/capsule/other/big.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -keyout "$WORK/ids/proxy.key" -out "$WORK/ids/proxy.pem" -subj "/CN=proxy" >/dev/null 2>&1
spki=$(openssl x509 -in "$WORK/ids/proxy.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -c1-64)
cat >"$up/up.conf" <<CONF
listen "localhost:0"
max-per-address 0
server "localhost" {
	root "$up/capsule"
	certs "$up/certs"
	location "/other/members/*" {
		require client certificate
		allow client "$spki"
	}
}
CONF
"$ALMANAC" -f "$up/up.conf" 2>"$up/log" &
UP_PID=$!
for i in $(seq 1 100); do grep -q 'workers\? started' "$up/log" && break; sleep 0.1; done
UP=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$up/log" | head -n 1)
[ -n "$UP" ] || { echo "Bail out! upstream did not start"; sed 's/^/# /' "$up/log"; exit 1; }

# A fake upstream: 'garbage' answers a bad header over TLS, 'elsewhere' a
# good answer with a certificate for another name, 'silent' accepts and waits.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -keyout "$WORK/ids/else.key" -out "$WORK/ids/else.pem" -subj "/CN=elsewhere.example" \
    -addext "subjectAltName=DNS:elsewhere.example" >/dev/null 2>&1
cat >"$WORK/fake.py" <<'PY'
import socket, ssl, sys, threading, time
mode, portfile, cert, key = sys.argv[1:5]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(portfile + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(portfile + ".tmp", portfile)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
def serve(c):
    try:
        if mode == "silent":
            time.sleep(30)
            return
        t = ctx.wrap_socket(c, server_side=True)
        t.recv(2048)
        t.sendall(b"2 not a header\r\n" if mode == "garbage" else b"20 text/plain\r\nfrom elsewhere\n")
        t.unwrap()
    except Exception:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
for m in garbage elsewhere silent; do
	python3 "$WORK/fake.py" $m "$WORK/$m.port" "$WORK/ids/else.pem" "$WORK/ids/else.key" &
done
for i in $(seq 1 100); do [ -f "$WORK/silent.port" ] && [ -f "$WORK/garbage.port" ] && [ -f "$WORK/elsewhere.port" ] && break; sleep 0.1; done
# A port nothing listens on.
DOWN=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# molly-brown as another upstream, when installed.
MOLLY=$(command -v molly-brown || true)
if [ -n "$MOLLY" ]; then
	MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	# The request's path is kept: /molly/... is DocBase/molly/... there.
	mkdir -p "$WORK/molly/molly/other"
	printf '# Molly page\n' >"$WORK/molly/molly/other/molly.gmi"
	cat >"$WORK/molly.conf" <<CONF
Port = $MPORT
Hostname = "localhost"
CertPath = "$up/certs/cert.pem"
KeyPath = "$up/certs/key.pem"
DocBase = "$WORK/molly"
AccessLog = "$WORK/molly-access.log"
ErrorLog = "$WORK/molly-error.log"
CONF
	"$MOLLY" -c "$WORK/molly.conf" >>"$WORK/molly-error.log" 2>&1 &
fi

make_capsule
cat >"$WORK/proxy.conf" <<CONF
listen "localhost:0"
max-per-address 0
request-timeout 2
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	location "/other/members/*" {
		proxy relay-to "127.0.0.1:$UP"
		proxy sni "localhost"
		proxy cert "$WORK/ids/proxy.pem"
		proxy key "$WORK/ids/proxy.key"
	}
	location "/other/*" {
		proxy relay-to "localhost:$UP"
	}
	location "/down/*" {
		proxy relay-to "127.0.0.1:$DOWN"
	}
	location "/silent/*" {
		proxy relay-to "127.0.0.1:$(cat "$WORK/silent.port")"
	}
	location "/garbage/*" {
		proxy relay-to "127.0.0.1:$(cat "$WORK/garbage.port")"
		proxy verifyname off
	}
	location "/checked/*" {
		proxy relay-to "127.0.0.1:$(cat "$WORK/elsewhere.port")"
		proxy sni "localhost"
	}
	location "/unchecked/*" {
		proxy relay-to "127.0.0.1:$(cat "$WORK/elsewhere.port")"
		proxy sni "localhost"
		proxy verifyname off
	}
	location "/named/*" {
		proxy relay-to "127.0.0.1:$(cat "$WORK/elsewhere.port")"
		proxy sni "elsewhere.example"
	}
	location "/molly/*" {
		proxy relay-to "127.0.0.1:${MPORT:-1}"
		proxy sni "localhost"
	}
}
CONF
start_config "$WORK/proxy.conf"
[ -n "$PORT" ] || { echo "Bail out! proxy did not start"; sed 's/^/# /' "$LOG"; exit 1; }
# URLs without a port: both servers take them, whatever port they listen on.
G=gemini://localhost

direct=$("$GEMGET" -t 10 -c "127.0.0.1:$UP" "$G/other/page.gmi" | od -c)
got=$(gem "$G/other/page.gmi" | od -c)
is "$got" "$direct" "a page relayed byte-exact, header included"
like "$(header "$G/other/page.gmi")" '^20 text/gemini' "its status and META"
gem "$G/other/big.bin" -B -o "$WORK/big.out" >/dev/null
ok_cmd "a 1 MiB file relayed byte-exact" cmp "$WORK/big.out" "$up/capsule/other/big.bin"
is "$(header "$G/other/nothing.gmi")" "$("$GEMGET" -t 10 -c "127.0.0.1:$UP" -H "$G/other/nothing.gmi")" "the upstream's 51 relayed"
like "$(header "$G/other/nothing.gmi")" '^51 ' "a 51"

t0=$(date +%s%N)
like "$(header "$G/down/x")" '^43 ' "upstream down: 43"
is "$(( ($(date +%s%N) - t0) / 1000000 < 1000 ))" 1 "at once"
grep -q "proxy 127.0.0.1:$DOWN: upstream down" "$LOG"; is $? 0 "the log says the upstream is down"

t0=$(date +%s%N)
like "$(header "$G/silent/x")" '^43 ' "a silent upstream: 43"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$(( ms >= 1500 && ms < 6000 ))" 1 "after the request timeout (${ms} ms)"
grep -q "no header within the timeout" "$LOG"; is $? 0 "the log says it timed out"

like "$(header "$G/garbage/x")" '^43 ' "a garbage header: 43"
grep -q "bad header" "$LOG"; is $? 0 "the log says the header was bad"

like "$(header "$G/checked/x")" '^43 ' "a certificate for another name: 43"
grep -q "certificate not valid for localhost" "$LOG"; is $? 0 "the log says the name did not match"
is "$(gem "$G/unchecked/x")" "$(printf '20 text/plain\r\nfrom elsewhere')" "proxy verifyname off: relayed"
like "$(header "$G/named/x")" '^20 text/plain' "proxy sni naming the certificate: relayed"

like "$("$GEMGET" -t 10 -c "127.0.0.1:$UP" -H "$G/other/members/club.txt")" '^60 ' "the upstream wants a certificate"
is "$(body "$G/other/members/club.txt")" "members only" "proxy cert and key presented to it"

if [ -n "$MOLLY" ]; then
	within 5 "$GEMGET" -t 2 -c "127.0.0.1:$MPORT" -H "$G/other/molly.gmi"
	like "$(header "$G/molly/other/molly.gmi")" '^20 text/gemini' "molly-brown's answer relayed"
	is "$(gem "$G/molly/other/molly.gmi" | od -c)" "$("$GEMGET" -t 10 -c "127.0.0.1:$MPORT" "$G/molly/other/molly.gmi" | od -c)" "molly-brown's page relayed byte-exact"
	is "$(body "$G/molly/other/molly.gmi")" "# Molly page" "its body"
else
	pass "# SKIP molly-brown not installed"
fi

if grep -q 'Landlock (ABI [4-9]' "$LOG"; then
	like "$(grep 'Landlock (ABI' "$LOG")" "TCP connections to port .*\\b$UP\\b" "Landlock lets it connect to the upstreams' ports"
else
	pass "# SKIP Landlock cannot confine TCP connections here"
fi
# The sandbox's system calls do not stand in the way: still relayed after all that.
like "$(header "$G/other/page.gmi")" '^20 text/gemini' "still relayed"

stop_server
kill "$UP_PID" 2>/dev/null
wait "$UP_PID" 2>/dev/null
done_testing
