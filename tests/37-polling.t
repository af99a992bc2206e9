#!/usr/bin/env bash
# A capsule watched by polling (as on NFS, CIFS, FUSE): what another process adds, changes, renames or removes is listed within the interval; `watch inotify` keeps inotify.
. tests/lib.sh

# On tmpfs where there is one (the test forces polling: tmpfs itself is local).
SHM=$(mktemp -d /dev/shm/almanac-poll.XXXXXX 2>/dev/null) || SHM=$(mktemp -d "$WORK/poll.XXXXXX")
trap 'cleanup; rm -rf "$SHM"' EXIT
CAPSULE=$SHM/capsule
cp -a "$TOP/capsule" "$CAPSULE"
ch=$CAPSULE/chapters
conf() {	# conf FILE GLOBAL-LINE SERVER-LINE
	cat >"$1" <<CONF
listen "127.0.0.1:0"
$2
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	$3
}
CONF
}
inotify_fds() { ls -l "/proc/$(served_pid)/fd" 2>/dev/null | grep -c 'anon_inode:inotify'; }
# listed WITHIN REGEX: the index matches within WITHIN seconds
listed() { within "$1" has "$BASE/" "$2"; }
unlisted() { within "$1" lacks "$BASE/" "$2"; }
# by_another CMD: the change is made by a process of its own, as another machine would
by_another() { sh -c "$1"; }

conf "$WORK/poll.conf" 'watch poll 1' ''
out=$("$ALMANAC" -n -f "$WORK/poll.conf" 2>&1)
like "$out" 'capsule on [a-z0-9]+: watched by polling every 1 s \(watch poll\)' "almanac -n says the capsule is polled, and how often"
conf "$WORK/mixed.conf" 'watch poll 1' 'watch inotify'
like "$("$ALMANAC" -n -f "$WORK/mixed.conf" 2>&1)" 'capsule on [a-z0-9]+: watched by inotify$' "  a server block's 'watch inotify' wins over the global 'watch poll'"
like "$("$ALMANAC" -n -f "$WORK/mixed.conf" --watch poll:3 2>&1)" 'watched by polling every 3 s' "  and --watch poll:3 over both"
conf "$WORK/bad.conf" 'watch poll 0' ''
like "$("$ALMANAC" -n -f "$WORK/bad.conf" 2>&1)" "bad.conf:2: expected a number from 1 to 3600 for 'watch'" "an interval of 0 is refused with the line"
conf "$WORK/bad.conf" 'watch sometimes' ''
like "$("$ALMANAC" -n -f "$WORK/bad.conf" 2>&1)" "bad.conf:2: 'watch' is inotify, poll, poll SECONDS or auto, not 'sometimes'" "  and so is an unknown way"

start_config "$WORK/poll.conf"
[ -n "$PORT" ] || { fail "the polling server starts" "$(cat "$LOG")"; done_testing; }
like "$(cat "$LOG")" "capsule $CAPSULE on [a-z0-9]+: watched by polling every 1 s \(watch poll\)" "the start-up log says the capsule is polled every 1 s"
is "$(inotify_fds)" 0 "  and the server holds no inotify descriptor"
like "$(body "$BASE/")" '2016-09 - Relocation to Albania' "the capsule is listed at start"

# Each change is made by another process, then must show within the interval (1 s, and slack for a loaded machine).
by_another "printf '# Added by another process\n' >'$ch/2021-06-added.gmi'"
ok_cmd "a new page is listed within the interval" listed 3 '2021-06 - Added by another process'
like "$(header "$BASE/chapters/2021-06-added.gmi")" '^20 ' "  and served"

by_another "printf '# Changed in place\n' >'$ch/2021-06-added.gmi'"
ok_cmd "a page rewritten in place is listed by its new title" listed 3 '2021-06 - Changed in place'

# cp -p: a different size, the old modification time
printf '# Copied with its old time, longer\n' >"$WORK/staged.gmi"
touch -r "$ch/2016-09-relocation-to-albania.gmi" "$WORK/staged.gmi"
by_another "cp -p '$WORK/staged.gmi' '$ch/2016-09-relocation-to-albania.gmi'"
ok_cmd "cp -p of another size, keeping the modification time: the new title is listed" listed 3 '2016-09 - Copied with its old time, longer'

# the same size and the same modification time: only the change time tells
old=$(stat -c %s "$ch/2011-04-attack.gmi")
{ printf '# Same size\n'; head -c $((old - 13)) /dev/zero | tr '\0' 'x'; printf '\n'; } >"$WORK/same.gmi"
is "$(stat -c %s "$WORK/same.gmi")" "$old" "  (a file of exactly the old size)"
touch -r "$ch/2011-04-attack.gmi" "$WORK/same.gmi"
by_another "cat '$WORK/same.gmi' >'$ch/2011-04-attack.gmi' && touch -r '$WORK/same.gmi' '$ch/2011-04-attack.gmi'"
ok_cmd "same size, same modification time, new content: listed by its new title" listed 3 '2011-04 - Same size'

by_another "mv '$ch/2021-06-added.gmi' '$ch/2022-renamed.gmi'"
ok_cmd "a rename: listed under its new name" listed 3 '2022 - Changed in place'
ok_cmd "  and off the index under the old one" unlisted 3 'chapters/2021-06-added.gmi'
like "$(header "$BASE/chapters/2021-06-added.gmi")" '^51 ' "  whose old path answers 51"

by_another "mkdir '$CAPSULE/later' && printf '# In a new directory\n' >'$CAPSULE/later/2023-new-dir.gmi'"
ok_cmd "a page in a new directory is listed" listed 3 '2023 - In a new directory'
by_another "mv '$CAPSULE/later' '$CAPSULE/moved'"
ok_cmd "  a renamed directory: its page is listed at its new path" listed 3 'moved/2023-new-dir.gmi'
by_another "rm -r '$CAPSULE/moved'"
ok_cmd "  a removed directory: its page is off the index" unlisted 3 '2023 - In a new directory'

by_another "rm '$ch/2022-renamed.gmi'"
ok_cmd "a removed page is off the index" unlisted 3 '2022 - Changed in place'
like "$(header "$BASE/chapters/2022-renamed.gmi")" '^51 ' "  and answers 51"

# Many files at once: one poll takes them all in
by_another "for i in \$(seq 1 50); do printf '# Batch %s\n' \$i >'$ch/2024-batch-'\$i'.gmi'; done"
ok_cmd "50 pages copied at once are all listed within the interval" listed 3 '2024 - Batch 50$'
is "$(body "$BASE/" | grep -c '2024 - Batch')" 50 "  every one of them"
stop_server

# watch inotify keeps inotify
conf "$WORK/inotify.conf" 'watch inotify' ''
start_config "$WORK/inotify.conf"
like "$(cat "$LOG")" "capsule $CAPSULE on [a-z0-9]+: watched by inotify" "watch inotify: the log says inotify"
is "$(inotify_fds)" 1 "  and the server holds an inotify descriptor"
by_another "printf '# Seen by inotify\n' >'$ch/2025-inotify.gmi'"
ok_cmd "  which sees a new page" listed 3 '2025 - Seen by inotify'
stop_server
done_testing
