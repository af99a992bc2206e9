#!/usr/bin/env bash
# The chronicle: generated index, year pages, timeline, navigation, feeds, and publishing by dropping files.
. tests/lib.sh
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

make_capsule
start_server || exit 1
ch=$CAPSULE/chapters

# The bundled capsule as the server presents it
idx=$(body "$BASE/")
like "$idx" '^# Camp Ashraf: a chronicle' "the index opens with intro.gmi"
like "$idx" '=> /exhibition\.gmi' "intro.gmi's own links stay"
like "$idx" '=> /chapters/1986-building-the-camp\.gmi 1986 - Building the camp' "a year-precision page: '=> URL 1986 - Title'"
like "$idx" '=> /chapters/2003-05-coalition-agreement\.gmi 2003-05 - ' "a month-precision page keeps its month"
like "$idx" '=> /chapters/2013-09-01-attack-on-ashraf\.gmi 2013-09-01 - ' "a day-precision page keeps its day"
order=$(printf '%s\n' "$idx" | sed -n 's/^=> \/chapters\/\([0-9-]*\).*/\1/p' | tr '\n' ' ')
sorted=$(printf '%s\n' "$idx" | sed -n 's/^=> \/chapters\/\([0-9-]*\).*/\1/p' | sort | tr '\n' ' ')
is "$order" "$sorted" "pages are in chronological order"
is "$(printf '%s\n' "$idx" | grep -c '^## [0-9]\{4\}$')" 0 "no heading only repeats the year its entries show"
is "$(printf '%s\n' "$idx" | grep -c '^=> /[0-9]\{4\}/ Year [0-9]\{4\}$')" 8 "every year page is linked: '=> /YYYY/ Year YYYY'"
like "$idx" '=> /feed\.gmi' "the index links the gemfeed"
like "$idx" '=> /atom\.xml' "the index links the Atom feed"
like "$idx" '=> /timeline\.gmi' "the index links the timeline"
unlike "$idx" 'exhibition\.gmi .* - ' "undated pages are not part of the chronicle"

page=$(body "$BASE/chapters/2009-02-20-transfer-of-protection.gmi")
like "$page" '=> /chapters/2004-07-02-protected-persons\.gmi Previous: 2004-07-02 - Recognition as protected persons' "footer: previous chapter in time order"
like "$page" '=> /chapters/2009-07-attacks-on-ashraf\.gmi Next: 2009-07 - ' "footer: next chapter in time order"
like "$page" '=> /2009/ All pages from 2009' "footer: the year page"
like "$page" '=> / Index' "footer: the index"
contains "$page" $'\n\n## Navigation\n\n=> /chapters/2004-07-02-protected-persons.gmi Previous: ' "footer: set apart by a heading"
first=$(body "$BASE/chapters/1986-building-the-camp.gmi")
unlike "$first" 'Previous:' "the first chapter has no previous link"
unlike "$(body "$BASE/chapters/2016-09-relocation-to-albania.gmi")" 'Next:' "the last chapter has no next link"
is "$(head -c 200 "$ch/1986-building-the-camp.gmi" | md5sum)" "$(printf '%s' "$first" | head -c 200 | md5sum)" "the file's own text comes first, untouched"
unlike "$(body "$BASE/exhibition.gmi")" 'Previous:|Next:' "undated pages get no previous/next footer"

# Walking "next" from the first chapter reaches every chapter in order, and
# "previous" from the last back again.  Where the page's own last line is a
# link to the same chapter, the footer names it as text ("linked above").
# step URL WORD: where WORD (Next or Previous) leads from URL.
step() {
	local page; page=$(body "$BASE$1")
	local to; to=$(printf '%s\n' "$page" | sed -n "s/^=> \\(\\/[^ ]*\\) $2: .*/\\1/p")
	if [ -z "$to" ] && printf '%s\n' "$page" | grep -q "^$2: .*, linked above\$"; then
		to=$(printf '%s\n' "$page" | sed -n '/^## Navigation$/q; s/^=> \(\/[^ ]*\) .*/\1/p' | tail -n 1)
	fi
	printf '%s' "$to"
}
nch=$(ls "$ch" | grep -c '^[0-9].*\.gmi$')
url=/chapters/1986-building-the-camp.gmi; walked=0; forth=
while [ -n "$url" ] && [ $walked -lt 50 ]; do
	walked=$((walked + 1)); forth="$forth $url"; last=$url
	url=$(step "$url" Next)
done
is "$walked" "$nch" "following Next from the first chapter visits every chapter"
url=$last; walked=0; back=
while [ -n "$url" ] && [ $walked -lt 50 ]; do
	walked=$((walked + 1)); back="$url $back"
	url=$(step "$url" Previous)
done
is "$back" "${forth# } " "following Previous from the last chapter visits them all again, in reverse"

yr=$(body "$BASE/2009/")
like "$yr" '^# 2009' "a year page"
like "$yr" '2009-02-20 - .*\n?' "the year page lists its pages"
is "$(printf '%s\n' "$yr" | grep -c '^=> /chapters/')" 2 "only that year's pages"
like "$yr" '=> /2004/ Previous year' "the year page links the previous year"
like "$yr" '=> /2011/ Next year' "and the next year"
is "$(header "$BASE/1999/")" "51 not found" "a year without pages: 51"
tl=$(body "$BASE/timeline.gmi")
like "$tl" '=> /2009/ 2009 \(2 pages\)' "the timeline counts pages per year"
like "$tl" '=> /1986/ 1986 \(1 page\)' "singular for one page"
contains "$tl" $'=> /2009/ 2009 (2 pages)\n* 2009-02-20 - Transfer of protection to the Iraqi government\n* 2009-07 - Military attacks on Ashraf (2009-2013)\n=> /2011/' "and under each year the dates and titles of its pages"

feed=$(body "$BASE/feed.gmi")
like "$feed" '^# ' "the gemfeed has a title"
like "$feed" '=> /chapters/[^ ]+\.gmi [0-9]{4}-[0-9]{2}-[0-9]{2} - ' "gemfeed lines: '=> URL YYYY-MM-DD - Title'"
like "$(header "$BASE/atom.xml")" '^20 application/atom\+xml' "atom.xml is application/atom+xml"
body "$BASE/atom.xml" >"$WORK/atom.xml"
ok_cmd "xmllint accepts atom.xml" xmllint --noout "$WORK/atom.xml"
like "$(cat "$WORK/atom.xml")" "<id>gemini://localhost:$PORT/chapters/1986-building-the-camp.gmi</id>" "entry ids are the pages' URLs"

# Publishing: drop a file in, and it is everywhere within a second
cat >"$WORK/new.gmi" <<'PAGE'
# A page dropped in while the server runs

Text.
PAGE
touch -d '2030-01-02 03:04:05 UTC' "$WORK/new.gmi"
cp -p "$WORK/new.gmi" "$ch/2010-06-dropped.gmi"
ok_cmd "a dropped file is on the index within 1 s" within 1 has "$BASE/" '=> /chapters/2010-06-dropped\.gmi 2010-06 - A page dropped in'
ok_cmd "and on its year page" has "$BASE/2010/" '2010-06-dropped'
ok_cmd "and in the timeline" has "$BASE/timeline.gmi" '/2010/ 2010 \(1 page\)'
ok_cmd "with its title" has "$BASE/timeline.gmi" '^\* 2010-06 - A page dropped in'
ok_cmd "its previous neighbour links to it" has "$BASE/chapters/2009-07-attacks-on-ashraf.gmi" 'Next: 2010-06 - A page dropped in'
ok_cmd "its next neighbour links back" has "$BASE/chapters/2011-04-attack.gmi" 'Previous: 2010-06 - A page dropped in'
ok_cmd "it has its own footer" has "$BASE/chapters/2010-06-dropped.gmi" 'Previous: 2009-07 - '
ok_cmd "it heads the gemfeed, dated when first seen" has "$BASE/feed.gmi" "^=> /chapters/2010-06-dropped\\.gmi $(date -u +%F) - A page dropped in"
ok_cmd "it is in atom.xml, updated by its modification time" has "$BASE/atom.xml" '<updated>2030-01-02T03:04:05Z</updated>'
rm "$ch/2010-06-dropped.gmi"
ok_cmd "a removed file leaves the index within 1 s" within 1 lacks "$BASE/" '2010-06-dropped'
ok_cmd "and its neighbours' footers" lacks "$BASE/chapters/2011-04-attack.gmi" 'dropped'
ok_cmd "and the feeds" lacks "$BASE/atom.xml" 'dropped'
is "$(header "$BASE/2010/")" "51 not found" "and its now empty year page"

mv "$WORK/new.gmi" "$ch/2010-06-moved-in.gmi"
ok_cmd "a file moved in appears" within 1 has "$BASE/" '2010-06-moved-in'
mv "$ch/2010-06-moved-in.gmi" "$ch/2010-07-renamed.gmi"
ok_cmd "a rename updates the index" within 1 has "$BASE/" '2010-07-renamed'
ok_cmd "and the old name is gone" lacks "$BASE/" '2010-06-moved-in'
mkdir "$WORK/sub"; printf '# In a folder\n' >"$WORK/sub/2015-folder-page.gmi"
mv "$WORK/sub" "$CAPSULE/extra"
ok_cmd "a folder moved in brings its pages" within 1 has "$BASE/" '=> /extra/2015-folder-page\.gmi 2015 - In a folder'
rm -r "$CAPSULE/extra"
ok_cmd "a folder removed takes its pages away" within 1 lacks "$BASE/" 'folder-page'
printf '# Edited title\n' >"$ch/2010-07-renamed.gmi"
ok_cmd "an edited heading updates the title" within 1 has "$BASE/" '2010-07 - Edited title'
rm "$ch/2010-07-renamed.gmi"

# Leftovers are never published
for f in .2012-x.gmi.XXXXXX 2012-x.gmi~ 2012-x.gmi.swp 2012-x.gmi.tmp 2012-x.gmi.part .2012-hidden.gmi; do
	printf '# leftover\n' >"$ch/$f"
done
sleep 0.3
unlike "$(body "$BASE/")" 'leftover' "editor and transfer leftovers are not indexed"
rm -f "$ch"/.2012-* "$ch"/2012-x.gmi*

# Odd files are still listed, with a warning, and nothing breaks
: >"$ch/2001-empty.gmi"
printf '\xff\xfe broken\n' >"$ch/2002-not-utf8.gmi"
printf 'no heading here\n' >"$ch/2005-10-no-heading.gmi"
ok_cmd "an empty page is listed under its file name" within 1 has "$BASE/" '=> /chapters/2001-empty\.gmi 2001 - Empty'
ok_cmd "a page that is not UTF-8 is listed under its file name" has "$BASE/" '2002 - Not utf8'
ok_cmd "a page without a heading is listed under its file name" has "$BASE/" '2005-10 - No heading'
like "$(cat "$LOG")" 'not UTF-8, listed under its file name' "a warning is logged for it"
like "$(header "$BASE/chapters/2002-not-utf8.gmi")" '^20 text/gemini; charset=utf-16le; lang=en$' "and it is not served as charset=utf-8"
ok_cmd "atom.xml stays valid XML" sh -c "'$GEMGET' -t 5 -c 127.0.0.1:$PORT -B '$BASE/atom.xml' | xmllint --noout -"
rm -f "$ch/2001-empty.gmi" "$ch/2002-not-utf8.gmi" "$ch/2005-10-no-heading.gmi"

# A file written slowly is never seen half-written
slow=$ch/2014-slow.gmi
( exec 3>"$slow"; for i in 1 2 3 4 5 6 7 8; do printf '# Slow page\nchunk %s\n' "$i" >&3; sleep 0.15; done; printf 'END\n' >&3 ) &
writer=$!
partial=0; seen=0
while kill -0 $writer 2>/dev/null; do
	out=$(gem "$BASE/chapters/2014-slow.gmi" 2>/dev/null)
	case $out in
	20*) seen=$((seen + 1)); printf '%s' "$out" | grep -q '^END' || partial=$((partial + 1)) ;;
	esac
	body "$BASE/" | grep -q '2014-slow' && ! grep -q '^END' "$slow" && partial=$((partial + 1))
done
wait $writer
is "$partial" 0 "no request saw the slow file half-written (answered 20 $seen times while writing)"
ok_cmd "once closed it is published" within 1 has "$BASE/chapters/2014-slow.gmi" '^END'
rm "$slow"

# A hand-written index.gmi replaces the generated index
printf '# My own front page\n' >"$CAPSULE/index.gmi"
ok_cmd "a hand-written index.gmi replaces the generated index" within 1 has "$BASE/" '^# My own front page'
rm "$CAPSULE/index.gmi"
ok_cmd "removing it brings the generated index back" within 1 has "$BASE/" '^# Camp Ashraf'
printf '# Renamed capsule\n\nNew intro.\n' >"$CAPSULE/intro.gmi"
ok_cmd "editing intro.gmi changes the index" within 1 has "$BASE/" 'New intro\.'
ok_cmd "and the feed title" has "$BASE/atom.xml" '<title>Renamed capsule</title>'
stop_server
done_testing
