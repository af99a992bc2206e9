#!/usr/bin/env bash
# Slowloris: thousands of connections trickling a ClientHello, byte by byte or one byte per TLS record; a normal client is still served, memory per connection stays small and is given back.
. tests/lib.sh

make_capsule
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$(served_pid)/status"; }
fds() { ls "/proc/$(served_pid)/fd" | wc -l; }
N=10000 BOUND=8192
# AddressSanitizer's quarantine keeps freed memory on purpose (its
# redzones double what a connection costs, still far under the bound).
ASAN=; grep -qa __asan_init "$ALMANAC" && ASAN=1

# loris MODE TEXT: N connections sending the ClientHello in MODE.
loris() {
	local mode=$1 text=$2 before during after per open took out i
	start_server --max-connections 20000 --max-per-address 0 --request-timeout 30 || exit 1
	before=$(rss)
	rm -f "$WORK/ready"
	python3 tests/slowloris.py "$PORT" "$N" 12 "$WORK/ready" "$mode" &
	loris=$!
	for i in $(seq 1 200); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
	# Three pieces sent: the first record is whole in the records form.
	# A busy machine (the sanitizer build on two shared cores) may take
	# longer to accept them all: up to 10 s, looking every 0.2 s.
	sleep 1.2
	for i in $(seq 1 44); do [ "$(fds)" -ge "$N" ] && break; sleep 0.2; done
	open=$(fds)
	ok_cmd "$text: $N connections are open on the server ($open descriptors)" test "$open" -ge "$N"
	start=$(date +%s%N)
	out=$("$GEMGET" -t 1 -c 127.0.0.1:$PORT -H "$BASE/chapters/1986-building-the-camp.gmi" 2>&1)
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	like "$out" '^20 ' "$text: a normal client gets its page within a second among them (${took} ms)"
	during=$(rss)
	per=$(( (during - before) * 1024 / N ))
	ok_cmd "$text: memory per connection $per bytes (RSS $(( before / 1024 )) -> $(( during / 1024 )) MiB), under $BOUND" test "$per" -lt "$BOUND"
	kill $loris 2>/dev/null; wait $loris 2>/dev/null
	# Their FINs close them at once: none can finish its handshake.
	for i in $(seq 1 50); do [ "$(fds)" -lt 100 ] && break; sleep 0.1; done
	open=$(fds)
	ok_cmd "$text: closed by the server as soon as they close ($open descriptors left)" test "$open" -lt 100
	after=$(rss)
	if [ -n "$ASAN" ]; then
		pass "$text: memory given back once they are gone # SKIP AddressSanitizer keeps it"
	else
		ok_cmd "$text: memory given back once they are gone (RSS $(( after / 1024 )) MiB)" \
		    test $(( (after - before) * 2 )) -le $(( during - before ))
	fi
	like "$(header "$BASE/")" '^20 ' "$text: served normally once they are gone"
	stop_server
}

loris bytes "byte by byte"
loris records "one byte per TLS record"
done_testing
