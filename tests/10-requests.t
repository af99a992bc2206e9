#!/usr/bin/env bash
# Every status code path of a request, against the real server over TLS.
. tests/lib.sh

make_capsule
mkdir -p "$CAPSULE/docs" "$CAPSULE/.well-known" "$CAPSULE/.secret" "$CAPSULE/withindex"
printf '# docs\n' >"$CAPSULE/docs/readme.gmi"
printf 'plain text\n' >"$CAPSULE/docs/notes.txt"
printf 'body { color: red; }\n' >"$CAPSULE/docs/style.css"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde' >"$CAPSULE/docs/pixel.png"
printf 'ok\n' >"$CAPSULE/.well-known/security.txt"
printf 'hidden\n' >"$CAPSULE/.secret/key"
printf 'hidden\n' >"$CAPSULE/.env"
printf '# Own index\n' >"$CAPSULE/withindex/index.gmi"
printf 'x' >"$CAPSULE/draft.gmi~"
printf 'outside\n' >"$WORK/outside.txt"
ln -s "$WORK/outside.txt" "$CAPSULE/escape.txt"
ln -s ../../outside.txt "$CAPSULE/docs/escape-rel.txt"
ln -s docs/notes.txt "$CAPSULE/inside.txt"
mkfifo "$CAPSULE/pipe.gmi"
mkdir "$CAPSULE/my dir"; printf '# spaced\n' >"$CAPSULE/my dir/a file.gmi"

start_server --request-timeout 2 || exit 1

# Success paths
like "$(header "$BASE/")" '^20 text/gemini; charset=utf-8; lang=en$' "/ is the generated index"
like "$(header "$BASE")" '^20 text/gemini' "an empty path is served like / (no redirect)"
like "$(header "gemini://localhost:$PORT/" -r "gemini://LOCALHOST:$PORT/\r\n")" '^20 ' "host matched without case"
like "$(header "gemini://localhost:$PORT/" -r "gemini://localhost.:$PORT/\r\n")" '^20 ' "a trailing dot on the host is the same host"
like "$(header "$BASE/docs/readme.gmi")" '^20 text/gemini; charset=utf-8; lang=en$' ".gmi is text/gemini with lang"
like "$(header "$BASE/docs/notes.txt")" '^20 text/plain; charset=utf-8$' ".txt is text/plain"
like "$(header "$BASE/docs/style.css")" '^20 text/css' ".css is text/css, not libmagic's guess"
like "$(header "$BASE/docs/pixel.png")" '^20 image/png$' "a PNG is image/png from libmagic"
like "$(header "$BASE/robots.txt")" '^20 text/plain' "robots.txt is text/plain"
like "$(header "$BASE/.well-known/security.txt")" '^20 text/plain' "/.well-known/ is served"
like "$(header "$BASE/my%20dir/a%20file.gmi")" '^20 ' "names with spaces, percent-encoded"
like "$(header "$BASE/inside.txt")" '^20 text/plain' "a symlink inside the root is followed"
like "$(header "$BASE/docs/./readme.gmi")" '^20 ' "'.' segments are normalised"
like "$(header "$BASE/docs/../docs/readme.gmi")" '^20 ' "'..' inside the root is normalised"
like "$(header "$BASE/withindex/")" '^20 text/gemini' "a directory serves its index.gmi"
is "$(body "$BASE/withindex/")" "# Own index" "index.gmi content is served as is"
out=$(body "$BASE/docs/")
like "$out" '^# Index of /docs/' "a directory without index.gmi gets a listing"
like "$out" '=> \./readme\.gmi docs$' "the listing links its files, by their titles"
unlike "$(body "$BASE/")" 'draft\.gmi~' "editor leftovers are not listed"
like "$(body "$BASE/my%20dir/")" '=> \./a%20file\.gmi spaced$' "listing links are percent-encoded"
like "$(header "$BASE/docs/readme.gmi?q=1")" '^20 ' "a query string is accepted on a file"

# Redirects
is "$(header "$BASE/docs")" "31 $BASE/docs/" "a directory without its slash: 31 to the slashed URL"
is "$(header "$BASE/my%20dir")" "31 $BASE/my%20dir/" "the redirect keeps the percent-encoding"

# Not found
is "$(header "$BASE/09pdsakjo73hjn12id78")" "51 not found" "a missing file: 51"
is "$(gem "$BASE/nope" | od -c | head -1 | cut -c1-40)" "$(printf '51 not found\r\n' | od -c | head -1 | cut -c1-40)" "51 has no body"
like "$(header "$BASE/.env")" '^51 ' "a dotfile: 51"
like "$(header "$BASE/.secret/key")" '^51 ' "a dot-folder: 51"
like "$(header "$BASE/%2esecret/key")" '^51 ' "an encoded dot-folder: 51"
like "$(header "$BASE/draft.gmi~")" '^51 ' "an editor leftover is not served"
like "$(header "$BASE/escape.txt")" '^5[01] ' "an absolute symlink out of the root is refused"
like "$(header "$BASE/docs/escape-rel.txt")" '^5[01] ' "a relative symlink out of the root is refused"
like "$(header "$BASE/pipe.gmi")" '^5[01] ' "a FIFO is refused without hanging"

# Bad requests: 59
is "$(raw '\r\n' | cut -c1-2)" 59 "empty request: 59"
is "$(raw '/\r\n' | cut -c1-2)" 59 "relative URL: 59"
is "$(raw "//localhost:$PORT/\r\n" | cut -c1-2)" 59 "schemeless URL: 59"
is "$(raw 'Hello Gemini!\r\n' | cut -c1-2)" 59 "junk text: 59"
is "$(raw "gemini://localhost:$PORT/\xdc\r\n" | cut -c1-2)" 59 "invalid UTF-8: 59"
is "$(raw "gemini://localhost:$PORT/\xc0\xaf\r\n" | cut -c1-2)" 59 "overlong UTF-8: 59"
is "$(raw "\xef\xbb\xbfgemini://localhost:$PORT/\r\n" | cut -c1-2)" 59 "a BOM before the URL: 59"
is "$(raw "gemini://user@localhost:$PORT/\r\n" | cut -c1-2)" 59 "userinfo: 59"
is "$(raw "gemini://localhost:$PORT/#frag\r\n" | cut -c1-2)" 59 "fragment: 59"
is "$(raw "gemini://localhost:$PORT/a\x00b\r\n" | cut -c1-2)" 59 "NUL byte: 59"
is "$(raw "gemini://localhost:$PORT/a\rb\r\n" | cut -c1-2)" 59 "CR inside the line: 59"
is "$(raw "gemini://localhost:99999/\r\n" | cut -c1-2)" 59 "port out of range: 59"
is "$(header "$BASE/../../")" "59 path climbs above the root" "/../../ climbs above the root: 59"
is "$(header "$BASE/%2e%2e/%2E%2E/etc/passwd" | cut -c1-2)" 59 "encoded .. above the root: 59"
is "$(header "$BASE/docs/..%2f..%2fetc/passwd" | cut -c1-2)" 59 "encoded slash: 59"
is "$(header "$BASE/readme%00.gmi" | cut -c1-2)" 59 "encoded NUL: 59"
is "$(header "$BASE/%zz" | cut -c1-2)" 59 "malformed percent-encoding: 59"

# Length limit: 1024 bytes of URL are allowed, 1025 are not
prefix="gemini://localhost:$PORT/"
pad=$(printf '%*s' $((1024 - ${#prefix})) '' | tr ' ' 0)
is "$(raw "$prefix$pad\r\n")" "51 not found" "a 1024-byte URL is a request (51 for the missing file)"
is "$(raw "${prefix}0$pad\r\n" | cut -c1-2)" 59 "a 1025-byte URL: 59"
is "$(raw "${prefix}00$pad\r\n" | cut -c1-2)" 59 "a 1026-byte URL: 59"

# Not ours: 53
like "$(header "http://localhost:$PORT/")" '^53 .*gemini://localhost' "http scheme: 53 naming the host served"
like "$(header "gopher://localhost:$PORT/")" '^53 ' "gopher scheme: 53"
like "$(header "gemini://wikipedia.org/")" '^53 ' "a foreign host: 53"
like "$(header "gemini://localhost:443/")" '^53 ' "a wrong port: 53"
like "$(header "$BASE/" -s other.example)" '^53 .*differs' "SNI differing from the URL's host: 53"
like "$(header "$BASE/" --no-sni)" '^20 ' "a client without SNI is served"
like "$(header "gemini://127.0.0.1:$PORT/")" '^20 ' "the IP address the client connected to is served"
like "$(header "gemini://[::1]:$PORT/" -c "[::1]:$PORT")" '^20 ' "IPv6: [::1] answers"
like "$(header "gemini://local..host:$PORT/")" '^53 ' "'..' in the host: 53"

# Header format and TLS
out=$(gem "$BASE/" | head -c 48 | od -An -c | tr -s ' ' | head -2)
like "$out" '2 0 t e x t' "header starts with the status, one space, the META"
hdr=$(gem "$BASE/" | head -n 1)
is "${hdr: -1}" $'\r' "the header ends with CRLF"
info=$("$GEMGET" -t 10 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null)
like "$info" 'close-notify: yes' "close_notify ends the response"
like "$info" 'tls-version: TLSv1\.3' "TLS 1.3 is negotiated"
like "$("$GEMGET" -t 10 -c 127.0.0.1:$PORT -i --tls-max 1.2 "$BASE/" 2>&1 >/dev/null)" 'tls-version: TLSv1\.2' "TLS 1.2 is accepted"
"$GEMGET" -t 10 -c 127.0.0.1:$PORT --tls-max 1.1 "$BASE/" >/dev/null 2>&1
is "$?" 3 "TLS 1.1 is refused at the handshake"
out=$(printf 'gemini://localhost:%s/\r\n' "$PORT" | timeout 10 openssl s_client -quiet -connect 127.0.0.1:$PORT -servername localhost 2>/dev/null | head -n 1)
like "$out" '^20 text/gemini' "openssl s_client gets the index"
like "$(header "$BASE/" --split 3 --delay 10)" '^20 ' "a request split across many TCP segments"

# LF alone is not a request: no answer, cut at the request timeout (2 s here)
start=$(date +%s)
"$GEMGET" -t 8 -c 127.0.0.1:$PORT -r "gemini://localhost:$PORT/\n" "$BASE/" >/dev/null 2>&1
rc=$?
took=$(( $(date +%s) - start ))
is "$rc" 5 "LF without CR gets no answer: closed without a response"
ok_cmd "and it is cut by the request timeout, not at once (${took}s)" test "$took" -ge 1 -a "$took" -le 6
"$GEMGET" -t 8 -c 127.0.0.1:$PORT --no-send "$BASE/" >/dev/null 2>&1
is "$?" 5 "a client that sends nothing is cut at the request timeout"

like "$(header "$BASE/")" '^20 ' "the server still answers after all of the above"
# Access lines wait in memory for at most 100 ms, even when no other
# request comes to wake the worker.
header "$BASE/flushed-while-idle.gmi" >/dev/null
ok_cmd "a request is logged within a second on an otherwise idle server" \
    within 1 grep -q 'flushed-while-idle\.gmi" 51 ' "$LOG"
like "$(cat "$LOG")" '127\.0\.0\.1:[0-9]+ "gemini://localhost:[0-9]+/docs/readme\.gmi" 20 [0-9]+ [0-9.]+ms' "an access log line: client, URL, status, bytes, duration"
like "$(cat "$LOG")" '"gemini://localhost:[0-9]+/\\xdc" 59' "the logged URL is escaped"
stop_server
done_testing
