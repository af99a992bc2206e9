#!/bin/bash
# bench.sh: almanac beside molly-brown and the floor (tools/floor.c): server CPU per request, throughput, latency, memory.
#
# Run by `make bench`; about 8 to 10 minutes on 2 cores with the defaults.
# Settings (environment):
#   BENCH_ROUNDS   rounds; every case runs once per server per round (3)
#   BENCH_SECONDS  seconds measured per run (2)
#   BENCH_WARMUP   seconds of load before each measurement (0.5)
#   BENCH_CONNS    concurrent requests for the page cases (8)
#   BENCH_NETNS    1: run inside a private network namespace when root (1)
#   BENCH_CASES    cases run one server at a time ("none": skipped)
#   BENCH_PAIRED_CASES  cases run as pairs of servers ("none": skipped); also
#                  proxy-v2 (almanac with a PROXY listener and gembench writing a
#                  v2 header per connection, beside almanac without) and
#                  resumed-shared (resumption across two instances sharing ticket
#                  keys, beside resumption within one) and proxy-1m (a 1 MiB
#                  file through almanac's reverse proxy, beside it served
#                  directly, in MB/s)
# The search case (almanac only) asks /search on a generated capsule of
# 10,000 pages (build/bench/search-capsule), going round a few queries:
#   make bench BENCH_CASES=search BENCH_PAIRED_CASES=none BENCH_ROUNDS=1
# fastcgi-small (paired): a small page from a FastCGI application (the
# test responder, tests/fcgi/responder.py) beside the same bytes served
# as a file, CPU of almanac per request.
#   BENCH_UPLOAD_CASES  Titan upload cases, almanac only ("none": skipped)
# Results: stdout and build/bench/results.md (medians over the rounds).
set -eu

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-2}
WARMUP=${BENCH_WARMUP:-0.5}
CONNS=${BENCH_CONNS:-8}
NETNS=${BENCH_NETNS:-1}
IDLE_SIZES="1000 10000"
SERVERS="almanac-w1 almanac molly-brown floor"
ALL_CASES="small small-nagle resumed index atom file-1m file-100m idle-1k idle-10k search"
SEARCH_PAGES=10000
CASES=${BENCH_CASES:-$ALL_CASES}
# Paired runs: two servers at once, one gembench alternating between them.
PAIRS="almanac:floor almanac-w1:floor almanac:molly-brown"
PAIRED_CASES=${BENCH_PAIRED_CASES:-small index atom file-1m proxy-v2 resumed-shared proxy-1m fastcgi-small}
# Paired cases of their own servers, not run with PAIRS.
PAIRED_ONLY="proxy-v2 resumed-shared proxy-1m fastcgi-small"
# Titan: a 10 MiB file uploaded, then downloaded, one request at a time.
UPLOAD_CASES=${BENCH_UPLOAD_CASES:-upload-10m}

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/bench

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

check_settings() {
	case $ROUNDS in '' | *[!0-9]* | 0) die "BENCH_ROUNDS: a count, not '$ROUNDS'" ;; esac
	case $CONNS in '' | *[!0-9]* | 0) die "BENCH_CONNS: a count, not '$CONNS'" ;; esac
	for v in "$SECS" "$WARMUP"; do
		case $v in '' | *[!0-9.]* | .*) die "BENCH_SECONDS/BENCH_WARMUP: seconds, not '$v'" ;; esac
	done
	[ "$ROUNDS" -le 100 ] || die "BENCH_ROUNDS: at most 100"
	[ "$CASES" != none ] || CASES=
	[ "$PAIRED_CASES" != none ] || PAIRED_CASES=
	for v in $CASES; do
		case " $ALL_CASES " in *" $v "*) ;; *) die "no case '$v'" \
		    "(cases: $ALL_CASES)" ;; esac
	done
	for v in $PAIRED_CASES; do
		case " $ALL_CASES $PAIRED_ONLY " in *" $v "*) ;; *) die "no" \
		    "paired case '$v' (cases: $ALL_CASES $PAIRED_ONLY)" ;; esac
	done
}

# molly-brown is Debian's; installed when we may, skipped otherwise.
find_molly() {
	if command -v molly-brown >/dev/null 2>&1; then
		command -v molly-brown
		return
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		say "molly-brown is not installed and we are not root: skipped" \
		    "(sudo apt-get install molly-brown to include it)"
		return
	fi
	say "installing molly-brown"
	# On a fresh machine the package lists may still be empty.
	if apt_install molly-brown || { apt-get update -qq >/dev/null &&
	    apt_install molly-brown; }; then
		command -v molly-brown
	else
		say "apt-get install molly-brown failed: skipped"
	fi
}

# The lock timeout: another apt-get may be running on the machine.
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    -o DPkg::Lock::Timeout=300 --no-install-recommends "$@" >/dev/null
}

build() {
	${MAKE:-make} -s -f Makefile -f tools/bench.mk almanac gemget bench-tools
}

# A private network namespace has only its own loopback: molly-brown,
# which listens on every address, is then reachable from nowhere else.
want_netns() {
	[ "$NETNS" = 1 ] && [ -z "${BENCH_IN_NETNS:-}" ] &&
	    [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	    command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null
}

prepare() {
	check_settings
	# Inside the namespace, everything below was done before the exec.
	[ -z "${BENCH_IN_NETNS:-}" ] || return 0
	build
	BENCH_MOLLY=$(find_molly)
	export BENCH_MOLLY
	if want_netns; then
		export BENCH_IN_NETNS=1
		exec unshare -n "$0" "$@"
	fi
	say "no private network namespace: molly-brown listens on every" \
	    "address while it runs (loopback traffic only all the same)"
}

enter_netns() {
	[ -n "${BENCH_IN_NETNS:-}" ] || return 0
	ip link set lo up || die "cannot bring up the loopback in the namespace"
}

# Servers started, killed at exit whatever happens.
PIDS=""
TMP=""

# stop_pid PID [TENTHS]: SIGTERM, then SIGKILL after TENTHS of a second
# (5 s by default). Between runs 0.3 s: almanac takes over a second to
# exit even when idle, and no server may still be busy when the next one
# is measured.
stop_pid() {
	local pid=$1 _
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq "${2:-50}"); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ' || true)
}

# The servers' and gembench's logs outlive the temporary directory, cut short.
cleanup() {
	local pid log
	for pid in $PIDS; do
		stop_pid "$pid"
	done
	[ -n "$TMP" ] || return 0
	mkdir -p "$OUT/logs"
	for log in "$TMP"/*.log; do
		[ ! -f "$log" ] || tail -n 1000 "$log" >"$OUT/logs/${log##*/}"
	done
	rm -rf "$TMP"
}

# Every idle connection costs a descriptor here and in the server.
raise_nofile() {
	local want=$((10000 + 2048)) have
	ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	have=$(ulimit -n)
	[ "$have" = unlimited ] && return
	if [ "$have" -lt "$want" ]; then
		say "ulimit -n is $have: the idle cases are limited to it"
		IDLE_SIZES=$(for n in $IDLE_SIZES; do
			[ $((n + 2048)) -le "$have" ] && echo "$n"; done | xargs)
	fi
}

# Copies: a rebuild during the run must not change what is measured.
copy_programs() {
	BIN=$TMP/bin
	mkdir -p "$BIN"
	cp -p almanac gemget "$OUT/gembench" "$OUT/floor" "$BIN/"
}

make_capsule() {
	CAP=$TMP/capsule
	CERTS=$TMP/certs
	cp -R capsule "$CAP"
	mkdir -p "$CAP/files" "$CERTS"
	head -c 1048576 /dev/urandom >"$CAP/files/1m.bin"
	head -c 104857600 /dev/urandom >"$CAP/files/100m.bin"
	# One ECDSA P-256 certificate for every server.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 30 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	    -keyout "$CERTS/key.pem" -out "$CERTS/cert.pem" 2>/dev/null ||
	    die "openssl req failed"
	chmod 600 "$CERTS/key.pem"
	# The FastCGI test responder's page, as a file of the same bytes.
	mkdir -p "$CAP/fcgi"
	printf '# Small page\n\nFrom the FastCGI test responder.\n' \
	    >"$CAP/fcgi/small.gmi"
	# The smallest chapter: the page whose cost is mostly the connection.
	SMALL=/chapters/$(find "$CAP/chapters" -name '*.gmi' -printf '%s %f\n' |
	    sort -n | head -n 1 | cut -d ' ' -f 2)
}

# SEARCH_PAGES dated pages of about 300 words each, drawn from 30,000
# made-up words (some with accents) so that word frequencies fall off as
# in a language (a log-uniform rank: the k-th word about 1/k as often);
# generated once, with a fixed seed, then reused.  The queries: a common,
# a middling and a rare word, two words AND-ed, the start of a word, an
# upper-case word, a part of many words (in UTF-8), and a word no page has.
make_search_capsule() {
	SEARCH_CAP=$OUT/search-capsule
	SEARCH_QUERIES=$OUT/search-queries
	if [ -f "$SEARCH_QUERIES" ] && [ "$(find "$SEARCH_CAP" -name '*.gmi' |
	    wc -l)" = "$SEARCH_PAGES" ]; then
		return
	fi
	say "generating $SEARCH_PAGES pages in $SEARCH_CAP"
	rm -rf "$SEARCH_CAP"
	mkdir -p "$SEARCH_CAP/chapters"
	LC_ALL=C awk -v dir="$SEARCH_CAP/chapters" -v pages="$SEARCH_PAGES" \
	    -v queries="$SEARCH_QUERIES" '
	function word() { return vocab[int(exp(rand() * log(nv)))] }
	# As a client sends it: bytes past ASCII percent-encoded.
	function enc(w,    i, c, out) {
		out = ""
		for (i = 1; i <= length(w); i++) {
			c = substr(w, i, 1)
			out = out (c ~ /[a-zA-Z]/ ? c : sprintf("%%%02X", ord[c]))
		}
		return out
	}
	BEGIN {
		srand(42)
		for (i = 128; i < 256; i++)
			ord[sprintf("%c", i)] = i
		ns = split("ka ro mi tu sel van dor ei ash lin qu pra nt st " \
		    "ber gon fi le té ø ü ça mo rha", syl, " ")
		nv = 30000
		for (i = 1; i <= nv; i++) {
			w = ""
			n = 2 + int(rand() * 3)
			for (j = 0; j < n; j++)
				w = w syl[1 + int(rand() * ns)]
			vocab[i] = w
		}
		for (p = 0; p < pages; p++) {
			f = sprintf("%s/%04d-%02d-%02d-page-%05d.gmi", dir,
			    2000 + p % 25, 1 + p % 12, 1 + p % 28, p)
			t = word() " " word() " " word()
			printf "# %s%s\n\n", toupper(substr(t, 1, 1)),
			    substr(t, 2) >f
			for (k = 0; k < 6; k++) {
				line = word()
				for (j = 1; j < 50; j++)
					line = line " " word()
				print line "." >f
				print "" >f
			}
			close(f)
		}
		for (k = 10; substr(vocab[k], 1, 3) !~ /^[a-z]+$/; k++)
			;
		printf "search?%s\nsearch?%s\nsearch?%s\n", enc(vocab[1]),
		    enc(vocab[100]), enc(vocab[5000]) >queries
		printf "search?%s%%20%s\nsearch?%s\nsearch?%s\n", enc(vocab[3]),
		    enc(vocab[40]), substr(vocab[k], 1, 3),
		    enc(toupper(vocab[20])) >queries
		printf "search?T%%C3%%89\nsearch?zzqqzz\n" >queries
	}' || die "cannot generate the search capsule"
}

# Below the ephemeral range: a port that the load generator's connections
# (or those still closing) hold cannot be listened on.
PORT_LOW=10000
PORT_HIGH=$(cut -f 1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
    echo 32768)
[ "$PORT_HIGH" -gt $((PORT_LOW + 1000)) ] 2>/dev/null || PORT_HIGH=32768
PORT=$((PORT_LOW + RANDOM % (PORT_HIGH - PORT_LOW)))

next_port() {
	local _
	for _ in $(seq 100); do
		PORT=$((PORT + 1))
		[ "$PORT" -lt "$PORT_HIGH" ] || PORT=$PORT_LOW
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			return
		fi
	done
	die "no free port"
}

# Options that exist in this almanac: the names are read from --help.
almanac_opts() {
	local help opt
	help=$("$BIN/almanac" --help 2>&1 || true)
	for opt in "--request-timeout 3600" "--max-lifetime 3600" \
	    "--max-connections 100000" "--max-per-address 0" \
	    "--rate-per-address 0"; do
		case $help in *"${opt% *} "*) printf '%s ' "$opt" ;; esac
	done
}

write_molly_conf() {
	cat >"$TMP/molly-$1.conf" <<EOF
Port = $1
Hostname = "localhost"
CertPath = "$CERTS/cert.pem"
KeyPath = "$CERTS/key.pem"
DocBase = "$CAP"
AccessLog = "$TMP/molly-access.log"
ErrorLog = "$TMP/molly-error.log"
EOF
}

# start SERVER CASE: sets SPID and URLBASE.
start() {
	local server=$1 case=$2
	next_port
	case $server in
	almanac-w1 | almanac)
		local w=1
		[ "$server" = almanac ] && w=0
		# shellcheck disable=SC2086 # ALMANAC_OPTS is a word list
		local root=$CAP
		[ "$case" != search ] || root=$SEARCH_CAP
		"$BIN/almanac" --root "$root" --certs "$CERTS" \
		    --listen "127.0.0.1:$PORT" --workers "$w" $ALMANAC_OPTS \
		    2>>"$TMP/almanac.log" &
		;;
	almanac-w1-proxy)	# a PROXY v2 header first (gembench --connect-proxy)
		# shellcheck disable=SC2086
		"$BIN/almanac" --root "$CAP" --certs "$CERTS" \
		    --listen-proxy "127.0.0.1:$PORT" --workers 1 $ALMANAC_OPTS \
		    2>>"$TMP/almanac.log" &
		;;
	almanac-w1-keys)	# session-ticket keys shared with the others
		# shellcheck disable=SC2086
		"$BIN/almanac" --root "$CAP" --certs "$CERTS" \
		    --listen "127.0.0.1:$PORT" --workers 1 $ALMANAC_OPTS \
		    --ticket-keys "$TMP/ticket.keys" 2>>"$TMP/almanac.log" &
		;;
	almanac-w1-relay)	# /files/* relayed to RELAY_UP (proxy relay-to)
		printf 'server "localhost" {\n\troot "%s"\n\tcerts "%s"\n\tlocation "/files/*" {\n\t\tproxy relay-to "%s"\n\t\tproxy sni "localhost"\n\t}\n}\n' \
		    "$CAP" "$CERTS" "$RELAY_UP" >"$TMP/relay-$PORT.conf"
		# shellcheck disable=SC2086
		"$BIN/almanac" -f "$TMP/relay-$PORT.conf" \
		    --listen "127.0.0.1:$PORT" --workers 1 $ALMANAC_OPTS \
		    2>>"$TMP/almanac.log" &
		;;
	almanac-w1-fcgi)	# /fcgi/* answered by the test responder
		if [ -z "${FCGI_PID:-}" ]; then
			python3 "$ROOT/tests/fcgi/responder.py" \
			    "unix:$TMP/fcgi.sock" >>"$TMP/fcgi.log" 2>&1 &
			FCGI_PID=$!
			PIDS="$PIDS $FCGI_PID"
			for _ in $(seq 50); do
				[ -S "$TMP/fcgi.sock" ] && break
				sleep 0.1
			done
		fi
		printf 'server "localhost" {\n\troot "%s"\n\tcerts "%s"\n\tlocation "/fcgi/*" {\n\t\tfastcgi socket "%s"\n\t}\n}\n' \
		    "$CAP" "$CERTS" "$TMP/fcgi.sock" >"$TMP/fcgi-$PORT.conf"
		# shellcheck disable=SC2086
		"$BIN/almanac" -f "$TMP/fcgi-$PORT.conf" \
		    --listen "127.0.0.1:$PORT" --workers 1 $ALMANAC_OPTS \
		    2>>"$TMP/almanac.log" &
		;;
	molly-brown)
		write_molly_conf "$PORT"
		"$BENCH_MOLLY" -c "$TMP/molly-$PORT.conf" \
		    >>"$TMP/molly-error.log" 2>&1 &
		;;
	floor)
		# shellcheck disable=SC2046 # floor_answer is a word list
		"$BIN/floor" --listen "127.0.0.1:$PORT" --cert "$CERTS/cert.pem" \
		    --key "$CERTS/key.pem" $(floor_answer "$case") \
		    2>>"$TMP/floor.log" &
		;;
	esac
	SPID=$!
	PIDS="$PIDS $SPID"
	URLBASE="gemini://localhost:$PORT"
	wait_ready "$server"
	# almanac's process is a supervisor that forks the server: measure
	# the server (stopping it ends the supervisor too).
	case $server in
	almanac*) SPID=$(pgrep -P "$SPID" -n) || die "$server has no server process" ;;
	esac
}

# Ready when it accepts TCP (a request could be a 100 MiB file); at most 10 s.
wait_ready() {
	local _
	for _ in $(seq 100); do
		kill -0 "$SPID" 2>/dev/null || die "$1 exited at start" \
		    "(logs in build/bench/logs/)"
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			return
		fi
		sleep 0.1
	done
	die "$1 does not listen on port $PORT"
}

case_path() {
	case $1 in
	index) echo / ;;
	atom) echo /atom.xml ;;
	file-1m) echo /files/1m.bin ;;
	file-100m) echo /files/100m.bin ;;
	search) echo "/$(head -n 1 "$SEARCH_QUERIES")" ;;
	fastcgi-small) echo /fcgi/small.gmi ;;
	*) echo "$SMALL" ;;
	esac
}

# The floor answers each case with the bytes almanac sends for it.
floor_answer() {
	case $1 in
	index) echo "--page $TMP/pages/index" ;;
	atom) echo "--page $TMP/pages/atom" ;;
	file-1m | file-100m) echo "--file $CAP$(case_path "$1")" ;;
	*) echo "--page $TMP/pages/small" ;;
	esac
}

case_args() {
	case $1 in
	resumed) echo "-c $CONNS --resume" ;;
	resumed-shared) echo "-c $((CONNS > 1 ? CONNS / 2 : 1)) --resume" ;;
	small-nagle) echo "-c $CONNS --nagle" ;;
	file-1m) echo "-c 4" ;;
	file-100m) echo "-c 2" ;;
	idle-1k) echo "-c $CONNS --idle 1000" ;;
	idle-10k) echo "-c $CONNS --idle 10000" ;;
	search) echo "-c $CONNS --url-file $TMP/search-urls" ;;
	*) echo "-c $CONNS" ;;
	esac
}

# Bytes of one answer, to count large transfers cut by the window end.
answer_size() {
	case $1 in
	file-1m) echo $((1048576 + 32)) ;;
	file-100m) echo $((104857600 + 32)) ;;
	*) echo 0 ;;
	esac
}

fetch_pages() {
	local name path
	mkdir -p "$TMP/pages"
	start almanac-w1 small
	for name in small index atom; do
		path=$(case_path "$name")
		"$BIN/gemget" --connect "127.0.0.1:$PORT" -t 10 \
		    -o "$TMP/pages/$name" "$URLBASE$path" ||
		    die "cannot fetch $path from almanac"
		head -c 2 "$TMP/pages/$name" | grep -q 20 ||
		    die "almanac answers $path with: $(head -n 1 "$TMP/pages/$name")"
	done
	stop_pid "$SPID" 3
}

skip() {
	case $1:$2 in
	molly-brown:*) [ -z "$BENCH_MOLLY" ] && return 0 ;;
	esac
	case $1:$2 in
	molly-brown:atom) return 0 ;;	# static files only: no feed to serve
	molly-brown:search | floor:search) return 0 ;;	# almanac's own page
	# Latency, not cost: almanac beside the floor is enough.
	almanac-w1:small-nagle | molly-brown:small-nagle) return 0 ;;
	*:idle-1k) ! echo "$IDLE_SIZES" | grep -qw 1000 ;;
	*:idle-10k) ! echo "$IDLE_SIZES" | grep -qw 10000 ;;
	*) return 1 ;;
	esac
}

jget() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p"
}

# One measurement: appends a row to raw.tsv.
run_one() {
	local server=$1 case=$2 round=$3 json size cpu idle rssidle t0=$SECONDS
	start "$server" "$case"
	[ "$case" != search ] ||
	    sed "s|^|$URLBASE/|" "$SEARCH_QUERIES" >"$TMP/search-urls"
	# shellcheck disable=SC2046 # case_args is a word list
	json=$("$BIN/gembench" --json --pid "$SPID" --connect "127.0.0.1:$PORT" \
	    -d "$SECS" -w "$WARMUP" $(case_args "$case") \
	    "$URLBASE$(case_path "$case")" 2>>"$TMP/gembench.log") ||
	    die "gembench failed against $server ($case)$(kill -0 "$SPID" \
	    2>/dev/null || echo ", which exited during the run"):
$(tail -n 3 "$TMP/gembench.log")
(logs in build/bench/logs/)"
	stop_pid "$SPID" 3
	size=$(answer_size "$case")
	cpu=$(jget "$json" cpu_us_per_req)
	[ "$size" = 0 ] || cpu=$(awk -v n="$(jget "$json" cpu_ns_per_byte)" \
	    -v s="$size" 'BEGIN { printf "%.2f", n * s / 1000 }')
	idle=$(jget "$json" idle)
	rssidle=$(awk -v a="$(jget "$json" rss_kb)" \
	    -v b="$(jget "$json" rss_base_kb)" -v n="$idle" \
	    'BEGIN { if (n > 0) printf "%.2f", (a - b) / n; else print "-" }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
	    "$case" "$server" "$round" "$(jget "$json" rps)" "$cpu" \
	    "$(jget "$json" mb_per_s)" "$(jget "$json" p50_ms)" \
	    "$(jget "$json" p99_ms)" "$(jget "$json" p999_ms)" \
	    "$(jget "$json" errors)" "$(jget "$json" hwm_kb)" "$rssidle" \
	    "$(jget "$json" resumed)" >>"$TMP/raw.tsv"
	printf '  %-9s %-11s %8s req/s %9s us/req %8s MB/s p99 %8s ms %3s errors (%d s)\n' \
	    "$case" "$server" "$(jget "$json" rps)" "$cpu" \
	    "$(jget "$json" mb_per_s)" "$(jget "$json" p99_ms)" \
	    "$(jget "$json" errors)" $((SECONDS - t0)) >&2
}

cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# CPU µs per request (per answer's bytes for the files) from clock ticks.
per_request() {
	awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" -v bytes="$3" \
	    -v size="$(answer_size "$4")" 'BEGIN {
		if (size > 0) n = bytes / size
		printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }'
}

# How gembench reaches a server: with a PROXY v2 header for a proxy listener.
connect_opt() {
	case $1 in
	*-proxy) echo --connect-proxy ;;
	*) echo --connect ;;
	esac
}

# One paired measurement: A and B serve at the same time and gembench
# sends them every other request, so that both meet the same machine
# (the noise of a shared host hits both alike).  Appends to pairs.tsv.
run_pair() {
	local a=$1 b=$2 case=$3 round=$4 pa pb ua ub ca cb json n bytes \
	    t0a t0b t1a t1b path
	path=$(case_path "$case")
	start "$a" "$case"
	pa=$SPID ua=$URLBASE$path ca=127.0.0.1:$PORT
	start "$b" "$case"
	pb=$SPID ub=$URLBASE$path cb=127.0.0.1:$PORT
	# shellcheck disable=SC2046 # case_args is a word list
	"$BIN/gembench" -d "$WARMUP" -w 0 $(case_args "$case") \
	    "$(connect_opt "$a")" "$ca" "$(connect_opt "$b")" "$cb" "$ua" "$ub" \
	    >/dev/null 2>>"$TMP/gembench.log" ||
	    die "gembench failed against $a and $b ($case)"
	t0a=$(cpu_ticks "$pa") t0b=$(cpu_ticks "$pb")
	# shellcheck disable=SC2046
	json=$("$BIN/gembench" --json -d "$SECS" -w 0 $(case_args "$case") \
	    "$(connect_opt "$a")" "$ca" "$(connect_opt "$b")" "$cb" "$ua" "$ub" \
	    2>>"$TMP/gembench.log") ||
	    die "gembench failed against $a and $b ($case)"
	t1a=$(cpu_ticks "$pa") t1b=$(cpu_ticks "$pb")
	stop_pid "$pa" 3
	stop_pid "$pb" 3
	# Requests alternate, so each server had half of them (to a slot).
	n=$(awk -v n="$(jget "$json" requests)" 'BEGIN { print n / 2 }')
	bytes=$(awk -v n="$(jget "$json" bytes)" 'BEGIN { print n / 2 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$a" "$b" "$round" \
	    "$(per_request $((t1a - t0a)) "$n" "$bytes" "$case")" \
	    "$(per_request $((t1b - t0b)) "$n" "$bytes" "$case")" \
	    "$(jget "$json" errors)" >>"$TMP/pairs.tsv"
	say "  paired $case: $a and $b, $(jget "$json" requests) requests," \
	    "$(jget "$json" errors) errors"
}

# resumed-shared: two gembench at once, each resuming its sessions, one
# against two instances sharing ticket keys (every other request to each,
# so a session goes from one to the other), one against a third instance
# alone.  CPU per request of the two together, and of the one; appends to
# resumed.tsv.
run_resumed_shared() {
	local round=$1 p1 p2 p3 c1 c2 c3 u t0 t1 j2 j1 args g
	u=$(case_path resumed-shared)
	start almanac-w1-keys resumed-shared
	p1=$SPID c1=127.0.0.1:$PORT
	start almanac-w1-keys resumed-shared
	p2=$SPID c2=127.0.0.1:$PORT
	start almanac-w1-keys resumed-shared
	p3=$SPID c3=127.0.0.1:$PORT
	args=$(case_args resumed-shared)
	# shellcheck disable=SC2086 # args is a word list
	"$BIN/gembench" -d "$WARMUP" -w 0 $args --connect "$c1" --connect \
	    "$c2" "gemini://localhost$u" "gemini://localhost$u" >/dev/null \
	    2>>"$TMP/gembench.log" &
	g=$!
	# shellcheck disable=SC2086
	"$BIN/gembench" -d "$WARMUP" -w 0 $args --connect "$c3" \
	    "gemini://localhost$u" >/dev/null 2>>"$TMP/gembench.log" ||
	    die "gembench failed (resumed-shared warm-up)"
	wait "$g" || die "gembench failed (resumed-shared warm-up, two instances)"
	t0=$(( $(cpu_ticks "$p1") + $(cpu_ticks "$p2") ))
	t0="$t0 $(cpu_ticks "$p3")"
	# shellcheck disable=SC2086
	"$BIN/gembench" --json -d "$SECS" -w 0 $args --connect "$c1" \
	    --connect "$c2" "gemini://localhost$u" "gemini://localhost$u" \
	    >"$TMP/shared-two.json" 2>>"$TMP/gembench.log" &
	g=$!
	# shellcheck disable=SC2086
	"$BIN/gembench" --json -d "$SECS" -w 0 $args --connect "$c3" \
	    "gemini://localhost$u" >"$TMP/shared-one.json" \
	    2>>"$TMP/gembench.log" || die "gembench failed (resumed-shared)"
	wait "$g" || die "gembench failed (resumed-shared, two instances)"
	t1=$(( $(cpu_ticks "$p1") + $(cpu_ticks "$p2") ))
	t1="$t1 $(cpu_ticks "$p3")"
	stop_pid "$p1" 3
	stop_pid "$p2" 3
	stop_pid "$p3" 3
	j2=$(cat "$TMP/shared-two.json") j1=$(cat "$TMP/shared-one.json")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" \
	    "$(per_request $((${t1% *} - ${t0% *})) "$(jget "$j2" requests)" 0 small)" \
	    "$(jget "$j2" resumed)" \
	    "$(per_request $((${t1#* } - ${t0#* })) "$(jget "$j1" requests)" 0 small)" \
	    "$(jget "$j1" resumed)" \
	    $(( $(jget "$j2" errors) + $(jget "$j1" errors) )) >>"$TMP/resumed.tsv"
	say "  resumed-shared: $(jget "$j2" requests) requests over two" \
	    "instances ($(jget "$j2" resumed) resumed), $(jget "$j1" requests)" \
	    "on one ($(jget "$j1" resumed) resumed)"
}

resumed_table() {
	echo "| CPU µs/req, two instances sharing keys | resumed | CPU µs/req, one instance | resumed | ratio (median of rounds) | errors |"
	echo "|--:|--:|--:|--:|--:|--:|"
	awk -F '\t' '
	function median(s,    n, i, j, t, v) {
		n = split(s, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		a = a " " $2; ra = ra " " $3; b = b " " $4; rb = rb " " $5
		r = r " " ($4 > 0 ? $2 / $4 : 0); e += $6
	}
	END {
		printf "| %.1f | %.0f%% | %.1f | %.0f%% | %.2f | %d |\n",
		    median(a), median(ra) * 100, median(b), median(rb) * 100,
		    median(r), e
	}' "$TMP/resumed.tsv"
}

# MB/s of one gembench run of 1 MiB answers through CONNECT.
relay_rate() {
	local json
	# shellcheck disable=SC2046 # case_args is a word list
	"$BIN/gembench" -d "$WARMUP" -w 0 $(case_args file-1m) --connect "$1" \
	    "gemini://localhost$(case_path file-1m)" >/dev/null \
	    2>>"$TMP/gembench.log" || die "gembench failed (proxy-1m, $1)"
	# shellcheck disable=SC2046
	json=$("$BIN/gembench" --json -d "$SECS" -w 0 $(case_args file-1m) \
	    --connect "$1" "gemini://localhost$(case_path file-1m)" \
	    2>>"$TMP/gembench.log") || die "gembench failed (proxy-1m, $1)"
	awk -v b="$(jget "$json" bytes)" -v s="$SECS" -v e="$(jget "$json" errors)" \
	    'BEGIN { printf "%.1f\t%d", b / s / 1e6, e }'
}

# proxy-1m: an almanac -w1 relaying /files/ to another almanac -w1 (URLs
# without a port, which both accept); the file through it, then straight
# from the upstream, one after the other.  Appends to relay.tsv.
run_proxy_1m() {
	local round=$1 pu pr cu cr via direct
	start almanac-w1 file-1m
	pu=$SPID cu=127.0.0.1:$PORT
	RELAY_UP=$cu
	start almanac-w1-relay file-1m
	pr=$SPID cr=127.0.0.1:$PORT
	via=$(relay_rate "$cr")
	direct=$(relay_rate "$cu")
	stop_pid "$pr" 3
	stop_pid "$pu" 3
	printf '%s\t%s\t%s\n' "$round" "$via" "$direct" >>"$TMP/relay.tsv"
	say "  proxy-1m: ${via%%	*} MB/s through the proxy," \
	    "${direct%%	*} MB/s directly"
}

relay_table() {
	echo "| MB/s through the proxy | MB/s directly | ratio (median of rounds) | errors |"
	echo "|--:|--:|--:|--:|"
	awk -F '\t' '
	function median(s,    n, i, j, t, v) {
		n = split(s, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		a = a " " $2; b = b " " $4; r = r " " ($4 > 0 ? $2 / $4 : 0)
		e += $3 + $5
	}
	END {
		printf "| %.1f | %.1f | %.2f | %d |\n", median(a), median(b),
		    median(r), e
	}' "$TMP/relay.tsv"
}

# proxy-v2 and resumed-shared: servers of their own.
run_paired_only() {
	case $1 in
	proxy-v2) run_pair almanac-w1-proxy almanac-w1 proxy-v2 "$2" ;;
	proxy-1m) run_proxy_1m "$2" ;;
	fastcgi-small) run_pair almanac-w1-fcgi almanac-w1 fastcgi-small "$2" ;;
	resumed-shared) run_resumed_shared "$2" ;;
	esac
}

measure_pairs() {
	local round case pair a b
	for round in $(seq "$ROUNDS"); do
		say "paired round $round of $ROUNDS"
		for case in $PAIRED_CASES; do
			case " $PAIRED_ONLY " in *" $case "*)
				run_paired_only "$case" "$round"
				continue ;;
			esac
			for pair in $PAIRS; do
				a=${pair%%:*} b=${pair#*:}
				skip "$a" "$case" || skip "$b" "$case" ||
				    run_pair "$a" "$b" "$case" "$round"
			done
		done
	done
}

pairs_table() {
	echo "| case | servers | CPU µs/req, first | CPU µs/req, second | ratio (median of rounds) | errors |"
	echo "|---|---|--:|--:|--:|--:|"
	awk -F '\t' '
	function median(s,    n, i, j, t, v) {
		n = split(s, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in a))
			order[++nk] = k
		a[k] = a[k] " " $5; b[k] = b[k] " " $6
		r[k] = r[k] " " ($6 > 0 ? $5 / $6 : 0); e[k] += $7
	}
	END {
		for (i = 1; i <= nk; i++) {
			split(order[i], f, SUBSEP)
			printf "| %s | %s and %s | %.1f | %.1f | %s ÷ %s = %.2f | %d |\n",
			    f[1], f[2], f[3], median(a[order[i]]),
			    median(b[order[i]]), f[2], f[3], median(r[order[i]]),
			    e[order[i]]
		}
	}' "$TMP/pairs.tsv"
}

# The server order turns every round, so that none always goes first.
rotated() {
	local list n k
	list=$(echo "$SERVERS" | tr ' ' '\n')
	n=$(echo "$list" | wc -l)
	k=$(($1 % n))
	{ echo "$list" | tail -n +$((k + 1)); echo "$list" | head -n "$k"; } | xargs
}

measure_all() {
	local round case server
	for round in $(seq "$ROUNDS"); do
		say "round $round of $ROUNDS"
		for case in $CASES; do
			for server in $(rotated "$round"); do
				skip "$server" "$case" || run_one "$server" "$case" "$round"
			done
		done
	done
}

# Medians over the rounds, one line per case and server, in run order.
summarize() {
	awk -F '\t' -v cases="$CASES" -v servers="$SERVERS" '
	function median(key, col,    n, i, j, t, v) {
		n = split(vals[key, col], v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		if (n == 0 || v[1] == "-")
			return "-"
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		key = $1 SUBSEP $2
		seen[key] = 1
		for (c = 4; c <= 13; c++)
			vals[key, c] = vals[key, c] " " $c
		errs[key] += $10
	}
	END {
		nc = split(cases, cs, " "); ns = split(servers, ss, " ")
		for (i = 1; i <= nc; i++)
			for (j = 1; j <= ns; j++) {
				key = cs[i] SUBSEP ss[j]
				if (!(key in seen))
					continue
				printf "%s\t%s", cs[i], ss[j]
				for (c = 4; c <= 13; c++)
					printf "\t%s", c == 10 ? errs[key] : median(key, c)
				printf "\n"
			}
	}' "$TMP/raw.tsv" >"$TMP/median.tsv"
}

main_table() {
	echo "| case | server | req/s | CPU µs/req | MB/s | p50 ms | p99 ms | p99.9 ms | errors | peak RSS MiB | RSS/idle conn KiB |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	awk -F '\t' '{
		if ($1 == "resumed")
			$1 = sprintf("resumed (%.0f%%)", $12 * 100)
		printf "| %s | %s | %.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %d | %.1f | %s |\n",
		    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 / 1024,
		    $11 == "-" ? "" : sprintf("%.1f", $11)
	}' "$TMP/median.tsv"
}

ratio_table() {
	echo "| case | almanac ÷ molly-brown | almanac ÷ floor | almanac -w1 ÷ molly-brown | almanac -w1 ÷ floor |"
	echo "|---|--:|--:|--:|--:|"
	awk -F '\t' -v cases="$CASES" '
	{ cpu[$1, $2] = $4 }
	function r(a, b) {
		if (!(a in cpu) || !(b in cpu) || cpu[b] <= 0)
			return "—"
		return sprintf("%.2f", cpu[a] / cpu[b])
	}
	END {
		n = split(cases, cs, " ")
		for (i = 1; i <= n; i++) {
			c = cs[i]
			if (!((c, "almanac") in cpu))
				continue
			printf "| %s | %s | %s | %s | %s |\n", c,
			    r(c SUBSEP "almanac", c SUBSEP "molly-brown"),
			    r(c SUBSEP "almanac", c SUBSEP "floor"),
			    r(c SUBSEP "almanac-w1", c SUBSEP "molly-brown"),
			    r(c SUBSEP "almanac-w1", c SUBSEP "floor")
		}
	}' "$TMP/median.tsv"
}

idle_table() {
	echo "| case | server | p99 ms without idle | p99 ms with idle | RSS/idle conn KiB |"
	echo "|---|---|--:|--:|--:|"
	awk -F '\t' '
	{ p99[$1, $2] = $7; rss[$1, $2] = $11; order[++n] = $1 SUBSEP $2 }
	END {
		for (i = 1; i <= n; i++) {
			split(order[i], k, SUBSEP)
			if (k[1] !~ /^idle-/)
				continue
			base = "—"
			if (("small", k[2]) in p99)
				base = sprintf("%.2f", p99["small", k[2]])
			printf "| %s | %s | %s | %.2f | %s |\n", k[1], k[2],
			    base, p99[k[1], k[2]], rss[k[1], k[2]]
		}
	}' "$TMP/median.tsv"
}

# The search case in words: CPU per query beside a small page's, and the
# index's size as almanac logs it.
search_summary() {
	local kib
	kib=$(sed -n 's/.*search index of \([0-9]*\) KiB built.*/\1/p' \
	    "$TMP/almanac.log" | sort -n | tail -n 1)
	awk -F '\t' -v pages="$SEARCH_PAGES" -v kib="${kib:-?}" \
	    -v nq="$(wc -l <"$SEARCH_QUERIES")" '
	{ cpu[$1, $2] = $4 }
	END {
		s = "almanac-w1"
		if (!(("search", s) in cpu))
			s = "almanac"
		printf "Search: %d queries in turn on %d pages: %.2f ms of server CPU" \
		    " per query (TLS included)", nq, pages, cpu["search", s] / 1000
		if (("small", s) in cpu)
			printf "; a small page costs %.2f ms, so a query about %.2f ms more",
			    cpu["small", s] / 1000, (cpu["search", s] - cpu["small", s]) / 1000
		printf " (%s). The index takes %s KiB.\n", s, kib
	}' "$TMP/median.tsv"
}

describe() {
	local molly=absent
	[ -z "$BENCH_MOLLY" ] || molly=$(dpkg-query -W -f '${Version}' \
	    molly-brown 2>/dev/null || echo "?")
	echo "## Benchmark: almanac, molly-brown and the floor"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' \
	    /proc/cpuinfo | head -n 1)), Linux $(uname -r), $(openssl version |
	    cut -d ' ' -f 1-2), molly-brown $molly; load average before:" \
	    "$(cut -d ' ' -f 1-3 /proc/loadavg)."
	echo "Medians of $ROUNDS round(s), ${SECS} s measured after ${WARMUP} s" \
	    "of warm-up, $CONNS concurrent requests (4 for 1 MiB, 2 for" \
	    "100 MiB), each on a new TLS connection, from build/bench/gembench" \
	    "on the same machine."
	echo "CPU µs/req is the server's user+system time (/proc/PID/stat," \
	    "all threads) over the requests completed in the window; for the" \
	    "files, over the bytes received (partial answers count)."
	echo "small is $SMALL (full handshakes), small-nagle the same from" \
	    "a client that leaves Nagle's algorithm on (gembench --nagle;" \
	    "almanac and the floor only), resumed the same with TLS" \
	    "session resumption; index and atom are almanac's generated / and" \
	    "/atom.xml (molly-brown: a directory listing for /, no feed);" \
	    "idle-N holds N idle TLS connections during the small case."
	echo "The floor (tools/floor.c) is OpenSSL with its defaults in one" \
	    "naive thread, answering with almanac's bytes for the same URL."
	echo "$("$BIN/almanac" --version 2>&1 | head -n 1) (built" \
	    "$(date -u -r "$BIN/almanac" '+%Y-%m-%d %H:%M UTC')) ran with --workers 1" \
	    "(almanac-w1) or 0 (one per core) and: $ALMANAC_OPTS"
	echo
}

report() {
	summarize
	{
		cat "$TMP/describe.md"
		main_table
		echo
		echo "CPU per request, ratios:"
		echo
		ratio_table
		if grep -q '^search' "$TMP/median.tsv"; then
			echo
			search_summary
		fi
		if grep -q '^idle-' "$TMP/median.tsv"; then
			echo
			echo "Idle connections:"
			echo
			idle_table
		fi
		if [ -s "$TMP/pairs.tsv" ]; then
			echo
			echo "Paired runs: both servers serve at the same time and" \
			    "one gembench ($CONNS connections, 4 for 1 MiB) sends" \
			    "them every other request for ${SECS} s, so that the" \
			    "noise of a shared machine hits both alike; CPU per" \
			    "request from /proc/PID/stat clock ticks, each server" \
			    "counted for half the requests; medians of $ROUNDS" \
			    "round(s):"
			echo
			pairs_table
		fi
		if [ -s "$TMP/resumed.tsv" ]; then
			echo
			echo "Resumption across instances (resumed-shared): two" \
			    "gembench at once, each with --resume and" \
			    "$(case_args resumed-shared | cut -d ' ' -f 2)" \
			    "connections for ${SECS} s, one sending every other" \
			    "request to each of two almanac -w1 sharing" \
			    "\`ticket keys\`, the other to a third alone; CPU per" \
			    "request of the two together and of the one:"
			echo
			resumed_table
		fi
		if [ -s "$TMP/relay.tsv" ]; then
			echo
			echo "Reverse proxy (proxy-1m): $(case_path file-1m)" \
			    "through an almanac -w1 whose \`proxy relay-to\` is" \
			    "another almanac -w1, then from that one directly;" \
			    "$(case_args file-1m | cut -d ' ' -f 2) connections" \
			    "for ${SECS} s each:"
			echo
			relay_table
		fi
		if [ -s "$TMP/upload.tsv" ]; then
			echo
			echo "Titan uploads: gemget --titan of a 10 MiB file, one" \
			    "at a time (written, fsynced and renamed into place" \
			    "before each 30), then gemget of the same file as many" \
			    "times; medians of $ROUNDS round(s):"
			echo
			upload_table
		fi
	} >"$TMP/results.md"
	mkdir -p "$OUT"
	cp "$TMP/results.md" "$OUT/results.md"
	cat "$OUT/results.md"
	say "written to build/bench/results.md"
}

# upload-10m: gemget --titan of a 10 MiB file in a loop for BENCH_SECONDS
# (three at least), then gemget of the same file as many times: MB/s each
# way, one connection at a time.  Appends to upload.tsv.
run_upload() {
	local round=$1 conf=$TMP/titan-bench.conf n=0 t0 t1 up down i url
	local size=10485760 ms
	ms=$(awk -v s="$SECS" 'BEGIN { print int(s * 1000) }')
	[ -s "$TMP/10m.bin" ] || head -c "$size" /dev/urandom >"$TMP/10m.bin"
	next_port
	printf '%s\n' "listen \"127.0.0.1:$PORT\"" "max-per-address 0" \
	    "rate-per-address 0" "server \"localhost\" {" "root \"$CAP\"" \
	    "certs \"$CERTS\"" "location \"/up/*\" {" "titan on" \
	    "titan token \"bench\"" "titan max size 16777216" "}" "}" >"$conf"
	"$BIN/almanac" -f "$conf" 2>>"$TMP/almanac.log" &
	SPID=$!
	PIDS="$PIDS $SPID"
	wait_ready almanac
	url=titan://localhost:$PORT/up/10m.bin
	t0=$(date +%s%N)
	while :; do
		"$BIN/gemget" -t 60 -H --titan "$TMP/10m.bin" --token bench \
		    "$url" | grep -q '^30 ' || die "upload-10m: an upload failed"
		n=$((n + 1))
		t1=$(date +%s%N)
		[ "$n" -lt 3 ] || [ $(((t1 - t0) / 1000000)) -lt "$ms" ] || break
	done
	up=$(awk -v b=$((n * size)) -v ns=$((t1 - t0)) \
	    'BEGIN { printf "%.1f", b / 1048576 / (ns / 1e9) }')
	t0=$(date +%s%N)
	for i in $(seq "$n"); do
		"$BIN/gemget" -t 60 -B -o "$TMP/10m.down" \
		    "gemini://localhost:$PORT/up/10m.bin" ||
		    die "upload-10m: a download failed"
	done
	t1=$(date +%s%N)
	cmp -s "$TMP/10m.bin" "$TMP/10m.down" ||
	    die "upload-10m: the file came back different"
	down=$(awk -v b=$((n * size)) -v ns=$((t1 - t0)) \
	    'BEGIN { printf "%.1f", b / 1048576 / (ns / 1e9) }')
	stop_pid "$SPID" 3
	printf 'upload-10m\talmanac\t%s\t%s\t%s\t%s\n' "$round" "$up" "$down" \
	    "$n" >>"$TMP/upload.tsv"
	say "  upload-10m almanac: up $up MB/s, down $down MB/s ($n each way)"
}

measure_uploads() {
	local round
	[ "$UPLOAD_CASES" != none ] || return 0
	for round in $(seq "$ROUNDS"); do
		say "upload round $round of $ROUNDS"
		run_upload "$round"
	done
}

upload_table() {
	echo "| case | server | upload MB/s | download MB/s (same file) | requests each way |"
	echo "|---|---|--:|--:|--:|"
	awk -F '\t' '
	function median(s,    n, i, j, t, v) {
		n = split(s, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{ up = up " " $4; down = down " " $5; n += $6 }
	END { printf "| upload-10m | almanac | %.1f | %.1f | %d |\n", median(up), median(down), n }
	' "$TMP/upload.tsv"
}

main() {
	prepare "$@"
	enter_netns
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/almanac-bench.XXXXXX")
	raise_nofile
	copy_programs
	ALMANAC_OPTS=$(almanac_opts)
	say "temporary capsule and certificate in $TMP"
	make_capsule
	case " $CASES " in *" search "*) make_search_capsule ;; esac
	fetch_pages
	# Before the run: the load average, and versions a run cannot change.
	describe >"$TMP/describe.md"
	: >"$TMP/raw.tsv"
	: >"$TMP/pairs.tsv"
	: >"$TMP/resumed.tsv"
	: >"$TMP/relay.tsv"
	openssl rand 80 | base64 -w0 >"$TMP/ticket.keys"
	echo >>"$TMP/ticket.keys"
	: >"$TMP/upload.tsv"
	measure_all
	measure_pairs
	measure_uploads
	report
}

main "$@"
