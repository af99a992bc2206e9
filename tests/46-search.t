#!/usr/bin/env bash
# /search: 10 without a query, 59 for a bad or over-long one, matches best first, Unicode case folding, words AND-ed, private pages never listed, pages published or removed while running, the index's link, a capsule's own "search" file.
. tests/lib.sh

make_capsule empty
mkdir -p "$CAPSULE/chapters" "$CAPSULE/members" "$CAPSULE/blocked"
printf '# Welcome\n\nA test capsule.\n' >"$CAPSULE/intro.gmi"
printf '# The harvest\n\nApples and pears.\n' >"$CAPSULE/chapters/2011-harvest.gmi"
printf '# Orchard\n\nThe harvest of apples was late.\nA harvest festival followed the harvest.\n' >"$CAPSULE/chapters/2013-09-orchard.gmi"
printf '# Letters\n\nNothing here but harvesting.\n' >"$CAPSULE/chapters/2012-letters.gmi"
printf '# Notes\n\nAn undated note on the harvest.\n' >"$CAPSULE/notes.gmi"
printf "# L'été\n\nDie Straße in Montréal, ΣΊΣΥΦΟΣ.\n" >"$CAPSULE/chapters/2014-ete.gmi"
printf '# Members harvest\n\nsecret zucchini harvest\n' >"$CAPSULE/members/2015-secret.gmi"
printf '# Members notes\n\nsecret zucchini notes\n' >"$CAPSULE/members/notes.gmi"
printf '# Blocked\n\nzucchini behind a block\n' >"$CAPSULE/blocked/page.gmi"
printf 'zucchini in a text file\n' >"$CAPSULE/plain.txt"
cat >"$WORK/search.conf" <<CONF
listen "localhost:0"
max-per-address 0
rate-per-address 0
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	location "/members/*" {
		require client certificate
	}
	location "/blocked/*" {
		block return 51 "gone"
	}
}
CONF
start_config "$WORK/search.conf"
[ -n "$PORT" ] || { fail "the server starts" "$(cat "$LOG")"; done_testing; }

is "$(header "$BASE/search")" "10 Search this capsule" "/search without a query: 10"
is "$(header "$BASE/search?")" "10 Search this capsule" "  with an empty one: 10"
is "$(header "$BASE/search?%20%2C")" "10 Search this capsule" "  with no word in it: 10"
is "$(header "$BASE/search?caf%C3")" "59 the query is not UTF-8" "a query that is not UTF-8: 59 and why"
is "$(header "$BASE/search?%FF%FE")" "59 the query is not UTF-8" "  bytes that are never UTF-8: 59"
is "$(header "$BASE/search?50%25%zz")" "59 the query's percent-encoding is not valid" "bad percent-encoding: 59 and why"
is "$(header "$BASE/search?a%0Ab")" "59 the query has a control character" "a control character: 59 and why"
q256=$(printf 'x%.0s' $(seq 256))
is "$(header "$BASE/search?$q256")" "20 text/gemini; charset=utf-8; lang=en" "a query of 256 bytes: 20 text/gemini"
is "$(header "$BASE/search?${q256}x")" "59 the query is longer than 256 bytes" "257 bytes: 59 and why"
e128=$(printf '%%C3%%A9%.0s' $(seq 128))
like "$(header "$BASE/search?$e128")" '^20 ' "  256 bytes once decoded, 768 as sent: 20"
like "$(header "$BASE/search?${e128}x")" '^59 ' "  257 once decoded: 59"

# Ranking: the title, then whole words by occurrences, then a mere part of a word
out=$(body "$BASE/search?harvest")
like "$out" '^# Search: harvest' "a result page with a heading"
like "$out" '4 pages match, best first\.' "  saying how many pages match"
order=$(printf '%s\n' "$out" | sed -n 's|^=> /\([^ ]*\) .*|\1|p' | grep -v '^search$' | grep -v '^$' | tr '\n' ' ')
is "$order" "chapters/2011-harvest.gmi chapters/2013-09-orchard.gmi notes.gmi chapters/2012-letters.gmi " "best first: title, more matches, fewer, part of a word"
like "$out" '=> /chapters/2013-09-orchard.gmi 2013-09 - Orchard' "  a link line with date and title"
like "$out" '> A harvest festival followed the harvest\.' "  and its matching lines"
like "$out" '=> /notes.gmi [0-9]{4}-[0-9]{2}-[0-9]{2} - Notes' "  an undated page with its publication date"

# Unicode case folding, AND
like "$(body "$BASE/search?%C3%89T%C3%89")" '=> /chapters/2014-ete.gmi' "ÉTÉ finds été"
like "$(body "$BASE/search?STRASSE")" '=> /chapters/2014-ete.gmi' "STRASSE finds Straße"
like "$(body "$BASE/search?MONTR%C3%89AL%20%CF%83%CE%AF%CF%83%CF%85%CF%86%CE%BF%CF%82")" '=> /chapters/2014-ete.gmi' "montrÉal σίσυφος finds Montréal ΣΊΣΥΦΟΣ"
out=$(body "$BASE/search?APPLES%20festival")
is "$(printf '%s\n' "$out" | grep -c '^=> /chapters/')" 1 "words are AND-ed: one page has both"
like "$out" '=> /chapters/2013-09-orchard.gmi' "  the right one"
like "$(body "$BASE/search?apples%20zebra")" 'No page matches “apples zebra”\.' "no match: it says so"

# Only what a client could read anyway
like "$(header "$BASE/members/notes.gmi")" '^60 ' "the members' pages need a certificate"
out=$(body "$BASE/search?zucchini")
like "$out" 'No page matches' "pages under 'require client certificate' or 'block' are never listed"
unlike "$out" 'members|blocked|plain' "  nor named, nor a file that is not gemtext"
unlike "$(body "$BASE/search?secret")" 'members' "  whatever the word"

# Published while running: found within the watcher's usual delay
printf '# Zeppelin\n\nA zeppelin over the orchard.\n' >"$CAPSULE/chapters/2016-zeppelin.gmi"
ok_cmd "a page dropped into the folder is found within 2 s" within 2 has "$BASE/search?zeppelin" '=> /chapters/2016-zeppelin.gmi 2016 - Zeppelin'
printf '# Zeppelin\n\nA balloon now.\n' >"$CAPSULE/chapters/2016-zeppelin.gmi.tmp"
mv "$CAPSULE/chapters/2016-zeppelin.gmi.tmp" "$CAPSULE/chapters/2016-zeppelin.gmi"
ok_cmd "a page replaced is found by its new text" within 2 has "$BASE/search?balloon" '2016-zeppelin'
ok_cmd "  and no longer by its old text" within 2 has "$BASE/search?over%20orchard" 'No page matches'
rm "$CAPSULE/chapters/2011-harvest.gmi"
ok_cmd "a page removed is no longer found" within 2 lacks "$BASE/search?pears" '2011-harvest'

like "$(body "$BASE/")" '=> /search Search this capsule' "the index links to /search"

# A capsule's own file named "search" is served, as before there was a generated one
printf 'our own search page\n' >"$CAPSULE/search"
like "$(body "$BASE/search?harvest")" 'our own search page' "a file named 'search' in the root wins"
rm "$CAPSULE/search"
like "$(body "$BASE/search?harvest")" '^# Search: harvest' "  and once it is gone, the generated page is back"

stop_server
done_testing
