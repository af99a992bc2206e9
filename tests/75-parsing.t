#!/usr/bin/env bash
# The README's promises at the edges: years before 1000, padded ports, percent-encoded hosts, a BOM, a SIGHUP that never generates.
. tests/lib.sh

make_capsule
ch=$CAPSULE/chapters
printf '# Old\n\nA page from the year 999.\n' >"$ch/0999-x.gmi"
printf '# Year one\n\nThe first page.\n' >"$ch/0001-y.gmi"
printf '\357\273\277# Bommed title\n\nSaved by an editor that writes a BOM.\n' >"$ch/1990-bom.gmi"
{ printf '\357\273\277'; cat "$TOP/capsule/intro.gmi"; } >"$CAPSULE/intro.gmi"
start_server || exit 1

# Years before 1000: the catalog serves them at /0999/, so every link says /0999/
idx=$(body "$BASE/")
like "$idx" '^=> /0999/ Year 0999$' "the index links year 999 as '=> /0999/ Year 0999'"
like "$idx" '^=> /0001/ Year 0001$' "and year 1 as '=> /0001/ Year 0001'"
unlike "$idx" '^=> /(999|1)/ ' "no unpadded year link"
like "$idx" '^=> /chapters/0999-x\.gmi 0999 - Old$' "the index lists the page of 999"
like "$(header "$BASE/0999/")" '^20 ' "gemini://localhost:PORT/0999/ answers 20"
yr=$(body "$BASE/0999/")
like "$yr" '^# 0999$' "the year page is headed '# 0999'"
like "$yr" '^=> /chapters/0999-x\.gmi 0999 - Old$' "and lists the page"
like "$yr" '^=> /0001/ Previous year: 0001$' "its previous year is /0001/"
like "$yr" '^=> /1986/ Next year: 1986$' "its next year is /1986/"
like "$(body "$BASE/1986/")" '^=> /0999/ Previous year: 0999$' "1986's previous year is /0999/"
like "$(body "$BASE/chapters/0999-x.gmi")" '^=> /0999/ All pages from 0999$' "the page's footer links /0999/"
like "$(body "$BASE/chapters/0001-y.gmi")" '^=> /0001/ All pages from 0001$' "year 1's footer links /0001/"
tl=$(body "$BASE/timeline.gmi")
like "$tl" '^=> /0999/ 0999 \(1 page\)$' "the timeline links /0999/"
bad=
for y in $(printf '%s\n' "$idx" "$tl" "$yr" | sed -n 's/^=> \/\([0-9]*\)\/ .*/\1/p' | sort -u); do
	code=$(header "$BASE/$y/" | cut -c1-2)
	[ "$code" = 20 ] || bad="$bad /$y/:$code"
done
is "$bad" "" "every year link on the index, timeline and year page answers 20"
is "$(header "$BASE/0999")" "31 $BASE/0999/" "/0999 without its slash is redirected to /0999/"

# A port with leading zeros is the same port (RFC 3986: port = *DIGIT)
like "$(raw "gemini://localhost:0$PORT/\r\n")" '^20 ' "port with one leading zero: 20"
like "$(raw "gemini://localhost:0000000000$PORT/\r\n")" '^20 ' "port with ten leading zeros: 20"
like "$(raw "gemini://localhost:01965/\r\n")" '^53 ' "01965 is port 1965, not served here: 53"
like "$(raw "gemini://localhost:000000/\r\n")" '^59 ' "a port of zeros is port 0: 59"
like "$(raw "gemini://localhost:00000000000000000000065536/\r\n")" '^59 ' "65536 behind zeros: 59"

# A percent-encoded host is decoded, then must still be a host
like "$(raw "gemini://%6cocalhost:$PORT/\r\n")" '^20 ' "%6cocalhost is localhost: 20"
like "$(raw "gemini://%6C%6F%63%61%6C%68%6F%73%74:$PORT/chapters/0999-x.gmi\r\n")" '^20 ' "an all-encoded host: 20"
is "$(raw "gemini://%6cocalhost:$PORT/0999\r\n")" "31 $BASE/0999/" "a redirect names the decoded host"
like "$(raw "gemini://%65xample.org:$PORT/\r\n")" '^53 ' "an encoded host not served: 53"
like "$(raw "gemini://local%2fhost:$PORT/\r\n")" '^59 invalid host' "%2f in the host: 59"
like "$(raw "gemini://%zz:$PORT/\r\n")" '^59 invalid host' "%zz in the host: 59"
like "$(raw "gemini://localhost%:$PORT/\r\n")" '^59 ' "a cut escape in the host: 59"
like "$(raw "gemini://local%00host:$PORT/\r\n")" '^59 ' "%00 in the host: 59"
like "$(raw "gemini://localhost%3a$PORT/\r\n")" '^59 ' "an encoded ':' is not a port separator: 59"

# A page that starts with a UTF-8 byte order mark keeps its heading
like "$idx" '^=> /chapters/1990-bom\.gmi 1990 - Bommed title$' "a BOM page is listed with its '# ' heading"
unlike "$(cat "$LOG")" '1990-bom\.gmi: no' "and no missing-heading warning is logged"
is "$(printf '%s\n' "$idx" | head -n 1)" "# Camp Ashraf: a chronicle" "an intro.gmi with a BOM: its heading opens the index"
is "$(printf '%s\n' "$idx" | grep -c $'\xef\xbb\xbf')" 0 "and the BOM is not copied into the index"
like "$(body "$BASE/atom.xml")" '<title>Camp Ashraf: a chronicle</title>' "its heading is the feed's title"

# SIGHUP with both pem files gone keeps the certificate; a reload never generates one
certs=$WORK/certs
fp() { "$GEMGET" -t 5 -c 127.0.0.1:$PORT -i "$BASE/" 2>&1 >/dev/null | sed -n 's/^peer-sha256: //p'; }
old=$(fp)
ok_cmd "the start-up generated a certificate" test -n "$old" -a -s "$certs/cert.pem" -a -s "$certs/key.pem"
mkdir "$WORK/saved" && mv "$certs/cert.pem" "$certs/key.pem" "$WORK/saved/"
kill -HUP "$SERVER_PID"
ok_cmd "SIGHUP without cert.pem and key.pem keeps the current certificates" \
    within 5 grep -q 'keeping the current certificates' "$LOG"
like "$(cat "$LOG")" 'cert\.pem and key\.pem are missing' "the log says both files are missing"
is "$(fp)" "$old" "the fingerprint is unchanged"
ok_cmd "no new cert.pem or key.pem appeared" test ! -e "$certs/cert.pem" -a ! -e "$certs/key.pem"
is "$(ls -A "$certs")" "" "and no temporary file was left in the certs directory"
is "$(grep -c 'generated a self-signed certificate' "$LOG")" 1 "a certificate was generated once, at start-up"
mv "$WORK/saved/cert.pem" "$WORK/saved/key.pem" "$certs/"
reloads=$(grep -c 'certificates reloaded' "$LOG")
kill -HUP "$SERVER_PID"
ok_cmd "with the files back, SIGHUP loads them" \
    within 5 sh -c "test \$(grep -c 'certificates reloaded' '$LOG') -gt $reloads"
is "$(fp)" "$old" "and serves the same certificate"
stop_server
done_testing
