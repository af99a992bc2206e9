#!/usr/bin/env bash
# soak.sh: mixed load and file churn against almanac for a number of minutes,
# sampling the server's RSS and open descriptors; fails when either keeps growing.
# Usage: tools/soak.sh [MINUTES]   (make soak SOAK_MINUTES=10)
set -u
minutes=${1:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/almanac-soak.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${server:-}" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cp -a "$top/capsule" "$work/capsule"
head -c 2000000 /dev/urandom >"$work/capsule/blob.bin"
"$top/almanac" --root "$work/capsule" --certs "$work/certs" --listen 127.0.0.1:0 \
    --max-per-address 0 2>"$work/log" &
server=$!
for _ in $(seq 1 100); do grep -q 'workers\? started' "$work/log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log" | head -n 1)
[ -n "$port" ] || { echo "soak: server did not start"; cat "$work/log"; exit 1; }
base=gemini://localhost:$port
end=$(( $(date +%s) + minutes * 60 ))

# Load: four clients cycling over pages, generated pages, a large file, errors and junk.
load() {
	local urls=("$base/" "$base/atom.xml" "$base/feed.gmi" "$base/2013/" "$base/timeline.gmi"
	    "$base/chapters/1986-building-the-camp.gmi" "$base/blob.bin" "$base/nope" "$base/../x")
	local i=0
	while [ "$(date +%s)" -lt "$end" ]; do
		"$top/gemget" -t 10 -c 127.0.0.1:$port "${urls[i % ${#urls[@]}]}" >/dev/null 2>&1
		[ $((i % 25)) -eq 0 ] && "$top/gemget" -t 3 -c 127.0.0.1:$port -r 'junk\x00\xff' "$base/" >/dev/null 2>&1
		i=$((i + 1))
	done
}
# Churn: pages published (plainly, through O_TMPFILE and linkat), overwritten in place,
# renamed and removed all the time, and now and then the whole capsule removed and restored.
churn() {
	local i=0 ch=$work/capsule/chapters
	while [ "$(date +%s)" -lt "$end" ]; do
		printf '# Churn %d\n\nText.\n' "$i" >"$ch/2015-0$((i % 9 + 1))-churn-$i.gmi"
		[ $i -ge 5 ] && mv "$ch/2015-0$(((i - 5) % 9 + 1))-churn-$((i - 5)).gmi" "$ch/2016-churned-$i.gmi" 2>/dev/null
		[ $i -ge 10 ] && rm -f "$ch/2016-churned-$((i - 5)).gmi"
		python3 "$top/tests/publish.py" tmpfile "$ch" "2017-tmpfile-$((i % 20)).gmi" "# Tmpfile $i" 2>/dev/null
		printf '# Overwritten %d\n\nText.\n' "$i" >"$ch/1986-building-the-camp.gmi"
		if [ $((i % 200)) -eq 199 ]; then
			rm -rf "$work/build"; cp -a "$work/capsule" "$work/build"
			rm -rf "$work/capsule" && cp -a "$work/build" "$work/capsule"
		fi
		i=$((i + 1))
		sleep 0.05
	done
}
for _ in 1 2 3 4; do load & pids+=($!); done
churn & pids+=($!)

echo "soak: $minutes minute(s) against port $port; sampling every 10 s"
printf '%8s %10s %6s\n' seconds rss_kib fds
samples=()
t0=$(date +%s)
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 10
	kill -0 "$server" 2>/dev/null || { echo "soak: the server died"; tail "$work/log"; exit 1; }
	served=$(pgrep -P "$server" -n)
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$served/status)
	fds=$(ls /proc/$served/fd | wc -l)
	samples+=("$rss $fds")
	printf '%8d %10d %6d\n' $(( $(date +%s) - t0 )) "$rss" "$fds"
done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
sleep 2
requests=$(grep -c '"gemini://' "$work/log")
n=${#samples[@]}
[ "$n" -ge 3 ] || { echo "soak: too short to judge"; exit 1; }
# Compare the last third with the first third: growth beyond noise is a leak.
third=$(( n / 3 ))
early_rss=0; late_rss=0; early_fd=0; late_fd=0
for ((i = 0; i < third; i++)); do
	read -r r f <<<"${samples[i]}"; [ "$r" -gt "$early_rss" ] && early_rss=$r; [ "$f" -gt "$early_fd" ] && early_fd=$f
done
for ((i = n - third; i < n; i++)); do
	read -r r f <<<"${samples[i]}"; [ "$r" -gt "$late_rss" ] && late_rss=$r; [ "$f" -gt "$late_fd" ] && late_fd=$f
done
echo "soak: $requests requests; peak RSS first third $early_rss KiB, last third $late_rss KiB; descriptors $early_fd -> $late_fd"
fail=0
[ "$late_rss" -gt $(( early_rss + early_rss / 4 + 4096 )) ] && { echo "soak: FAIL: RSS keeps growing"; fail=1; }
[ "$late_fd" -gt $(( early_fd + 32 )) ] && { echo "soak: FAIL: descriptors keep growing"; fail=1; }
grep -Eq 'AddressSanitizer|runtime error' "$work/log" && { echo "soak: FAIL: sanitizer report"; fail=1; }
[ $fail -eq 0 ] && echo "soak: PASS"
exit $fail
