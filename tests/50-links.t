#!/usr/bin/env bash
# Link checker: every page of the bundled capsule answers 20 and every link on it resolves.
. tests/lib.sh

make_capsule
start_server || exit 1

# resolve CURRENT-PATH TARGET: prints the absolute path on this capsule, or nothing
resolve() {
	local cur=$1 t=$2
	case $t in
	gemini://localhost:$PORT/*) t=/${t#gemini://localhost:$PORT/} ;;
	*://*|mailto:*) return ;;
	/*) ;;
	*) t=${cur%/*}/$t ;;
	esac
	t=${t%%#*}
	# normalise ./ and ../ segments
	local out=() seg
	IFS=/ read -ra parts <<<"${t#/}"
	for seg in "${parts[@]}"; do
		case $seg in
		.|'') ;;
		..) [ ${#out[@]} -gt 0 ] && unset 'out[${#out[@]}-1]' ;;
		*) out+=("$seg") ;;
		esac
	done
	local p
	p=/$(IFS=/; echo "${out[*]}")
	case $t in */) [ "$p" != / ] && p=$p/ ;; esac
	echo "$p"
}

declare -A seen
queue=(/)
seen[/]=1
pages=0 links=0 broken=0
while [ ${#queue[@]} -gt 0 ]; do
	cur=${queue[0]}; queue=("${queue[@]:1}")
	resp=$(gem "$BASE$cur")
	hdr=$(printf '%s' "$resp" | head -n 1 | tr -d '\r')
	pages=$((pages + 1))
	case $hdr in
	20\ text/gemini*) ;;
	20\ *) continue ;;
	10\ *) [ "$cur" = /search ] && continue ;;&	# the search prompt asks for input
	*) broken=$((broken + 1)); echo "# broken: $cur -> $hdr"; continue ;;
	esac
	while read -r target; do
		links=$((links + 1))
		p=$(resolve "$cur" "$target")
		[ -n "$p" ] || continue
		if [ -z "${seen[$p]:-}" ]; then seen[$p]=1; queue+=("$p"); fi
	done < <(printf '%s\n' "$resp" | sed -n 's/^=>[ \t]*\([^ \t]*\).*/\1/p' | tr -d '\r')
done
is "$broken" 0 "every link resolves to a 20, or the search prompt's 10 ($pages pages, $links links followed)"
ok_cmd "the crawl reached every chapter" test "$pages" -ge $(( $(ls "$CAPSULE/chapters" | wc -l) + 10 ))
for f in "$CAPSULE"/chapters/*.gmi "$CAPSULE"/*.gmi; do
	rel=${f#$CAPSULE}
	[ -n "${seen[$rel]:-}" ] || { [ "$rel" = /intro.gmi ] && continue; fail "page $rel is linked from somewhere"; continue; }
	pass "page $rel is linked from somewhere"
done
stop_server
done_testing
