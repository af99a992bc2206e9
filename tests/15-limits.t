#!/usr/bin/env bash
# Resource limits: per-address connections, request rate and total connections answer 44.
. tests/lib.sh

make_capsule

hold() {	# hold N idle TLS connections open (handshake done, no request)
	local i base
	base=$(ls "/proc/$(served_pid)/fd" | wc -l)
	HELD=
	for i in $(seq 1 "$1"); do
		"$GEMGET" -t 8 -c 127.0.0.1:$PORT --no-send "$BASE/" >/dev/null 2>&1 &
		HELD="$HELD $!"
	done
	# until the server holds them all (one descriptor each)
	within 5 sh -c "[ \$(ls /proc/$(served_pid)/fd | wc -l) -ge $((base + $1)) ]"
	sleep 0.2
}
release() { kill $HELD 2>/dev/null; wait $HELD 2>/dev/null; sleep 0.2; }

start_server --max-per-address 3 --request-timeout 6 || exit 1
hold 3
like "$(header "$BASE/")" '^44 [0-9]+$' "a 4th connection from one address gets 44 with seconds to wait"
like "$(header "gemini://[::1]:$PORT/" -c "[::1]:$PORT")" '^20 ' "another address (::1) is still served"
release
like "$(header "$BASE/")" '^20 ' "once they close, the address is served again"
stop_server

start_server --max-per-address 0 --rate-per-address 3 || exit 1
codes=
for i in 1 2 3 4 5 6; do codes="$codes $(header "$BASE/" | cut -c1-2)"; done
like "$codes" '^ 20 20 20' "a burst within the rate is served ($codes)"
like "$codes" '44' "requests over the rate get 44"
sleep 1.2
like "$(header "$BASE/")" '^20 ' "after a pause the client is served again"
stop_server

start_server --max-per-address 0 --max-connections 4 --request-timeout 6 || exit 1
hold 4
like "$(header "$BASE/")" '^44 ' "over --max-connections: 44, not a silent close"
release
like "$(header "$BASE/")" '^20 ' "and served again when connections close"
stop_server
done_testing
