#!/bin/sh
# fuzz-summary.sh: prints one harness's final libFuzzer stats (execs, exec/s, cov, ft, corpus) and its crash, from build/fuzz/<h>.log.
h=$1
dir=${2:-build/fuzz}
log=$dir/$h.log
st=$(cat "$dir/$h.status" 2>/dev/null || echo '?')

stat() {
	sed -n "s/^stat::$1: *//p" "$log" | tail -n 1
}

last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
field() {
	echo "$last" | sed -n "s/.* $1 \([^ ]*\).*/\1/p"
}

echo "fuzz_$h: $(stat number_of_executed_units) execs," \
    "$(stat average_exec_per_sec) exec/s, cov: $(field cov:)" \
    "ft: $(field ft:), corpus $(field corp:)" \
    "($(ls "$dir/work/$h" | wc -l) files), $(stat new_units_added) new," \
    "peak rss $(stat peak_rss_mb) MB"
echo "fuzz_$h:   last: $last"
if [ "$st" != 0 ]; then
	echo "fuzz_$h: CRASH (libFuzzer exit $st); full report in $log"
	# The harness's own diagnostics come just before "invariant broken".
	grep -a -B2 -E 'invariant broken|ERROR: |runtime error' "$log" |
	    grep -a -v -E '^--$|^INFO|^#[0-9]' | sed "s/^/fuzz_$h:   /"
	grep -a -E 'SUMMARY: |Test unit written to' "$log" | sed "s/^/fuzz_$h:   /"
fi
exit 0
