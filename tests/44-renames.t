#!/usr/bin/env bash
# Folders renamed over and over while clients read: the index always lists every chapter under one folder name, and soon under the new one, with footers.
. tests/lib.sh

# RENAMES sets how many; RENAME_TIMES=1 prints how long each took to show.
RENAMES=${RENAMES:-40}
make_capsule
nch=$(ls "$CAPSULE/chapters" | grep -c '^[0-9].*\.gmi$')
start_server || exit 1

# Readers: fetch the index without pause, noting for each answer how many
# chapters it lists and under which folder names.
seen=$WORK/seen
: >"$seen"
reader() {
	local end=$(( $(date +%s) + 60 )) out
	while [ ! -e "$WORK/stop" ] && [ "$(date +%s)" -lt "$end" ]; do
		out=$("$GEMGET" -t 5 -c "127.0.0.1:$PORT" -B "$BASE/" 2>/dev/null) || continue
		printf '%s %s\n' "$(printf '%s\n' "$out" | grep -c '^=> /[^ ]*/[0-9][^ ]*\.gmi ')" \
		    "$(printf '%s\n' "$out" | sed -n 's/^=> \/\([^/ ]*\)\/[0-9][^ ]*\.gmi .*/\1/p' | sort -u | tr '\n' ,)" >>"$seen"
	done
}
# Noise: a file written to without pause (a log, a download) sends events
# all the while, so that the watcher is always reading them: a rename must
# still reach the index, and its two halves be read together.
noise() {
	local end=$(( $(date +%s) + 60 )) i=0
	while [ ! -e "$WORK/stop" ] && [ "$i" -lt 2000000 ]; do
		i=$((i + 1)); echo "$i"
		[ $((i % 1000)) = 0 ] && [ "$(date +%s)" -ge "$end" ] && break
	done >"$CAPSULE/noise.txt"
}
reader & r1=$!
reader & r2=$!
noise & n1=$!

# current NAME: the index lists the chapters under NAME/ and a moved page has its footer
current() {
	has "$BASE/" "^=> /$1/2011-04-attack\\.gmi " &&
	    has "$BASE/$1/2011-04-attack.gmi" "^=> /$1/2012-02-relocation-to-camp-liberty\\.gmi Next: "
}
cur=chapters late= slowest=0
for i in $(seq 1 "$RENAMES"); do
	next=chap$i
	[ $((i % 4)) = 0 ] && next=deeper$i && mkdir -p "$CAPSULE/$next" && next=$next/in
	mv "$CAPSULE/$cur" "$CAPSULE/$next"
	t0=$(date +%s%N)
	if within 2 current "$next"; then
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ "$ms" -gt "$slowest" ] && slowest=$ms
		[ "$ms" -gt 500 ] && late="$late $next:${ms}ms"
		[ -n "${RENAME_TIMES:-}" ] && echo "# $next ${ms} ms"
	else
		late="$late $next:never"
	fi
	[ "${cur%/in}" != "$cur" ] && { mv "$CAPSULE/$next" "$CAPSULE/chap$i.x"; rmdir "$CAPSULE/${cur%/in}"; next=chap$i.x; within 2 current "$next" || late="$late $next:never"; }
	cur=$next
done
touch "$WORK/stop"
wait $r1 $r2 $n1

is "$late" "" "after each of $RENAMES folder renames the index and the moved pages' footers follow within 0.5 s (slowest ${slowest} ms)"
answers=$(wc -l <"$seen")
partial=$(awk -v n="$nch" '$1 != n' "$seen" | sort | uniq -c | tr '\n' ';')
is "$partial" "" "every one of the $answers indexes served meanwhile lists all $nch chapters"
mixed=$(awk '$2 ~ /,.+,/' "$seen" | sort | uniq -c | tr '\n' ';')
is "$mixed" "" "  each under one folder name"
like "$(header "$BASE/chapters/2011-04-attack.gmi")" '^51 ' "the first name answers 51"
ok_cmd "the last one is the index's" current "$cur"
unlike "$(cat "$LOG")" 'cannot be rebuilt|overflowed' "no rebuild failed and no event was lost"
stop_server
done_testing
