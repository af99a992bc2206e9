#!/usr/bin/env bash
# Concurrency: many clients at once, and slow or stalled clients never delay others.
. tests/lib.sh

make_capsule
head -c 300000 /dev/urandom | base64 >"$CAPSULE/big.txt"
start_server --request-timeout 10 --max-per-address 200 || exit 1

# 100 clients at once, each must get the full index
pids=
for i in $(seq 1 100); do
	"$GEMGET" -t 20 -c 127.0.0.1:$PORT "$BASE/" >"$WORK/c$i.out" 2>&1 &
	pids="$pids $!"
done
wait $pids
good=0
for i in $(seq 1 100); do
	head -n 1 "$WORK/c$i.out" | grep -q '^20 ' && grep -q 'Atom feed' "$WORK/c$i.out" && good=$((good + 1))
done
is "$good" 100 "100 concurrent clients all get the whole index"

# A slow client trickling its request byte by byte does not hold up a fast one.
"$GEMGET" -t 20 -c 127.0.0.1:$PORT --split 1 --delay 100 -H "$BASE/" >"$WORK/slow.out" 2>&1 &
slow=$!
sleep 0.3
like "$(header "$BASE/chapters/1986-building-the-camp.gmi")" '^20 ' "a fast client is answered while a slow one trickles"
ok_cmd "the slow client was still sending when the fast one finished" kill -0 $slow
wait $slow
like "$(cat "$WORK/slow.out")" '^20 ' "and the slow client is answered too once its line is complete"

# A TCP connection that never starts its handshake does not block anyone.
exec 3<>/dev/tcp/127.0.0.1/$PORT
like "$(header "$BASE/")" '^20 ' "a stalled TCP connection (no handshake) does not block others"
# A handshake that stops half way: send only the first bytes of a ClientHello.
printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' >&3
like "$(header "$BASE/")" '^20 ' "a handshake stalled half way does not block others"
exec 3>&-

# A client that stops reading a large response does not block others.
( (printf 'gemini://localhost:%s/big.txt\r\n' "$PORT"; sleep 4) |
    timeout 10 openssl s_client -quiet -connect 127.0.0.1:$PORT -servername localhost 2>/dev/null |
    (sleep 3; cat >/dev/null) ) &
stalled=$!
sleep 0.3
like "$(header "$BASE/")" '^20 ' "a client that stops reading does not block others"
kill $stalled 2>/dev/null; wait $stalled 2>/dev/null

# Large body arrives intact.
gem "$BASE/big.txt" -B >"$WORK/big.got"
ok_cmd "a 400 KB file arrives byte for byte" cmp "$WORK/big.got" "$CAPSULE/big.txt"

stop_server

# Every idle connection is cut at its request timeout, not just the latest one.
start_server --request-timeout 2 --max-per-address 0 || exit 1
pids=
for i in $(seq 1 20); do
	"$GEMGET" -t 8 -c 127.0.0.1:$PORT --no-send "$BASE/" >/dev/null 2>&1 &
	pids="$pids $!"
	sleep 0.05
done
cut=0
for p in $pids; do wait "$p"; [ $? -eq 5 ] && cut=$((cut + 1)); done
is "$cut" 20 "20 idle connections are all closed by the server at the request timeout"

# A TCP connection that never sends a byte waits in the kernel for a
# second (TCP_DEFER_ACCEPT), then meets the request timeout like any other.
start=$(date +%s)
exec 4<>/dev/tcp/127.0.0.1/$PORT
timeout 10 cat <&4 >/dev/null
rc=$?
exec 4<&-
took=$(( $(date +%s) - start ))
is "$rc" 0 "a silent TCP connection is closed by the server"
ok_cmd "within the request timeout and a second (${took}s)" test "$took" -ge 2 -a "$took" -le 5
stop_server
done_testing
