#!/usr/bin/env bash
# Confinement: symlinks beneath the root only (cached or not, relative or absolute), log lines that cannot be forged, a sandbox that grants exactly what it says.
. tests/lib.sh

make_capsule
mkdir -p "$CAPSULE/docs"
printf 'a note\n' >"$CAPSULE/docs/note.txt"
printf 'a neighbour\n' >"$CAPSULE/docs/other.txt"
start_server || exit 1

# The small-file cache resolves a path the way the uncached open does.
sleep 2.5	# settled: now the cache may keep it
for i in 1 2 3; do body "$BASE/docs/note.txt" >/dev/null; done
like "$(body "$BASE/docs/note.txt")" '^a note' "a small settled file is served (and cached)"
mv "$CAPSULE/docs" "$WORK/outside-docs"
ln -s "$WORK/outside-docs" "$CAPSULE/docs"
like "$(header "$BASE/docs/note.txt")" '^51 ' "a cached file whose directory became a symlink out of the root: 51"
like "$(header "$BASE/docs/other.txt")" '^51 ' "  as for an uncached neighbour"
rm "$CAPSULE/docs"; mv "$WORK/outside-docs" "$CAPSULE/docs"

# Absolute symlinks are followed when they lead beneath the root, refused when they lead out.
ln -s "$CAPSULE/chapters/1986-building-the-camp.gmi" "$CAPSULE/abs-page.gmi"
ln -s "$CAPSULE/chapters" "$CAPSULE/abs-dir"
ln -s "$CAPSULE/docs/../chapters/../robots.txt" "$CAPSULE/abs-dots.txt"
mkdir -p "$WORK/capsule-evil"; printf 'evil\n' >"$WORK/capsule-evil/x.txt"
ln -s "$WORK/capsule-evil/x.txt" "$CAPSULE/abs-prefix.txt"
ln -s /etc/passwd "$CAPSULE/abs-out.txt"
ln -s "$CAPSULE/chapters/../../capsule-evil/x.txt" "$CAPSULE/abs-climb.txt"
like "$(header "$BASE/abs-page.gmi")" '^20 ' "an absolute symlink to a page beneath the root is followed"
like "$(body "$BASE/abs-page.gmi")" 'Building the camp|building' "  and serves the page"
like "$(header "$BASE/abs-dir/1986-building-the-camp.gmi")" '^20 ' "an absolute symlink to a directory beneath the root is followed"
like "$(header "$BASE/abs-dots.txt")" '^20 ' "  also through .. that stays beneath"
like "$(header "$BASE/abs-out.txt")" '^51 ' "an absolute symlink out of the root (/etc/passwd): 51"
like "$(header "$BASE/abs-prefix.txt")" '^51 ' "an absolute symlink to a sibling whose name starts like the root: 51"
like "$(header "$BASE/abs-climb.txt")" '^51 ' "an absolute symlink that climbs out with ..: 51"

# A name with a newline cannot forge a log line.
printf 'x\n' >"$CAPSULE/chapters/$(printf '2004-new\n2030-01-01T00:00:00Z warn forged line.gmi')"
sleep 0.5
unlike "$(cat "$LOG")" '^2030-01-01T00:00:00Z warn forged' "a file name with a newline does not start a log line of its own"
like "$(cat "$LOG")" '2004-new\\x0a2030' "  it is written escaped"
stop_server

# The sandbox grants exactly the capsule, the certificates, the configuration's directory, the log's.
home=$WORK/home/alice
mkdir -p "$home" "$WORK/etc" "$WORK/logs"
mv "$CAPSULE" "$home/capsule"
CAPSULE=$home/capsule
printf 'secret\n' >"$home/secret.txt"
ln -s ../secret.txt "$CAPSULE/secret-link.txt"
cat >"$WORK/etc/almanac.conf" <<CONF
listen "localhost:0"
rate-per-address 0
log "$WORK/logs/almanac.log"
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
}
CONF
LOG=$WORK/logs/almanac.log
"$ALMANAC" -f "$WORK/etc/almanac.conf" 2>"$WORK/stderr" &
SERVER_PID=$!
for i in $(seq 1 100); do grep -q 'workers\? started' "$LOG" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$LOG" | head -n 1)
BASE=gemini://localhost:$PORT
like "$(header "$BASE/")" '^20 ' "served from a capsule inside a home directory"
like "$(header "$BASE/secret-link.txt")" '^51 ' "a link to the home directory beside the capsule: 51"
if grep -q 'Landlock (ABI' "$LOG"; then
	line=$(grep 'Landlock (ABI' "$LOG")
	like "$line" "read-only .*$CAPSULE" "the Landlock line names the capsule"
	like "$line" "$WORK/etc" "  the configuration's directory"
	like "$line" "writable $WORK/logs" "  and the log's directory, writable"
	unlike "$line" "$home[,;]|$home\$" "  and not the directory holding the capsule"
else
	for n in 1 2 3 4; do pass "Landlock is not on in this build # SKIP"; done
fi
sed -i 's/^rate-per-address 0/rate-per-address 1/' "$WORK/etc/almanac.conf"	# an edit by rename
kill -HUP "$SERVER_PID"
ok_cmd "SIGHUP rereads a configuration file edited by rename (sed -i), under the sandbox" within 3 grep -q 'configuration reloaded' "$LOG"
unlike "$(cat "$LOG")" 'Permission denied' "  with no permission error"
stop_server
done_testing
