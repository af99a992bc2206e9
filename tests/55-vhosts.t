#!/usr/bin/env bash
# Virtual hosts from a configuration file: SNI picks the certificate, each capsule has its own chronicle.
. tests/lib.sh

make_capsule
second=$WORK/second
mkdir -p "$second/notes"
printf '# Second capsule\n\nAnother chronicle.\n' >"$second/intro.gmi"
printf '# A note of 2020\n' >"$second/notes/2020-05-a-note.gmi"
cat >"$WORK/almanac.conf" <<CONF
# two capsules on one address
listen "localhost:0"
max-per-address 0
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
}
server "second.test" {
	alias "alias.second.test"
	root "$second"
	certs "$WORK/certs2"
	lang "de"
}
CONF
ok_cmd "almanac -n accepts the configuration" "$ALMANAC" -n -f "$WORK/almanac.conf"
LOG=$WORK/server.log
: >"$LOG"
"$ALMANAC" -f "$WORK/almanac.conf" 2>>"$LOG" &
SERVER_PID=$!
for i in $(seq 1 100); do grep -q 'workers\? started' "$LOG" && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$LOG" | head -n 1)
BASE=gemini://localhost:$PORT
B2=gemini://second.test:$PORT

like "$(cat "$LOG")" "serving gemini://localhost:$PORT/ from $CAPSULE \(9 dated pages\)" "start-up names the first capsule, its path and page count"
like "$(cat "$LOG")" "serving gemini://second.test:$PORT/ from $second \(1 dated pages?\)" "and the second"
is "$(grep -c 'certificate SHA-256 ' "$LOG")" 2 "a fingerprint is printed per host"
fp1=$("$GEMGET" -t 5 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
fp2=$("$GEMGET" -t 5 -c 127.0.0.1:$PORT -i "$B2/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
ok_cmd "SNI picks each host's own certificate" test -n "$fp1" -a -n "$fp2" -a "$fp1" != "$fp2"
like "$(openssl x509 -in "$WORK/certs2/cert.pem" -noout -text)" 'DNS:second\.test, DNS:alias\.second\.test' "the second certificate names the host and its alias"
fp3=$("$GEMGET" -t 5 -c 127.0.0.1:$PORT -i --no-sni "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
is "$fp3" "$fp1" "a client without SNI gets the first host's certificate"
like "$(body "$B2/")" '^# Second capsule' "the second host serves its own index"
like "$(body "$B2/")" '=> /notes/2020-05-a-note\.gmi 2020-05 - A note of 2020' "with its own chronicle"
unlike "$(body "$B2/")" 'Building the camp' "and not the first one's pages"
like "$(header "$B2/notes/2020-05-a-note.gmi")" '^20 text/gemini; charset=utf-8; lang=de$' "per-host lang"
like "$(header "gemini://alias.second.test:$PORT/")" '^20 ' "an alias is served"
like "$(body "$B2/atom.xml")" "<id>gemini://second.test:$PORT/notes/2020-05-a-note.gmi</id>" "feeds use the host's own name"
like "$(header "gemini://unknown.test:$PORT/")" '^53 ' "a host not configured: 53"
like "$(header "$B2/" -s localhost)" '^53 ' "SNI of one host with the URL of another: 53"
like "$(body "$BASE/")" 'Building the camp' "the first host is unaffected"
printf '# Published later\n' >"$second/notes/2021-later.gmi"
ok_cmd "publishing to the second capsule updates its index" within 2 has "$B2/" '2021 - Published later'
unlike "$(body "$BASE/")" 'Published later' "and only its index"
stop_server

printf 'server "a" {\n\troot "/tmp"\n' >"$WORK/broken.conf"
out=$("$ALMANAC" -n -f "$WORK/broken.conf" 2>&1); rc=$?
is "$rc" 2 "a broken configuration: almanac -n exits 2"
like "$out" 'broken\.conf:[0-9]+: ' "and names the file and line"
printf 'lsten "x:1"\n' >"$WORK/typo.conf"
like "$("$ALMANAC" -n -f "$WORK/typo.conf" 2>&1)" "typo\.conf:1: unknown option 'lsten'" "an unknown option is named"
out=$("$ALMANAC" -n -f "$WORK/almanac.conf" --listen 127.0.0.1:0 --hostname other.test 2>&1)
like "$out" 'configuration OK' "command-line options combine with the file"
done_testing
