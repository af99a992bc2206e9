#!/usr/bin/env bash
# A real client: Amfora, a terminal Gemini browser, driven in tmux.  Opens the
# index, follows a chapter and its "Next" link, walks the whole chronicle by
# "Next" and back by "Previous", subscribes to the Atom feed, and checks that
# after a server restart the certificate it trusted on first use is still the
# one it gets (no "certificate has changed" warning).
# Needs the Debian packages amfora and tmux.

if ! command -v amfora >/dev/null 2>&1 || ! command -v tmux >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && [ -x tools/deps.sh ]; then
		tools/deps.sh test amfora tmux >&2 || true
	fi
	if ! command -v amfora >/dev/null 2>&1 || ! command -v tmux >/dev/null 2>&1; then
		if [ "$(id -u)" != 0 ]; then
			echo "1..0 # SKIP amfora or tmux not installed"
			exit 0
		fi
		echo "1..1"
		echo "not ok 1 - amfora and tmux are installed (apt-get install -y amfora tmux failed)"
		exit 1
	fi
fi

. tests/lib.sh

# Amfora in a detached tmux session of a fixed size, on a private tmux
# socket, with a private HOME and XDG directories under $WORK: the real user's
# config, TOFU store and subscriptions are never read or written.
COLS=200 ROWS=80
TMUX_SOCK=$WORK/tmux.sock
AHOME=$WORK/home
AMFORA_PID=
tm() { tmux -u -S "$TMUX_SOCK" "$@"; }

amfora_stop() {
	if [ -S "$TMUX_SOCK" ]; then
		tm kill-server 2>/dev/null
	fi
	if [ -n "$AMFORA_PID" ]; then
		local i
		for i in $(seq 1 20); do kill -0 "$AMFORA_PID" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$AMFORA_PID" 2>/dev/null
	fi
	AMFORA_PID=
}
on_exit() { amfora_stop; cleanup; }
trap on_exit EXIT

mkdir -p "$AHOME/.config/amfora" "$AHOME/.cache" "$AHOME/.local/share" "$AHOME/downloads"
# Only the settings the test relies on; the rest are Amfora's defaults.
cat >"$AHOME/.config/amfora/config.toml" <<CONF
[a-general]
home = "about:blank"
auto_redirect = false
color = true
left_margin = 0.15
max_width = 100
downloads = '$AHOME/downloads'
page_max_time = 10
scrollbar = "never"

[keybindings]
bind_bottom = "Space"
bind_reload = ["R", "Ctrl-R"]
bind_sub = "Ctrl-A"
bind_add_sub = "Ctrl-X"
bind_quit = ["Ctrl-C", "Ctrl-Q", "q"]

[subscriptions]
popup = true
update_interval = 0
CONF

# amfora_start URL: a new Amfora process showing URL.
amfora_start() {
	amfora_stop
	tm -f /dev/null new-session -d -s amfora -x "$COLS" -y "$ROWS" \
	    env -i PATH="$PATH" HOME="$AHOME" TERM=xterm-256color LANG=C.UTF-8 \
	    XDG_CONFIG_HOME="$AHOME/.config" XDG_CACHE_HOME="$AHOME/.cache" \
	    XDG_DATA_HOME="$AHOME/.local/share" \
	    amfora "$1"
	tm set-option -t amfora remain-on-exit on >/dev/null 2>&1
	AMFORA_PID=$(tm display-message -p -t amfora '#{pane_pid}' 2>/dev/null)
}

# screen: the visible pane as text, trailing blanks removed.
screen() {
	tm capture-pane -p -t amfora 2>/dev/null | sed 's/[[:space:]]*$//'
}
# see REGEX [SECONDS]: polls the pane (every 0.1 s, at most SECONDS, 10 by
# default) until it matches the extended regex; SCREEN holds the last capture.
see() {
	local regex=$1 limit=${2:-10} start
	start=$(date +%s%N)
	while :; do
		SCREEN=$(screen)
		printf '%s\n' "$SCREEN" | grep -Eq -- "$regex" && return 0
		[ $(( ($(date +%s%N) - start) / 1000000 )) -ge $((limit * 1000)) ] && return 1
		sleep 0.1
	done
}
# screen_diag: the last capture, for TAP diagnostics
screen_diag() {
	printf '%s\n' "screen (${COLS}x${ROWS}):"
	printf '%s\n' "$SCREEN" | cat -s | sed 's/^/  | /'
}
# gone REGEX [SECONDS]: polls until the pane no longer matches.
gone() {
	local limit=${2:-10} start
	start=$(date +%s%N)
	while :; do
		SCREEN=$(screen)
		printf '%s\n' "$SCREEN" | grep -Eq -- "$1" || return 0
		[ $(( ($(date +%s%N) - start) / 1000000 )) -ge $((limit * 1000)) ] && return 1
		sleep 0.1
	done
}
# check NAME REGEX [SECONDS]: a test that the pane shows REGEX within SECONDS.
check() {
	local name=$1 regex=$2 limit=${3:-10} diag
	if see "$regex" "$limit"; then pass "$name"
	else
		mapfile -t diag < <(echo "wanted on screen: $regex"; screen_diag)
		fail "$name" "${diag[@]}"
	fi
}
# check_not NAME REGEX: the last capture does not show REGEX.
check_not() {
	local diag
	if printf '%s\n' "$SCREEN" | grep -Eq -- "$2"; then
		mapfile -t diag < <(echo "not wanted on screen: $2"; screen_diag)
		fail "$1" "${diag[@]}"
	else pass "$1"; fi
}
# re STRING: STRING as an extended regex matching it literally
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }
# go TEXT: type TEXT (a URL or a link number) into Amfora's bottom bar.
go() {
	tm send-keys -t amfora Space
	see 'URL/Num\./Search:' 5 || { tm send-keys -t amfora Escape; sleep 0.2; tm send-keys -t amfora Space; see 'URL/Num\./Search:' 5; }
	tm send-keys -t amfora -l -- "$1"
	tm send-keys -t amfora Enter
}
# link_number TEXT: the number Amfora shows before the link whose text contains TEXT.
link_number() {
	printf '%s\n' "$SCREEN" | grep -F -- "$1" | sed -n 's/^ *\[\([0-9]\{1,\}\)\] .*/\1/p' | head -n 1
}
# The bottom line shows the URL of the page on display.
url_line() { printf '(^|[[:space:]])%s$' "$(re "$1")"; }
# footer_link WORD: the number of the footer's WORD (Next or Previous) link.
# Where the page's own last link already leads there, the footer names that
# page as text ("WORD: ..., linked above"): then it is the page's last link.
footer_link() {
	local n
	n=$(printf '%s\n' "$SCREEN" | sed -n "s/^ *\\[\\([0-9]\\{1,\\}\\)\\] \\{1,\\}$1: .*/\\1/p" | head -n 1)
	if [ -z "$n" ] && printf '%s\n' "$SCREEN" | grep -Eq "^ *$1: .*, linked above\$"; then
		n=$(printf '%s\n' "$SCREEN" | sed -n '/^ *## Navigation$/q; s/^ *\[\([0-9]\{1,\}\)\] .*/\1/p' | tail -n 1)
	fi
	printf '%s' "$n"
}

# What the chronicle should show, worked out from the capsule's files, not
# from the server: chapters in time order (their date prefixes sort as text),
# each with its date as written in the file name and its first heading.
make_capsule
chapters=()
while IFS= read -r f; do chapters+=("$f"); done < <(ls "$CAPSULE/chapters" | grep -E '^[0-9]{4}.*\.gmi$' | sort)
date_of() { printf '%s\n' "$1" | sed -E 's/^([0-9]{4}(-[0-9]{2}){0,2})-.*/\1/'; }
title_of() { sed -n 's/^# //p' "$CAPSULE/chapters/$1" | head -n 1; }
site_title=$(sed -n 's/^# //p' "$CAPSULE/intro.gmi" | head -n 1)
cur=${chapters[2]} nxt=${chapters[3]} prv=${chapters[1]}
cur_link="$(date_of "$cur") - $(title_of "$cur")"
nxt_link="$(date_of "$nxt") - $(title_of "$nxt")"
prv_link="$(date_of "$prv") - $(title_of "$prv")"

start_server || exit 1
FIRST_PORT=$PORT

# 1. The index
amfora_start "$BASE/"
check "Amfora shows the index's title" "^ *# $(re "$site_title")\$"
check "the bottom bar shows the index URL" "$(url_line "$BASE/")"
missing=
for f in "${chapters[@]}"; do
	text="$(date_of "$f") - $(title_of "$f")"
	printf '%s\n' "$SCREEN" | grep -Eq "^ *\[[0-9]+\] +$(re "$text")\$" || missing="$missing [$text]"
done
if [ -z "$missing" ]; then pass "every chapter is a numbered link: '[N]  DATE - Title' (${#chapters[@]} chapters)"
else mapfile -t d < <(echo "missing:$missing"; screen_diag); fail "every chapter is a numbered link" "${d[@]}"; fi
check "the year pages are numbered links too: '[N]  Year YYYY'" "^ *\[[0-9]+\] +Year ${chapters[0]:0:4}\$"
check_not "no year heading over the chapters" '^ *## [0-9]{4}$'
check_not "no certificate prompt on first use" 'TOFU|certificate'
if grep -q "localhost:$PORT" "$AHOME/.cache/amfora/tofu.toml" 2>/dev/null; then
	pass "the certificate was trusted on first use (in Amfora's tofu.toml)"
else
	fail "the certificate was trusted on first use (in Amfora's tofu.toml)" \
	    "$(ls -R "$AHOME" 2>&1 | tr '\n' ' ')"
fi
tofu_before=$(grep -F "\"localhost:$PORT\"" "$AHOME/.cache/amfora/tofu.toml" 2>/dev/null)

# 2. A chapter, chosen by its link number on the index
n=$(link_number "$cur_link")
if [ -n "$n" ]; then
	go "$n"
	check "following link [$n] opens the chapter '$cur_link'" "$(url_line "$BASE/chapters/$cur")"
	check "the chapter page is shown with its heading" "^ *# $(re "$(title_of "$cur")")\$"
	check "its footer is set apart by a heading" '^ *## Navigation$'
	check "its footer: the chapter before it (a link, or named when the page's last link is it)" "^ *(\[[0-9]+\] +)?Previous: $(re "$prv_link")(, linked above)?\$"
	check "its footer: Next link to the chapter after it" "^ *\[[0-9]+\] +Next: $(re "$nxt_link")\$"
	check "its footer: year page and index" "All pages from ${cur:0:4}\$"
else
	mapfile -t d < <(screen_diag); fail "the index has a link '$cur_link'" "${d[@]}"
fi

# 3. Its Next link
n=$(link_number "Next: $nxt_link")
if [ -n "$n" ]; then
	go "$n"
	check "following 'Next' (link [$n]) reaches the next chapter in time order: $nxt" "$(url_line "$BASE/chapters/$nxt")"
	check "the next chapter's heading is shown" "^ *# $(re "$(title_of "$nxt")")\$"
	check "and its Previous link leads back" "^ *\[[0-9]+\] +Previous: $(re "$cur_link")\$"
else
	mapfile -t d < <(screen_diag); fail "the chapter page has a Next link" "${d[@]}"
fi

# 4. The whole chronicle: from the first chapter to the last by "Next", and
# back to the first by "Previous"
go "$BASE/chapters/${chapters[0]}"
see "$(url_line "$BASE/chapters/${chapters[0]}")" 5
last=$(( ${#chapters[@]} - 1 )) walk_fail=
for i in $(seq 1 "$last"); do
	see "^ *# $(re "$(title_of "${chapters[i - 1]}")")\$" 5 && see '^ *\[[0-9]+\] +Index$' 5
	n=$(footer_link Next)
	[ -n "$n" ] || { walk_fail="no Next on ${chapters[i - 1]}"; break; }
	go "$n"
	see "$(url_line "$BASE/chapters/${chapters[i]}")" 5 || { walk_fail="Next [$n] on ${chapters[i - 1]} did not reach ${chapters[i]}"; break; }
done
if [ -z "$walk_fail" ]; then pass "Next, $last times from the first chapter, reaches every chapter in order, to the last"
else mapfile -t d < <(echo "$walk_fail"; screen_diag); fail "Next from the first chapter reaches every chapter in order" "${d[@]}"; fi
see '^ *\[[0-9]+\] +Index$' 5
check_not "the last chapter has no Next" '(^|\] +)Next: '
walk_fail=
for i in $(seq "$last" -1 1); do
	see "^ *# $(re "$(title_of "${chapters[i]}")")\$" 5 && see '^ *\[[0-9]+\] +Index$' 5
	n=$(footer_link Previous)
	[ -n "$n" ] || { walk_fail="no Previous on ${chapters[i]}"; break; }
	go "$n"
	see "$(url_line "$BASE/chapters/${chapters[i - 1]}")" 5 || { walk_fail="Previous [$n] on ${chapters[i]} did not reach ${chapters[i - 1]}"; break; }
done
if [ -z "$walk_fail" ]; then pass "Previous, $last times from the last chapter, leads back through every chapter to the first"
else mapfile -t d < <(echo "$walk_fail"; screen_diag); fail "Previous from the last chapter leads back to the first" "${d[@]}"; fi
see '^ *\[[0-9]+\] +Index$' 5
check_not "the first chapter has no Previous" '(^|\] +)Previous: '

# 5. The Atom feed: Amfora recognises it and offers to subscribe
go "$BASE/atom.xml"
check "opening /atom.xml: Amfora offers to subscribe to the feed" 'Would you like to subscribe to this feed\?'
tm send-keys -t amfora Enter        # "Yes" has the focus
gone 'Would you like to subscribe' 5
if grep -q "$(re "$BASE/atom.xml")" "$AHOME/.local/share/amfora/subscriptions.json" 2>/dev/null; then
	pass "answering Yes stores the feed in Amfora's subscriptions"
else
	mapfile -t d < <(ls -R "$AHOME" 2>&1; screen_diag); fail "answering Yes stores the feed in Amfora's subscriptions" "${d[@]}"
fi
tm send-keys -t amfora C-a
check "about:subscriptions lists the feed's entries: '$site_title - Title'" \
    "^ *\[[0-9]+\] +$(re "$site_title - $(title_of "${chapters[0]}")")\$"
check "with every chapter" "^ *\[[0-9]+\] +$(re "$site_title - $(title_of "${chapters[${#chapters[@]}-1]}")")\$"

# 6. Restart the server on the same port with the same certificate
stop_server
start_server --listen "localhost:$FIRST_PORT" || exit 1
if grep -q "listening on 127\.0\.0\.1:$FIRST_PORT\$" "$LOG"; then
	pass "the server listens again on port $FIRST_PORT"
else
	fail "the server listens again on port $FIRST_PORT" "$(cat "$LOG")"
fi
PORT=$FIRST_PORT BASE=gemini://localhost:$FIRST_PORT
requests_before=$(grep -c "/chapters/$prv" "$LOG")
go "$BASE/chapters/$prv"
check "after the restart the same Amfora opens a chapter" "^ *# $(re "$(title_of "$prv")")\$"
check_not "without a certificate-changed warning" 'certificate has changed|TOFU'
served_again() { [ "$(grep -c "/chapters/$prv" "$LOG")" -gt "$requests_before" ]; }
if within 5 served_again; then
	pass "the page came from the restarted server, not Amfora's cache"
else
	fail "the page came from the restarted server, not Amfora's cache" "$(tail -n 8 "$LOG")"
fi

# A new Amfora process, which reads the fingerprint back from tofu.toml
amfora_start "$BASE/"
check "a new Amfora process opens the index after the restart" "^ *# $(re "$site_title")\$"
sleep 0.5; SCREEN=$(screen)
check_not "without a certificate-changed warning" 'certificate has changed|TOFU'
is "$(grep -F "\"localhost:$PORT\"" "$AHOME/.cache/amfora/tofu.toml" 2>/dev/null)" "$tofu_before" \
    "the fingerprint Amfora stored is unchanged"

# Control: a different certificate on the same port is noticed, so the checks
# above would have seen a warning.
stop_server
mv "$WORK/certs" "$WORK/certs.first"
start_server --listen "localhost:$FIRST_PORT" || exit 1
PORT=$FIRST_PORT BASE=gemini://localhost:$FIRST_PORT
go "$BASE/chapters/$nxt"
check "control: a new certificate on the same port makes Amfora warn" 'certificate has changed'
amfora_stop
stop_server
done_testing
