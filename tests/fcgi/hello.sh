#!/bin/sh
# hello.sh: a CGI script for fcgiwrap in almanac's tests: 10 without a query, else a page showing what the server passed it.
if [ -z "$QUERY_STRING" ]; then
	printf '10 Say something\r\n'
	exit 0
fi
printf '20 text/gemini\r\n'
# fcgiwrap turns LF into CR LF until the first empty line (it reads CGI
# headers there); the empty line after the title ends that.
printf '# Hello from CGI\n\n'
printf 'QUERY_STRING=%s\n' "$QUERY_STRING"
printf 'GEMINI_URL=%s\n' "$GEMINI_URL"
printf 'REMOTE_ADDR=%s\n' "$REMOTE_ADDR"
printf 'TLS_CLIENT_HASH=%s\n' "${TLS_CLIENT_HASH:-}"
