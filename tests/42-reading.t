#!/usr/bin/env bash
# The chronicle as a reader meets it: the index's structure, one date style, the timeline, footers set apart and without repeats, a way back to the index from every gemtext page, listings by title, feed order, and the warnings an author gets.
. tests/lib.sh

make_capsule
ch=$CAPSULE/chapters
# Pages outside the chronicle, each ending its own way
printf '# Notes\n\nSome notes.\n' >"$CAPSULE/notes.gmi"
printf '# Code\n\n```\nint main;\n' >"$CAPSULE/open-block.gmi"
printf '# Windows\r\n\r\nSaved on Windows.\r\n' >"$CAPSULE/crlf.gmi"
printf '# No end\n\nThe last line has no line end.' >"$CAPSULE/no-end.gmi"
printf '# Up\n\n=> / Back to the index\n' >"$CAPSULE/up.gmi"
mkdir "$CAPSULE/section"
printf '# A hand-written section index\n\n=> notes.gmi Notes\n' >"$CAPSULE/section/index.gmi"
printf '# Section notes\n' >"$CAPSULE/section/notes.gmi"
mkdir "$CAPSULE/files"
printf '# Filed page\n' >"$CAPSULE/files/2015-03-filed.gmi"
printf '# About these files\n' >"$CAPSULE/files/about.gmi"
printf 'plain\n' >"$CAPSULE/files/readme.txt"
mkdir "$CAPSULE/files/more"
# Names that are almost dates, an impossible date, text that is not UTF-8
printf '# Batch one\n' >"$ch/2010-1-batch.gmi"
printf '# A page with a space\n' >"$ch/2014-02 page.gmi"
printf '# Never\n' >"$ch/2013-02-30-never.gmi"
printf '# Caf\xe9 cr\xe8me, d\xe9j\xe0 vu: latin-1 text\n\nUn texte \xe9crit en latin-1.\n' >"$ch/2015-latin1.gmi"
printf '# \x93quoted\x94 \x81\x82 text\n' >"$CAPSULE/odd.gmi"
# Same-date pages are ordered by file name
printf '# Zulu\n' >"$ch/2012-02-zulu.gmi"
printf '# Alpha\n' >"$ch/2012-02-alpha.gmi"
start_server || exit 1

# contains GOT TEXT NAME: TEXT, which may span lines, is in GOT as it is
# (like's regular expressions are matched line by line).
contains() {
	case $1 in *"$2"*) pass "$3" ;; *) fail "$3" "got:  '$(printf '%s' "$1" | head -c 800)'" "want text: '$2'" ;; esac
}
starts_with() {
	case $1 in "$2"*) pass "$3" ;; *) fail "$3" "got:  '$(printf '%s' "$1" | head -c 400)'" "want start: '$2'" ;; esac
}
ends_with() {
	case $1 in *"$2") pass "$3" ;; *) fail "$3" "got:  '$(printf '%s' "$1" | tail -c 400)'" "want end: '$2'" ;; esac
}
# links BODY: the link lines' targets, outside preformatted blocks
links() { printf '%s\n' "$1" | tr -d '\r' | awk '/^```/ { pre = !pre; next } !pre && /^=>/ { sub(/^=>[ \t]*/, ""); sub(/[ \t].*/, ""); print }'; }
# repeats BODY: a link line whose target is the previous link line's, with only blank lines and headings between
repeats() {
	printf '%s\n' "$1" | tr -d '\r' | awk '
	/^```/ { pre = !pre; prev = ""; next }
	pre { next }
	/^[ \t]*$/ || /^#/ { next }
	/^=>/ { t = $0; sub(/^=>[ \t]*/, "", t); sub(/[ \t].*/, "", t); if (t == prev) print t; prev = t; next }
	{ prev = "" }'
}
# line_of BODY REGEX: the number of the first line matching REGEX, or 0
line_of() { printf '%s\n' "$1" | grep -nE -- "$2" | head -n 1 | cut -d: -f1 | grep . || echo 0; }
# todo_like GOT REGEX NAME: a test that waits for the route.c change named in $TODO_ROUTE
TODO_ROUTE="route.c: serve_listing calls snapshot_listing"
todo_like() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if printf '%s' "$1" | grep -Eq -- "$2"; then echo "ok $TESTS_RUN - $3"
	else echo "not ok $TESTS_RUN - $3 # TODO $TODO_ROUTE"; fi
}
todo_contains() {
	TESTS_RUN=$((TESTS_RUN + 1))
	case $1 in *"$2"*) echo "ok $TESTS_RUN - $3" ;;
	*) echo "not ok $TESTS_RUN - $3 # TODO $TODO_ROUTE" ;; esac
}

# The index: what a reader browses by comes first, then the pages in the gemfeed form
idx=$(body "$BASE/")
first_entry=$(line_of "$idx" '^=> /chapters/')
entries=$(printf '%s\n' "$idx" | sed -n '/^## Pages in time order$/,$p' | grep '^=> ')
head_part=$(printf '%s\n' "$idx" | sed '/^## Pages in time order$/q')
ok_cmd "the timeline is linked above the first page" test "$(line_of "$idx" '^=> /timeline\.gmi ')" -lt "$first_entry"
ok_cmd "so are the gemfeed and the Atom feed" test "$(line_of "$idx" '^=> /atom\.xml ')" -lt "$first_entry" -a "$(line_of "$idx" '^=> /feed\.gmi ')" -lt "$first_entry"
ok_cmd "and every year page, as '=> /YYYY/ Year YYYY'" test "$(line_of "$idx" '^=> /2016/ Year 2016$')" -lt "$first_entry"
is "$(printf '%s\n' "$idx" | grep -cE '^#+ [0-9]{4}$')" 0 "no heading repeats a year"
like "$head_part" '^=> /exhibition\.gmi ' "above the pages: the intro's links and the browsing links"
is "$(printf '%s\n' "$head_part" | grep -cE '^=> [^ ]+ [0-9]{4}(-[0-9]{2}){0,2} - ')" 0 "  none of whose labels starts with a date"
is "$(printf '%s\n' "$entries" | grep -vcE '^=> /[^ ]+\.gmi [0-9]{4}(-[0-9]{2}){0,2} - ')" 0 "every page's label is 'YYYY[-MM[-DD]] - Title'"
is "$(printf '%s\n' "$entries" | grep -c .)" 15 "every dated page is listed, in or outside chapters/ (15)"
is "$(printf '%s\n' "$idx" | sed -n 's/^=> \/chapters\/\(2012-02-[a-z-]*\).*/\1/p' | tr '\n' ' ')" "2012-02-alpha 2012-02-relocation-to-camp-liberty 2012-02-zulu " "pages of the same date are in file-name order"
is "$(body "$BASE/index.gmi")" "$idx" "/index.gmi is the index too"
unlike "$(body "$BASE/feed.gmi")$(body "$BASE/timeline.gmi")$(body "$BASE/2009/")$idx" '(January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{1,2}, [0-9]{4}' "no generated page writes a date as 'Month D, YYYY'"

# The timeline: every year, and under it the dates and titles of its pages
tl=$(body "$BASE/timeline.gmi")
like "$tl" '^# Timeline' "the timeline's title is 'Timeline'"
unlike "$tl" 'Timeline of ' "  not 'Timeline of <capsule title>'"
contains "$tl" $'\n\n15 pages from 1986 to 2016, year by year.\n\n' "  then how many pages and which years"
is "$(printf '%s\n' "$tl" | grep -c '^\* ')" "$(printf '%s\n' "$entries" | grep -c .)" "one item per page"
want=$(printf '%s\n' "$entries" | sed -n 's/^=> [^ ]* \(.*\)/* \1/p')
is "$(printf '%s\n' "$tl" | grep '^\* ')" "$want" "the same dates and titles as the index, in the same order"
contains "$tl" $'\n=> /2003/ 2003 (1 page)\n* 2003-05 - Agreement with the Coalition\n=> /2004/' "each under its year's link"
starts_with "$(body "$BASE/1986/")" $'# 1986\n\nOne page from 1986.\n\n' "a year page with one page says so plainly"
starts_with "$(body "$BASE/2009/")" $'# 2009\n\n2 pages from 2009, oldest first.\n\n' "and with more"

# Footers: set apart, always in the same order, never the page's own last link again
bad_order= bad_apart= bad_repeat=
for f in "$ch"/*.gmi; do
	rel=/chapters/$(basename "$f")
	case $rel in */2013-02-30-*|*/2015-latin1.gmi) continue ;; esac
	rel=${rel// /%20}
	page=$(body "$BASE$rel")
	printf '%s\n' "$page" | grep -q $'^## Navigation$' || bad_apart="$bad_apart $rel"
	foot=$(printf '%s\n' "$page" | sed -n '/^## Navigation$/,$p')
	order=$(printf '%s\n' "$foot" | sed -n 's/^\(=> [^ ]* \)\{0,1\}\(Previous\|Next\|All pages from\).*/\2/p; s/^=> \/ Index$/Index/p' | tr '\n' ,)
	case $order in Previous,Next,All\ pages\ from,Index,|Next,All\ pages\ from,Index,|Previous,All\ pages\ from,Index,) ;; *) bad_order="$bad_order $rel:$order" ;; esac
	[ -z "$(repeats "$page")" ] || bad_repeat="$bad_repeat $rel:$(repeats "$page" | tr '\n' ' ')"
done
is "$bad_apart" "" "every chapter's footer is set apart by '## Navigation'"
is "$bad_order" "" "every footer is in the order previous, next, year, index"
is "$bad_repeat" "" "no chapter shows the same link twice in a row"
att=$(body "$BASE/chapters/2004-07-02-protected-persons.gmi")
contains "$att" $'=> /chapters/2003-05-coalition-agreement.gmi Agreement with the Coalition (the exhibition\'s section on the invasion of Iraq)\n\n## Navigation\n\nPrevious: 2003-05 - Agreement with the Coalition, linked above\n=> /chapters/2009-02-20-transfer-of-protection.gmi Next: ' "a page whose last link is its previous page: the footer names it without linking it again"

# Every gemtext page ends with a way back to the index
noback=
for rel in /exhibition.gmi /intro.gmi /notes.gmi /open-block.gmi /crlf.gmi /no-end.gmi /up.gmi /section/notes.gmi /files/about.gmi /chapters/2013-02-30-never.gmi /chapters/2010-1-batch.gmi /timeline.gmi /feed.gmi /2009/ /chapters/ /files/; do
	last=$(links "$(body "$BASE$rel")" | tail -n 1)
	[ "$last" = / ] || noback="$noback $rel:$last"
done
is "$noback" "" "every gemtext page and generated page ends with a link to the index"
is "$(body "$BASE/up.gmi")" "$(cat "$CAPSULE/up.gmi")" "a page that already ends with a link to the index is served as it is"
is "$(body "$BASE/notes.gmi")" $'# Notes\n\nSome notes.\n\n## Navigation\n\n=> / Index' "an undated page: a link to the index, set apart"
ends_with "$(body "$BASE/open-block.gmi")" $'int main;\n```\n\n## Navigation\n\n=> / Index' "a page that leaves a preformatted block open: it is closed before the footer"
contains "$(body "$BASE/no-end.gmi")" $'no line end.\n\n## Navigation\n\n' "a last line without its line end: it is ended first"
is "$(body "$BASE/crlf.gmi" | grep -vc $'\r$')" 0 "a CRLF page: the footer ends its lines with CRLF too"
is "$(body "$BASE/section/")" "$(cat "$CAPSULE/section/index.gmi")" "a hand-written index.gmi is served as it is"
is "$(body "$BASE/section/index.gmi")" "$(cat "$CAPSULE/section/index.gmi")" "  also by its name"
like "$(body "$BASE/chapters/2010-1-batch.gmi")" '=> /chapters/[^ ]+ (Previous|Next): ' "a page with a near-date name is in the chronicle, with its footer"

# Listings: pages by date and title, then other files
ls_files=$(body "$BASE/files/")
todo_contains "$ls_files" $'=> ./more/ more/\n\n=> ./2015-03-filed.gmi 2015-03 - Filed page\n=> ./about.gmi About these files\n\n=> ./readme.txt readme.txt\n' "a listing: folders, then gemtext pages by date and title, then other files"
ends_with "$ls_files" $'\n\n## Navigation\n\n=> / Index' "a listing ends with a link to the index"
todo_like "$(body "$BASE/chapters/")" '=> \./2011-04-attack\.gmi 2011-04 - The April 2011 attack' "a chapter is listed by its date and title"

# Pages that are not UTF-8 are not served as UTF-8
like "$(header "$BASE/chapters/2015-latin1.gmi")" '^20 text/gemini; charset=iso-8859-1; lang=en$' "a latin-1 page: served with its charset"
like "$(header "$BASE/odd.gmi")" '^20 text/gemini; charset=unknown-8bit; lang=en$' "a page in no charset libmagic names: unknown-8bit, not utf-8"
foot=$(body "$BASE/chapters/2015-latin1.gmi" | sed -n '/^## Navigation/,$p')
like "$foot" 'Previous: ' "  it has its footer"
is "$(printf '%s' "$foot" | LC_ALL=C grep -c '[^ -~]')" 0 "  in ASCII only, which reads the same in its charset"
like "$(header "$BASE/notes.gmi")" '^20 text/gemini; charset=utf-8; lang=en$' "a UTF-8 page is still charset=utf-8"

# Warnings for authors
log=$(cat "$LOG")
like "$log" "chapters/2010-1-batch\\.gmi: dated 2010, not 2010-1: a month or a day is two digits followed by '-'" "a one-digit month: the file and what was understood are logged"
like "$log" "chapters/2014-02 page\\.gmi: dated 2014, not 2014-02" "a space after the month: logged"
like "$log" "chapters/2013-02-30-never\\.gmi: 2013-02-30 is not a date, so the page is not in the chronicle" "an impossible date: logged"
unlike "$idx" '2013-02-30' "  and the page is not on the index"
like "$(header "$BASE/chapters/2013-02-30-never.gmi")" '^20 ' "  but it is served"
like "$log" "chapters/2015-latin1\\.gmi: not UTF-8, listed under its file name and served without charset=utf-8" "a page that is not UTF-8: logged, saying how it is served"
like "$log" "odd\\.gmi: not UTF-8, served without charset=utf-8" "  also outside the chronicle"
unlike "$log" 'exhibition\.gmi: ' "nothing is logged for a page as it should be"
stop_server

# After a fresh clone every file has the same modification time: the feeds
# are newest first by their place in history.
make_capsule
find "$CAPSULE" -type f -exec touch -d '2030-05-06 07:08:09 UTC' {} +
start_server || exit 1
feed=$(body "$BASE/feed.gmi" | sed -n 's/^=> \/chapters\/\([^ ]*\) .*/\1/p' | tr '\n' ' ')
want=$(ls "$CAPSULE/chapters" | sort -r | tr '\n' ' ')
is "$feed" "$want" "gemfeed: pages published at the same time are newest in history first"
atom=$(body "$BASE/atom.xml" | sed -n 's/.*<id>gemini:[^<]*\/chapters\/\([^<]*\)<\/id>.*/\1/p' | tr '\n' ' ')
is "$atom" "$want" "atom.xml: the same order"

# Twenty files copied at once: one "rebuilt" line, then one for the rest
mkdir "$WORK/batch"
for i in $(seq -w 1 20); do printf '# Batch page %s\n' "$i" >"$WORK/batch/2020-01-$i-batch.gmi"; done
before=$(grep -c 'generated pages rebuilt' "$LOG")
cp "$WORK/batch"/*.gmi "$CAPSULE/chapters/"
ok_cmd "twenty pages copied at once are all on the index" within 3 has "$BASE/" '2020-01-20 - Batch page 20'
sleep 2.2
lines=$(( $(grep -c 'generated pages rebuilt' "$LOG") - before ))
ok_cmd "the rebuilds they caused are logged in at most two lines ($lines)" test "$lines" -ge 1 -a "$lines" -le 2
rebuilds=$(sed -n 's/.*generated pages rebuilt \([0-9]*\) more times\{0,1\}, in \([0-9.]*\) ms at most/\1 \2/p' "$LOG" | tail -n 1)
like "$(grep 'generated pages rebuilt' "$LOG" | tail -n 2)" 'rebuilt in [0-9.]+ ms|rebuilt [0-9]+ more times?, in [0-9.]+ ms at most' "  saying how long a rebuild took (${rebuilds:-one rebuild} more, ms at most)"
stop_server

# The server block's navigation setting (--navigation), once the option
# table has it: dated pages only, or no footer at all.
first=chapters/1986-building-the-camp.gmi
if "$ALMANAC" --help 2>&1 | grep -q -- '--navigation'; then
	make_capsule
	start_server --navigation dated || exit 1
	is "$(body "$BASE/intro.gmi")" "$(cat "$CAPSULE/intro.gmi")" "navigation dated: a page outside the chronicle is served as it is"
	like "$(body "$BASE/$first")" '^=> /chapters/[^ ]+ Next: ' "  a dated page keeps its footer"
	stop_server
	start_server --navigation off || exit 1
	is "$(body "$BASE/$first")" "$(cat "$CAPSULE/$first")" "navigation off: a dated page is served as it is"
	stop_server
else
	TODO_ROUTE="the navigation option: options.c, config.h and main.c"
	todo_like "" x "navigation dated: a page outside the chronicle is served as it is"
	todo_like "" x "  a dated page keeps its footer"
	todo_like "" x "navigation off: a dated page is served as it is"
fi
done_testing
