#!/usr/bin/env bash
# Publication dates: a page is published when first seen, kept in the state directory across edits and restarts; without one, the feeds fall back to modification times.
. tests/lib.sh

STATE=$WORK/state
FILE=$STATE/localhost.dates
page=chapters/2009-07-attacks-on-ashraf.gmi
today() { date -u +%F; }
# feed_line PATH: the gemfeed's line for a page
feed_line() { body "$BASE/feed.gmi" | grep -F "=> /$1 "; }
# atom_entry PATH: the Atom entry of a page, on one line
atom_entry() { body "$BASE/atom.xml" | tr '\n' ' ' | sed 's|</entry>|&\n|g' | grep -F "/$1</id>"; }
# well_formed: every line of the state file is a comment or "STAMP PATH"
well_formed() { [ -s "$FILE" ] && ! grep -Evq '^(#.*|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [^/].*)$' "$FILE"; }
no_strays() { [ "$(ls -A "$STATE")" = localhost.dates ]; }

# A fresh state: the pages already there are dated by their modification time.
make_capsule
touch -d '2011-02-03 04:05:06 UTC' "$CAPSULE/$page"
start_server || exit 1
like "$(cat "$LOG")" "publication dates: kept in $STATE" "start-up names the state directory"
like "$(cat "$LOG")" "localhost.dates is new: the pages there now are dated by their modification time" "  and says the state is new"
like "$(feed_line $page)" " 2011-02-03 - " "a fresh state dates a page by its modification time in the gemfeed"
entry=$(atom_entry $page)
like "$entry" '<published>2011-02-03T04:05:06Z</published>' "  and in Atom <published>"
like "$entry" '<updated>2011-02-03T04:05:06Z</updated>' "  and <updated>"
ok_cmd "the state file is written at start" test -s "$FILE"
ok_cmd "  with the page's date" grep -qx "2011-02-03T04:05:06Z $page" "$FILE"
is "$(grep -c ' chapters/' "$FILE")" "$(ls "$CAPSULE/chapters" | wc -l)" "  and a line for every page of the chronicle"
ok_cmd "  and nothing else in the directory" no_strays

# An edit changes the last change, not the publication.
printf '\nA typo fixed.\n' >>"$CAPSULE/$page"
touch -d '2031-01-01 00:00:00 UTC' "$CAPSULE/$page"
ok_cmd "after an edit, Atom <updated> is the new modification time" within 2 sh -c "'$GEMGET' -t 5 -c 127.0.0.1:$PORT -B '$BASE/atom.xml' | grep -q '<updated>2031-01-01T00:00:00Z</updated>'"
entry=$(atom_entry $page)
like "$entry" '<published>2011-02-03T04:05:06Z</published>.*<updated>2031-01-01T00:00:00Z</updated>' "  while <published> stays the first-seen date"
like "$(feed_line $page)" " 2011-02-03 - " "  and so does the gemfeed's date"

# A page dropped in later is dated when first seen, whatever its modification time.
printf '# A page copied with an old time\n\nText.\n' >"$WORK/old.gmi"
touch -d '2001-01-01 00:00:00 UTC' "$WORK/old.gmi"
cp -p "$WORK/old.gmi" "$CAPSULE/chapters/2012-05-copied.gmi"
ok_cmd "a new page appears in the gemfeed" within 2 has "$BASE/feed.gmi" '2012-05-copied'
like "$(feed_line chapters/2012-05-copied.gmi)" " $(today) - A page copied" "  dated the day it was first seen, not by its modification time"
like "$(body "$BASE/feed.gmi" | grep -m1 '^=> /chapters/')" '2012-05-copied' "  and it heads the feed, newest first"
entry=$(atom_entry chapters/2012-05-copied.gmi)
like "$entry" "<published>$(today)T" "  Atom <published> is when it was first seen"
unlike "$entry" '2001-01-01' "  and its old modification time shows nowhere"
ok_cmd "the state file has it within a second" within 2 grep -q "^$(today)T[0-9:]*Z chapters/2012-05-copied\\.gmi\$" "$FILE"

# A renamed page is a new page.
mv "$CAPSULE/$page" "$CAPSULE/chapters/2009-07-renamed.gmi"
ok_cmd "a renamed page is in the feed under its new name" within 2 has "$BASE/feed.gmi" '2009-07-renamed'
like "$(feed_line chapters/2009-07-renamed.gmi)" " $(today) - " "  dated as a new page"
mv "$CAPSULE/chapters/2009-07-renamed.gmi" "$CAPSULE/$page"
ok_cmd "renamed back, it has its first date again" within 2 has "$BASE/feed.gmi" "=> /$page 2011-02-03 - "

# Many pages at once: the state file is only ever whole, and no temporary file stays.
mkdir -p "$WORK/batch"
for i in $(seq -w 1 40); do printf '# Batch %s\n' "$i" >"$WORK/batch/2015-03-batch-$i.gmi"; done
(for i in $(seq -w 1 40); do cp "$WORK/batch/2015-03-batch-$i.gmi" "$CAPSULE/chapters/"; sleep 0.02; done) &
copier=$!
broken=0
while kill -0 $copier 2>/dev/null; do well_formed || broken=$((broken + 1)); done
wait $copier
is "$broken" 0 "while pages arrive, every read of the state file finds it whole"
ok_cmd "all of them are recorded" within 3 sh -c "[ \$(grep -c ' chapters/2015-03-batch-' '$FILE') = 40 ]"
ok_cmd "no temporary file is left in the state directory" within 2 no_strays
stop_server

# A restart keeps the dates.
start_server || exit 1
unlike "$(cat "$LOG")" "is new" "restarted, the state is read, not new"
like "$(feed_line $page)" " 2011-02-03 - " "after a restart, an edited page keeps its first date"
like "$(feed_line chapters/2012-05-copied.gmi)" " $(today) - " "  and the page dropped in later its own"
like "$(atom_entry $page)" '<published>2011-02-03T04:05:06Z</published>' "  in Atom too"
stop_server

# A state file that does not parse is left as it is; the feeds use modification times.
printf '2013-02-30T00:00:00Z chapters/x.gmi\n' >"$FILE"
start_server || exit 1
like "$(cat "$LOG")" "localhost.dates:1: expected YYYY-MM-DDTHH:MM:SSZ" "a broken state file is named with its line"
like "$(cat "$LOG")" "localhost: the feeds date pages by their modification time" "  and the fallback is said"
like "$(feed_line $page)" " 2031-01-01 - " "  the feed dates pages by modification time"
is "$(cat "$FILE")" "2013-02-30T00:00:00Z chapters/x.gmi" "  and the file is left for a person to mend"
stop_server

# No writable state directory: today's behaviour, said once.
: >"$WORK/not-a-dir"
start_server --state "$WORK/not-a-dir" || exit 1
like "$(grep 'state directory' "$LOG")" "state directory $WORK/not-a-dir: not a directory; the feeds date pages by their modification time" "a state path that is no directory falls back, saying why"
like "$(feed_line $page)" " 2031-01-01 - " "  the feed dates pages by modification time"
cp -p "$WORK/old.gmi" "$CAPSULE/chapters/2012-06-old.gmi"
ok_cmd "  a page dropped in is dated by its modification time" within 2 has "$BASE/feed.gmi" '=> /chapters/2012-06-old.gmi 2001-01-01 - '
touch "$CAPSULE/chapters/2012-06-old.gmi"
sleep 1.2
is "$(grep -c 'publication dates\|state directory' "$LOG")" 1 "  and it is said once"
stop_server
out=$("$ALMANAC" -n --root "$CAPSULE" --certs "$WORK/certs" --state "$WORK/not-a-dir" 2>&1)
rc=$?
is "$rc" 0 "almanac -n does not refuse a start without a state directory"
like "$out" "warning: state directory $WORK/not-a-dir: not a directory" "  but says so"
like "$("$ALMANAC" -n --root "$CAPSULE" --certs "$WORK/certs" --state "$STATE" 2>&1)" "publication dates kept in $STATE" "  and says where dates are kept when it can"

# Under --user, the directory is made for that user, and written under Landlock and seccomp.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod -R a+rX "$CAPSULE"; chmod a+x "$WORK"
	mkdir "$WORK/root-only"
	like "$("$ALMANAC" -n --root "$CAPSULE" --certs "$WORK/certs" --user nobody --state "$WORK/root-only" 2>&1)" \
	    "state directory $WORK/root-only: not writable by the user nobody" "almanac -n says when the user cannot write the state directory"
	start_server --user nobody --state "$WORK/root-only" || exit 1
	like "$(cat "$LOG")" "state directory $WORK/root-only: not writable by the user nobody; the feeds date" "  and so does the start, falling back"
	stop_server
	USTATE=$WORK/var/state
	start_server --user nobody --state "$USTATE" || exit 1
	is "$(stat -c %U "$USTATE")" nobody "a state directory made at start belongs to the --user"
	cp -p "$WORK/old.gmi" "$CAPSULE/chapters/2012-07-sandboxed.gmi"
	ok_cmd "  the server, as that user and confined, writes the new page's date" within 3 grep -q "^$(today)T[0-9:]*Z chapters/2012-07-sandboxed\\.gmi\$" "$USTATE/localhost.dates"
	is "$(ls -A "$USTATE")" localhost.dates "  leaving no temporary file"
	unlike "$(cat "$LOG")" 'cannot write' "  with no write failure logged"
	if grep -q 'Landlock (ABI' "$LOG"; then
		like "$(grep 'Landlock (ABI' "$LOG")" "writable .*$USTATE" "  Landlock grants the state directory"
	else
		pass "  Landlock grants the state directory # SKIP Landlock not on in this build"
	fi
	stop_server
else
	for n in 1 2 3 4 5 6 7 8 9 10 11 12; do pass "--user checks need root # SKIP"; done
fi
done_testing
