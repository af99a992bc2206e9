#!/usr/bin/env bash
# A graphical client: Kristall under Xvfb opens the index, and what it shows
# is read back by OCR (tesseract) from a screenshot.  Then a chapter link is
# clicked where OCR found it, and the chapter page is read the same way.
# Prints TAP.  Run from the repository root:
#   ALMANAC=./almanac GEMGET=./gemget prove -f tests/gui/kristall.sh
# Screenshots and OCR text are kept in build/gui/ for inspection.
# Needs the Debian packages kristall xvfb xdotool imagemagick tesseract-ocr
# tesseract-ocr-eng.

PKGS="kristall xvfb xdotool imagemagick tesseract-ocr tesseract-ocr-eng"
have_tools() {
	local c
	for c in kristall Xvfb xdotool import tesseract; do
		command -v "$c" >/dev/null 2>&1 || return 1
	done
	[ -n "$(find /usr/share/tesseract-ocr -name eng.traineddata 2>/dev/null | head -n 1)" ]
}
if ! have_tools; then
	if [ "$(id -u)" = 0 ] && [ -x tools/deps.sh ]; then
		tools/deps.sh test $PKGS >&2 || true
	fi
	if ! have_tools; then
		if [ "$(id -u)" != 0 ]; then
			echo "1..0 # SKIP kristall, Xvfb, xdotool, imagemagick or tesseract not installed (apt-get install $PKGS)"
			exit 0
		fi
		echo "1..1"
		echo "not ok 1 - the GUI test tools are installed (apt-get install -y $PKGS failed)"
		exit 1
	fi
fi

. tests/lib.sh

OUT=$TOP/build/gui
if ! mkdir -p "$OUT" 2>/dev/null || [ ! -w "$OUT" ]; then
	OUT=${TMPDIR:-/tmp}/almanac-gui-$(id -u)
	mkdir -p "$OUT"
fi
rm -f "$OUT"/kristall-*
KHOME=$WORK/kristall-home
mkdir -p "$KHOME/.config" "$KHOME/.cache" "$KHOME/.local/share"
mkdir -m 700 "$KHOME/run"
XVFB_PID= KRISTALL_PID= DISPLAY_NUM=
W=1024 H=1400

gui_stop() {
	if [ -n "$KRISTALL_PID" ]; then
		kill -TERM "$KRISTALL_PID" 2>/dev/null
		local i
		for i in $(seq 1 30); do kill -0 "$KRISTALL_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$KRISTALL_PID" 2>/dev/null
		wait "$KRISTALL_PID" 2>/dev/null
		KRISTALL_PID=
	fi
	if [ -n "$XVFB_PID" ]; then
		kill -TERM "$XVFB_PID" 2>/dev/null
		wait "$XVFB_PID" 2>/dev/null
		XVFB_PID=
	fi
}
on_exit() { gui_stop; cleanup; }
trap on_exit EXIT

# elapsed_ms START: milliseconds since START (date +%s%N)
elapsed_ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# An X server of our own on a free display number (-displayfd picks it).
Xvfb -displayfd 3 -screen 0 ${W}x${H}x24 -nolisten tcp -noreset \
    3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
t0=$(date +%s%N)
while [ -z "$DISPLAY_NUM" ] && [ "$(elapsed_ms "$t0")" -lt 10000 ]; do
	DISPLAY_NUM=$(tr -dc '0-9' <"$WORK/display" 2>/dev/null)
	[ -n "$DISPLAY_NUM" ] || sleep 0.1
done
if [ -z "$DISPLAY_NUM" ]; then
	mapfile -t d < <(echo "Xvfb's output:"; head -n 20 "$WORK/xvfb.log")
	fail "Xvfb starts within 10 s" "${d[@]}"
	done_testing
fi
export DISPLAY=:$DISPLAY_NUM

# Kristall with a private HOME, config, cache and IPC socket directory: it
# never talks to (or becomes) the user's own running Kristall.
kristall_env() {
	env -i PATH="$PATH" HOME="$KHOME" DISPLAY="$DISPLAY" LANG=C.UTF-8 \
	    XDG_CONFIG_HOME="$KHOME/.config" XDG_CACHE_HOME="$KHOME/.cache" \
	    XDG_DATA_HOME="$KHOME/.local/share" XDG_RUNTIME_DIR="$KHOME/run" \
	    QT_QPA_PLATFORM=xcb NO_AT_BRIDGE=1 "$@"
}

# window: the id of Kristall's main window, if shown
window() { xdotool search --onlyvisible --class kristall 2>/dev/null | head -n 1; }
title() { local w; w=$(window); [ -n "$w" ] && xdotool getwindowname "$w" 2>/dev/null; }
# wait_title REGEX [SECONDS]: polls the window title (at most 10 s)
wait_title() {
	local start; start=$(date +%s%N)
	while :; do
		TITLE=$(title)
		printf '%s\n' "$TITLE" | grep -Eq -- "$1" && return 0
		[ "$(elapsed_ms "$start")" -ge $(( ${2:-10} * 1000 )) ] && return 1
		sleep 0.1
	done
}
# shoot NAME: screenshot to build/gui/kristall-NAME.png, OCR text to .txt,
# word boxes (tesseract TSV) to .tsv.  OCR holds the text.
shoot() {
	local png=$OUT/kristall-$1.png
	import -window root "$png" 2>>"$WORK/import.log" || xwd -root -silent | convert xwd:- "$png"
	tesseract "$png" "$OUT/kristall-$1" -l eng txt tsv >/dev/null 2>&1
	OCR=$(cat "$OUT/kristall-$1.txt" 2>/dev/null)
}
# see_ocr NAME REGEX...: screenshots until the OCR text matches every regex
# (case-insensitive), for at most 10 s.
see_ocr() {
	local name=$1 start r ok; shift
	start=$(date +%s%N)
	while :; do
		shoot "$name"
		ok=1
		for r in "$@"; do printf '%s\n' "$OCR" | grep -Eiq -- "$r" || { ok=0; break; }; done
		[ $ok = 1 ] && return 0
		[ "$(elapsed_ms "$start")" -ge 10000 ] && return 1
		sleep 0.5
	done
}
ocr_diag() {
	echo "window title: '$TITLE'"
	echo "screenshot: ${OUT#$TOP/}/kristall-$1.png; OCR text:"
	printf '%s\n' "$OCR" | grep -v '^[[:space:]]*$' | head -n 40 | sed 's/^/  | /'
	echo "kristall's output (last lines):"
	tail -n 8 "$WORK/kristall.log" | sed 's/^/  | /'
}
# ocr_has NAME REGEX TEST-NAME
ocr_has() {
	local d
	if printf '%s\n' "$OCR" | grep -Eiq -- "$2"; then pass "$3"
	else mapfile -t d < <(echo "wanted in the OCR text: $2"; ocr_diag "$1"); fail "$3" "${d[@]}"; fi
}
# word_center NAME WORD: "x y" of the centre of the first OCR word equal to WORD
word_center() {
	awk -F'\t' -v w="$2" '$1 == 5 && $12 == w { print int($7 + $9 / 2), int($8 + $10 / 2); exit }' \
	    "$OUT/kristall-$1.tsv" 2>/dev/null
}

make_capsule
site_title=$(sed -n 's/^# //p' "$CAPSULE/intro.gmi" | head -n 1)
first=$(ls "$CAPSULE/chapters" | grep -E '^[0-9]{4}.*\.gmi$' | sort | head -n 1)
second=$(ls "$CAPSULE/chapters" | grep -E '^[0-9]{4}.*\.gmi$' | sort | sed -n 2p)
first_title=$(sed -n 's/^# //p' "$CAPSULE/chapters/$first" | head -n 1)
second_title=$(sed -n 's/^# //p' "$CAPSULE/chapters/$second" | head -n 1)
start_server || exit 1
T_START=$(date +%s%N)

# 1. Kristall up.  At its very first start it ignores the URL given on its
# command line (it opens about:blank), so once its window is up the URL is
# handed to the running instance by a second `kristall URL`, which opens it
# in a new tab over Kristall's IPC socket.
kristall_env kristall "$BASE/" >"$WORK/kristall.log" 2>&1 &
KRISTALL_PID=$!
if wait_title 'Kristall' 10; then pass "Kristall's window is up under Xvfb ($DISPLAY)"
else
	TITLE=; OCR=
	mapfile -t d < <(ocr_diag start); fail "Kristall's window is up under Xvfb ($DISPLAY)" "${d[@]}"
	gui_stop; stop_server; done_testing
fi
w=$(window)
xdotool windowmove "$w" 0 0 windowsize "$w" "$W" "$H" 2>/dev/null
if ! printf '%s\n' "$TITLE" | grep -Fq "$site_title"; then
	for try in 1 2 3; do
		kristall_env timeout 10 kristall "$BASE/" >>"$WORK/kristall.log" 2>&1
		wait_title "$(printf '%s' "$site_title" | sed 's/[][\.*^$+?(){}|]/\\&/g')" 10 && break
	done
fi
if printf '%s\n' "$TITLE" | grep -Fq "$site_title"; then
	pass "Kristall opens $BASE/: the window title is the index's title"
else
	shoot index
	mapfile -t d < <(ocr_diag index); fail "Kristall opens $BASE/: the window title is the index's title" "${d[@]}"
fi

# 2. What the index looks like, read back by OCR
see_ocr index 'Camp Ashraf' "$first_title" >/dev/null
ocr_has index 'Camp Ashraf' "OCR of the screenshot finds the index's title 'Camp Ashraf'"
ocr_has index "$first_title" "OCR finds a chapter link: '$first_title'"
ocr_has index "$second_title" "and the next one: '$second_title'"
ocr_has index 'text/gemini' "Kristall's status bar shows the type text/gemini"
# The toolbar's "Client Certificate" button is no warning.
if printf '%s\n' "$OCR" | sed 's/Client Certificate//Ig' | grep -Eiq 'untrusted|mistrusted|certificate'; then
	mapfile -t d < <(ocr_diag index); fail "no certificate warning: Kristall trusted the self-signed certificate on first use" "${d[@]}"
else
	pass "no certificate warning: Kristall trusted the self-signed certificate on first use"
fi

# 3. Click the first chapter's link where OCR found it
xy=$(word_center index "$(printf '%s' "$first_title" | awk '{print $1}')")
if [ -n "$xy" ]; then
	xdotool mousemove $xy click 1
	if wait_title "^$(printf '%s' "$first_title" | sed 's/[][\.*^$+?(){}|]/\\&/g')" 10; then
		pass "clicking '$first_title' opens the chapter (window title '$TITLE')"
	else
		shoot chapter
		mapfile -t d < <(ocr_diag chapter); fail "clicking '$first_title' opens the chapter" "${d[@]}"
	fi
	heading="^[[:space:]]*$(printf '%s' "$first_title" | sed 's/[][\.*^$+?(){}|]/\\&/g')[[:space:]]*\$"
	see_ocr chapter "$heading" >/dev/null
	ocr_has chapter "$heading" "OCR finds the chapter's heading on the page"
	# the footer is at the end of the page: scroll down with the mouse wheel
	xdotool mousemove $((W / 2)) $((H / 2)) click --repeat 15 --delay 20 5 2>/dev/null
	see_ocr chapter-end "Next:.*$second_title" >/dev/null
	ocr_has chapter-end "Next: .*$second_title" "scrolled down, OCR finds its footer: 'Next: ... $second_title'"
	ocr_has chapter-end "All pages from ${first:0:4}" "the year page link"
	ocr_has chapter-end "Index" "and the link back to the index"
else
	mapfile -t d < <(ocr_diag index); fail "OCR located the link '$first_title' to click" "${d[@]}"
fi
served() { grep -q "\"$BASE/chapters/$first\" 20 " "$LOG"; }
ok_cmd "the server logged the chapter request with status 20" within 5 served

echo "# Kristall part took $(( $(elapsed_ms "$T_START") / 1000 )) s; screenshots and OCR text in ${OUT#$TOP/}/"
gui_stop
stop_server
done_testing
