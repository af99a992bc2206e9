#!/usr/bin/env bash
# Publishing the usual ways: whatever way a file arrives, it is served whole and listed once no writer has it; a replaced capsule is served again.
. tests/lib.sh

make_capsule
ch=$CAPSULE/chapters
start_server || exit 1

# A page is served 20 only whole: the kernel is asked, per request, whether a writer still has it.
# Before this was checked at request time (the watcher's state was trusted), every run of these
# 6 s gave 20 to truncated bodies (from 1 to several hundred a run, depending on the load).
out=$(python3 tests/publish.py race "$PORT" "$ch" 40 6)
like "$out" 'reads [0-9]+ ok20 [1-9][0-9]* bad20 0 busy40 [0-9]+' "pages rewritten in place are never served half-written with 20 ($out)"

# Ways of publishing that once left a page answering 40 for ever and off the index
python3 tests/publish.py tmpfile "$ch" 2017-tmpfile.gmi '# Published through O_TMPFILE'
ok_cmd "O_TMPFILE then linkat: the page answers 20" within 3 sh -c "'$GEMGET' -t 3 -c 127.0.0.1:$PORT -H '$BASE/chapters/2017-tmpfile.gmi' | grep -q '^20 '"
ok_cmd "  and is on the index" within 3 has "$BASE/" '2017 - Published through O_TMPFILE'
python3 tests/publish.py truncate "$ch/1986-building-the-camp.gmi" 26
ok_cmd "truncate(2) without open: the page answers 20" within 3 sh -c "'$GEMGET' -t 3 -c 127.0.0.1:$PORT -H '$BASE/chapters/1986-building-the-camp.gmi' | grep -q '^20 '"
sleep 1
like "$(header "$BASE/chapters/1986-building-the-camp.gmi")" '^20 ' "  and still does a second later"
linked=0
for i in $(seq 1 10); do
	printf '# Linked %s\n' "$i" >"$WORK/staged.gmi"
	ln "$WORK/staged.gmi" "$ch/2018-linked-$i.gmi" && rm "$WORK/staged.gmi"
done
for i in $(seq 1 10); do
	within 3 has "$BASE/" "2018 - Linked $i\$" && [ "$(header "$BASE/chapters/2018-linked-$i.gmi" | cut -c1-2)" = 20 ] && linked=$((linked + 1))
done
is "$linked" 10 "ln staged page && rm staged, 10 times: every page listed and answering 20"
printf '# Held open\n' >"$ch/2019-held.gmi"
exec 7>>"$ch/2019-held.gmi"
like "$(header "$BASE/chapters/2019-held.gmi")" '^40 ' "a page some process still has open for writing answers 40"
exec 7>&-
ok_cmd "  and 20 once it is closed" within 2 sh -c "'$GEMGET' -t 3 -c 127.0.0.1:$PORT -H '$BASE/chapters/2019-held.gmi' | grep -q '^20 '"
ok_cmd "  and it is listed" within 2 has "$BASE/" '2019 - Held open'

# The capsule removed and restored (rm -rf && cp -r), replaced by a new directory, or by a symlink
cp -a "$CAPSULE" "$WORK/build"
rm -rf "$CAPSULE"
ok_cmd "with the capsule removed, requests get 41" within 2 sh -c "'$GEMGET' -t 3 -c 127.0.0.1:$PORT -H '$BASE/chapters/2017-tmpfile.gmi' | grep -q '^41 '"
like "$(header "$BASE/")" '^41 ' "  and so does the index"
cp -a "$WORK/build" "$CAPSULE"
ok_cmd "rm -rf then cp -r: the restored capsule is served within a second or two" within 2 has "$BASE/" '2017 - Published through O_TMPFILE'
like "$(header "$BASE/chapters/2019-held.gmi")" '^20 ' "  with its files"
like "$(grep 'capsule root' "$LOG")" 'capsule root .* is gone; answering 41' "  and the log says it went"
like "$(grep 'capsule root' "$LOG")" 'capsule root .* is back' "  and that it came back"
cp -a "$WORK/build" "$WORK/next"; printf '# Next build\n' >"$WORK/next/chapters/2020-next.gmi"
rm -rf "$CAPSULE"; mv "$WORK/next" "$CAPSULE"
ok_cmd "replaced by another directory: the new one is served" within 2 has "$BASE/" '2020 - Next build'
cp -a "$WORK/build" "$WORK/linked"; printf '# Through a symlink\n' >"$WORK/linked/chapters/2021-link.gmi"
rm -rf "$CAPSULE"; ln -s "$WORK/linked" "$CAPSULE"
ok_cmd "replaced by a symlink: its target is served" within 2 has "$BASE/" '2021 - Through a symlink'
ok_cmd "  and watched: a new page appears" sh -c "printf '# After\n' >'$WORK/linked/chapters/2022-after.gmi'"
ok_cmd "  on the index" within 2 has "$BASE/" '2022 - After'
stop_server

# Out of descriptors, a change is kept and published once descriptors are free again
rm -rf "$CAPSULE"; cp -a "$TOP/capsule" "$CAPSULE"
ALMANAC_WRAPPER="prlimit --nofile=64:64 --" start_server --max-per-address 0 --request-timeout 6 || exit 1
HELD=
for i in $(seq 1 70); do
	"$GEMGET" -t 8 -c 127.0.0.1:$PORT --no-send "$BASE/" >/dev/null 2>&1 &
	HELD="$HELD $!"
done
sleep 1.5
printf '# Edited while short of descriptors\n' >"$ch/1986-building-the-camp.gmi"
printf '# New while short of descriptors\n' >"$ch/2023-short.gmi"
sleep 1
kill $HELD 2>/dev/null; wait $HELD 2>/dev/null
ok_cmd "the edit made while out of descriptors reaches the index, with no further change" within 5 has "$BASE/" '1986 - Edited while short of descriptors'
ok_cmd "  and so does the new page" within 2 has "$BASE/" '2023 - New while short of descriptors'
is "$(body "$BASE/" | grep -c '^=> /chapters/')" "$(ls "$ch" | grep -c '^[0-9].*\.gmi$')" "  and no page that exists is missing from the index"
stop_server
done_testing
