#!/usr/bin/env bash
# Operations: log file and SIGUSR1, log formats, SIGHUP certificate reload, graceful SIGTERM, make install.
. tests/lib.sh

make_capsule
head -c 3000000 /dev/urandom >"$CAPSULE/big.bin"
start_server --log "$WORK/access.log" --log-format common || exit 1
header "$BASE/robots.txt" >/dev/null
ok_cmd "requests are logged to --log FILE" within 2 grep -q '"gemini://localhost:[0-9]*/robots.txt" 20 [0-9]' "$WORK/access.log"
like "$(grep robots "$WORK/access.log")" '^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "gemini://[^"]*" 20 [0-9]+$' "in the common log format"
mv "$WORK/access.log" "$WORK/access.log.1"
kill -USR1 "$SERVER_PID"
ok_cmd "SIGUSR1 reopens the log file after logrotate moved it" within 2 test -f "$WORK/access.log"
header "$BASE/timeline.gmi" >/dev/null
ok_cmd "new lines go to the new file" within 2 grep -q timeline "$WORK/access.log"
unlike "$(cat "$WORK/access.log.1")" 'timeline' "and not to the old one"

# SIGHUP: a new certificate is served, connections under way are not dropped
old=$("$GEMGET" -t 5 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
( (printf 'gemini://localhost:%s/big.bin\r\n' "$PORT"; sleep 3) | timeout 10 openssl s_client -quiet \
    -connect 127.0.0.1:$PORT -servername localhost 2>/dev/null | (sleep 1; wc -c) >"$WORK/inflight" ) &
reader=$!
within 5 sh -c "ls -l /proc/$(served_pid)/fd | grep -q big.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/certs/key.pem" \
    -out "$WORK/certs/cert.pem" -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1
kill -HUP "$SERVER_PID"
within 3 grep -q 'certificates reloaded' "$WORK/access.log"
new=$("$GEMGET" -t 5 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
ok_cmd "SIGHUP reloads the certificate" test -n "$new" -a "$new" != "$old"
wait $reader
ok_cmd "a download under way during the reload completes ($(cat "$WORK/inflight") bytes)" test "$(cat "$WORK/inflight")" -gt 3000000
echo "not a certificate" >"$WORK/certs/cert.pem"
kill -HUP "$SERVER_PID"
within 3 grep -q 'keeping the current certificates' "$WORK/access.log"
kept=$("$GEMGET" -t 5 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p')
is "$kept" "$new" "a broken new certificate keeps the old one"
ok_cmd "and the log says why" within 2 grep -q 'keeping the current certificates' "$WORK/access.log"

# SIGTERM: stop accepting, finish the answer in flight, exit 0
( (printf 'gemini://localhost:%s/big.bin\r\n' "$PORT"; sleep 3) | timeout 10 openssl s_client -quiet \
    -connect 127.0.0.1:$PORT -servername localhost 2>/dev/null | (sleep 1; wc -c) >"$WORK/last" ) &
reader=$!
within 5 sh -c "ls -l /proc/$(served_pid)/fd | grep -q big.bin"
kill -TERM "$SERVER_PID"
sleep 0.3
"$GEMGET" -t 3 -c 127.0.0.1:$PORT -H "$BASE/" >/dev/null 2>&1
ok_cmd "after SIGTERM no new connection is accepted" test $? -ne 0
wait $reader
ok_cmd "the answer in flight is finished ($(cat "$WORK/last") bytes)" test "$(cat "$WORK/last")" -gt 3000000
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
is "$rc" 0 "and the server exits 0"

# SIGHUP with a configuration file: limits change at once; a broken file changes nothing
cat >"$WORK/ops.conf" <<CONF
listen "localhost:0"
rate-per-address 0
max-per-address 0
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs2"
}
CONF
LOG=$WORK/ops.log
: >"$LOG"
"$ALMANAC" -f "$WORK/ops.conf" 2>>"$LOG" &
SERVER_PID=$!
for i in $(seq 1 100); do grep -q 'workers\? started' "$LOG" && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$LOG" | head -n 1)
BASE=gemini://localhost:$PORT
codes=; for i in 1 2 3 4; do codes="$codes $(header "$BASE/" | cut -c1-2)"; done
is "$codes" " 20 20 20 20" "no rate limit at first"
sed -i 's/^rate-per-address 0/rate-per-address 1/' "$WORK/ops.conf"
kill -HUP "$SERVER_PID"
ok_cmd "SIGHUP reloads the configuration file" within 2 grep -q 'configuration reloaded' "$LOG"
codes=; for i in 1 2 3 4; do codes="$codes $(header "$BASE/" | cut -c1-2)"; done
like "$codes" '44' "the new rate limit applies at once ($codes)"
printf 'server {\n' >>"$WORK/ops.conf"
kill -HUP "$SERVER_PID"
ok_cmd "a broken configuration file is refused with the reason" within 2 grep -q 'ops.conf:[0-9]*: .*keeping the current configuration' "$LOG"
sleep 1.1
like "$(header "$BASE/")" '^20 ' "and the server goes on with the old one"
stop_server

# Least privilege: started as root with --user, confined by Landlock and seccomp
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod -R a+rX "$CAPSULE"; chmod a+x "$WORK"
	rm -f "$WORK/certs/"*.pem
	start_server --user nobody || exit 1
	is "$(stat -c %U /proc/$(served_pid))" nobody "with --user the serving process runs as that user"
	if grep -q 'seccomp is off in this build' "$LOG"; then
		pass "a seccomp filter is in force # SKIP not in sanitizer builds"
	else
		like "$(grep '^Seccomp:' /proc/$(served_pid)/status)" '2' "a seccomp filter is in force"
	fi
	like "$(cat "$LOG")" 'Landlock \(ABI [0-9]+\)|Landlock is (not available|off)' "Landlock is applied or its absence logged"
	like "$(header "$BASE/chapters/1986-building-the-camp.gmi")" '^20 ' "and it serves"
	exec 7>>"$CAPSULE/chapters/1986-building-the-camp.gmi"
	like "$(header "$BASE/chapters/1986-building-the-camp.gmi")" '^40 ' "as that user, a page another user holds open for writing answers 40 (CAP_LEASE)"
	exec 7>&-
	like "$(header "$BASE/chapters/1986-building-the-camp.gmi")" '^20 ' "  and 20 once closed"
	stop_server
else
	for n in 1 2 3 4 5 6; do pass "least privilege checks need root # SKIP"; done
fi

# make install
dest=$WORK/dest
make -s install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
for f in usr/bin/almanac usr/bin/gemget usr/share/man/man8/almanac.8 usr/share/man/man5/almanac.conf.5 \
    usr/share/doc/almanac/almanac.conf.example usr/share/doc/almanac/almanac.service usr/share/doc/almanac/almanac.socket; do
	ok_cmd "make install DESTDIR PREFIX puts $f in place" test -s "$dest/$f"
done
done_testing
