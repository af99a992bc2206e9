#!/usr/bin/env bash
# 10,000 slowloris connections trickling bytes: a normal client is still served promptly, memory stays bounded.
. tests/lib.sh

make_capsule
start_server --max-connections 20000 --max-per-address 0 --request-timeout 30 || exit 1
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status"; }
before=$(rss)
python3 tests/slowloris.py "$PORT" 10000 12 "$WORK/ready" &
loris=$!
for i in $(seq 1 200); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
sleep 1
open=$(ls "/proc/$SERVER_PID/fd" | wc -l)
ok_cmd "10,000 trickling connections are open on the server ($open descriptors)" test "$open" -ge 10000
start=$(date +%s%N)
out=$("$GEMGET" -t 1 -c 127.0.0.1:$PORT -H "$BASE/chapters/1986-building-the-camp.gmi" 2>&1)
took=$(( ($(date +%s%N) - start) / 1000000 ))
like "$out" '^20 ' "a normal client gets its page within a second among them (${took} ms)"
during=$(rss)
per=$(( (during - before) * 1024 / 10000 ))
ok_cmd "memory stays bounded: $(( (during - before) / 1024 )) MiB more for 10,000 connections ($per bytes each)" test "$per" -lt 16384
kill $loris 2>/dev/null; wait $loris 2>/dev/null
# Their FINs close them at once: none can finish its handshake.
for i in $(seq 1 50); do [ "$(ls "/proc/$SERVER_PID/fd" | wc -l)" -lt 100 ] && break; sleep 0.1; done
open=$(ls "/proc/$SERVER_PID/fd" | wc -l)
ok_cmd "closed by the server as soon as they close ($open descriptors left)" test "$open" -lt 100
like "$(header "$BASE/")" '^20 ' "served normally once they are gone"
stop_server
done_testing
