#!/bin/bash
# selftest.t: the FastCGI test tools on their own, before almanac speaks to them: the responder through client.py and through libfcgi's cgi-fcgi, hello.sh through fcgiwrap.
# Run from the top of the tree: prove -v tests/fcgi/selftest.t
. tests/lib.sh

./tools/deps.sh test fcgiwrap libfcgi-bin >/dev/null || exit 1
FCGI=$TOP/tests/fcgi
CLIENT="python3 $FCGI/client.py"

# wait_socket PATH: up to 5 s for a Unix socket to appear.
wait_socket() {
	local i
	for i in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}

python3 "$FCGI/responder.py" "unix:$WORK/app.sock" >"$WORK/responder.log" 2>&1 &
RESPONDER=$!
wait_socket "$WORK/app.sock" || { fail "responder listens"; done_testing; }
APP="unix:$WORK/app.sock"

# ask MODE [QUERY]: the responder's output for the path /app/MODE
ask() {
	$CLIENT "$APP" GEMINI_URL_PATH="/app/$1" QUERY_STRING="${2:-}" \
	    REMOTE_ADDR=127.0.0.1 SERVER_NAME=localhost
}

out=$(ask small); rc=$?
is "$rc" 0 "small: END_REQUEST, request complete"
like "$out" $'^20 text/gemini\r\n# Small page' "small: a Gemini header and a page"
out=$(ask input); like "$out" $'^10 Your name\\?\r$' "input without a query: 10"
out=$(ask input 'Ada%20L'); like "$out" 'Hello, Ada L!' "input with a query: decoded"
out=$(ask params x); like "$out" 'REMOTE_ADDR=127.0.0.1' "params: echoed"
like "$out" 'QUERY_STRING=x' "params: all of them"
out=$(ask badheader); like "$out" '^HTTP/1.0 200' "badheader: not Gemini"
out=$(ask longheader); is "$(printf '%s' "$out" | wc -c)" 2004 \
    "longheader: a META of 2000 bytes (20, space, META, CR)"
err=$(ask stderr 2>&1 >/dev/null); like "$err" 'a line on stderr' "stderr: on STDERR"
ask crashbefore >/dev/null 2>&1; is "$?" 3 "crashbefore: closed without END_REQUEST"
n=$(ask crashmid 2>/dev/null | wc -c)
is "$n" $((15 + 65536)) "crashmid: header and 64 KiB"
ask overloaded >/dev/null 2>&1; is "$?" 4 "overloaded: protocol status OVERLOADED"
start=$(date +%s.%N)
out=$(ask slow 5); end=$(date +%s.%N)
like "$out" 'line 5' "slow: every line"
ok_cmd "slow: takes its time (1.5 s for 5 lines)" \
    awk -v a="$start" -v b="$end" 'BEGIN { exit !(b - a >= 1.4) }'
n=$(ask big 2>/dev/null | tail -c +30 | head -c 16); is "$n" 0123456789abcdef "big: the pattern"
n=$(ask big 2>/dev/null | wc -c); is "$n" $((29 + 50 * 1024 * 1024)) "big: 50 MiB and its header"
n=$(ask big 100000 2>/dev/null | wc -c); is "$n" $((29 + 100000)) "big?100000: that many bytes"

# Another implementation of the client side: libfcgi's cgi-fcgi.
out=$(env -i GEMINI_URL_PATH=/app/params QUERY_STRING=q1 TLS_CLIENT_HASH=SHA256:ab \
    cgi-fcgi -bind -connect "$WORK/app.sock")
like "$out" 'TLS_CLIENT_HASH=SHA256:ab' "cgi-fcgi: the responder speaks FastCGI"
out=$(env -i GEMINI_URL_PATH=/app/big QUERY_STRING=200000 cgi-fcgi -bind \
    -connect "$WORK/app.sock" | wc -c)
is "$out" $((29 + 200000)) "cgi-fcgi: records of 32 KiB read back whole"

# fcgiwrap on a Unix socket, without systemd: fcgiwrap -s unix:PATH.
fcgiwrap -s "unix:$WORK/cgi.sock" >"$WORK/fcgiwrap.log" 2>&1 &
FCGIWRAP=$!
wait_socket "$WORK/cgi.sock" || fail "fcgiwrap listens"
CGI="unix:$WORK/cgi.sock"
# cgi QUERY: hello.sh through fcgiwrap, with what almanac would send
cgi() {
	$CLIENT "$CGI" SCRIPT_FILENAME="$FCGI/hello.sh" QUERY_STRING="$1" \
	    GEMINI_URL="gemini://localhost/cgi/hello.sh${1:+?$1}" \
	    REMOTE_ADDR=127.0.0.1 TLS_CLIENT_HASH=SHA256:0123abcd \
	    REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1
}
out=$(cgi ''); rc=$?
is "$rc" 0 "hello.sh: fcgiwrap ends the request"
is "$out" $'10 Say something\r' "hello.sh without a query: 10"
out=$(cgi 'hi%20there')
like "$out" $'^20 text/gemini\r\n# Hello from CGI' "hello.sh with a query: 20 and a page"
like "$out" 'QUERY_STRING=hi%20there' "hello.sh sees QUERY_STRING"
like "$out" 'GEMINI_URL=gemini://localhost/cgi/hello.sh\?hi%20there' "hello.sh sees GEMINI_URL"
like "$out" 'REMOTE_ADDR=127.0.0.1' "hello.sh sees REMOTE_ADDR"
like "$out" 'TLS_CLIENT_HASH=SHA256:0123abcd' "hello.sh sees TLS_CLIENT_HASH"
out=$($CLIENT "$CGI" SCRIPT_FILENAME="$WORK/nothing.sh" 2>/dev/null)
like "$out" '^Status: 40[34]' "a missing script: fcgiwrap answers HTTP, which almanac must refuse"

kill "$RESPONDER" "$FCGIWRAP"
wait "$RESPONDER" 2>/dev/null
ok_cmd "the responder stops on SIGTERM and removes its socket" test ! -e "$WORK/app.sock"
done_testing
