#!/usr/bin/env bash
# Certificates: generated once with the right properties, reused, or supplied by the user.
. tests/lib.sh

make_capsule
start_server --hostname localhost --hostname gemini.example || exit 1
cert=$WORK/certs/cert.pem
key=$WORK/certs/key.pem
ok_cmd "a certificate is generated on first start" test -s "$cert"
is "$(stat -c %a "$key")" 600 "the private key is created with mode 0600"
text=$(openssl x509 -in "$cert" -noout -text)
like "$text" 'ASN1 OID: prime256v1|NIST CURVE: P-256' "the key is ECDSA P-256"
like "$text" 'DNS:localhost' "the SAN names localhost"
like "$text" 'DNS:gemini\.example' "the SAN names every --hostname"
like "$text" 'Issuer: CN ?= ?localhost' "self-signed, CN is the first hostname"
end=$(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2)
ok_cmd "valid for decades (until $end)" test "$(date -d "$end" +%Y)" -ge $(( $(date +%Y) + 20 ))
ok_cmd "valid from before now" openssl x509 -in "$cert" -noout -checkend 0
logged=$(sed -n 's/.*certificate SHA-256 \([0-9A-F:]*\).*/\1/p' "$LOG" | tr -d : | tr A-F a-f)
expected=$(openssl x509 -in "$cert" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
is "$logged" "$expected" "the SHA-256 fingerprint is printed at start-up"
info=$("$GEMGET" -t 10 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null)
seen=$(echo "$info" | sed -n 's/^peer-sha256: //p')
is "$seen" "$expected" "clients see the certificate whose fingerprint was printed"
spki=$(openssl x509 -in "$cert" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -c1-64)
is "$(echo "$info" | sed -n 's/^peer-spki-sha256: //p')" "$spki" "gemget -i shows the public key's SHA-256 as openssl computes it"
unlike "$info" 'client-' "no client lines without --cert"
is "$(sed -n 's/.*public key SHA-256 \([0-9A-F:]*\) (Lagrange, Amfora).*/\1/p' "$LOG" | tr -d : | tr A-F a-f)" "$spki" "the public key's SHA-256 is printed at start-up, labelled for Lagrange and Amfora"
checked=$("$ALMANAC" -n --root "$CAPSULE" --certs "$WORK/certs" --hostname localhost --hostname gemini.example 2>&1)
like "$(echo "$checked" | sed -n 's/.*public key SHA-256 \([0-9A-F:]*\).*/\1/p' | tr -d : | tr A-F a-f)" "^$spki\$" "almanac -n prints both fingerprints too"
stop_server

start_server --hostname localhost --hostname gemini.example || exit 1
is "$(sed -n 's/.*certificate SHA-256 \([0-9A-F:]*\).*/\1/p' "$LOG" | tr -d : | tr A-F a-f)" "$expected" "a restart reuses the same certificate (trust on first use holds)"
unlike "$(cat "$LOG")" 'generated' "nothing is regenerated on restart"
stop_server

# A user-supplied pair is used as is.
rm -f "$WORK/certs/"*.pem
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$key" -out "$cert" -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1
userfp=$(openssl x509 -in "$cert" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
start_server || exit 1
seen=$("$GEMGET" -t 10 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
is "$seen" "$userfp" "a user's cert.pem and key.pem are served as they are"
stop_server

start_server --hostname other.example || exit 1
like "$(cat "$LOG")" 'does not name other\.example' "a warning when the certificate does not name a hostname"
stop_server

# Only one of the two files: refuse to start rather than overwrite anything.
rm -f "$key"
"$ALMANAC" --root "$CAPSULE" --certs "$WORK/certs" --listen 127.0.0.1:0 >"$WORK/half.log" 2>&1 &
pid=$!
for i in $(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then kill $pid; fail "refuses to start with a cert but no key"
else wait $pid; rc=$?; ok_cmd "refuses to start with a cert but no key (exit $rc)" test $rc -ne 0; fi
like "$(cat "$WORK/half.log")" 'only one of cert\.pem and key\.pem' "and says why"

# Client certificates are accepted, whatever they are.
rm -f "$WORK/certs/"*.pem
start_server || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ck.pem" \
    -out "$WORK/cc.pem" -days 1 -subj /CN=reader >/dev/null 2>&1
like "$(header "$BASE/" --cert "$WORK/cc.pem" --key "$WORK/ck.pem")" '^20 ' "a client certificate is accepted"
info=$("$GEMGET" -t 10 -c 127.0.0.1:$PORT -i --cert "$WORK/cc.pem" --key "$WORK/ck.pem" "$BASE/" 2>&1 >/dev/null)
is "$(echo "$info" | sed -n 's/^client-sha256: //p')" \
    "$(openssl x509 -in "$WORK/cc.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)" \
    "gemget -i shows the client certificate's SHA-256"
is "$(echo "$info" | sed -n 's/^client-spki-sha256: //p')" \
    "$(openssl pkey -in "$WORK/ck.pem" -pubout -outform DER | openssl dgst -sha256 -r | cut -c1-64)" \
    "and its public key's, as openssl computes it from the key"
stop_server
done_testing
