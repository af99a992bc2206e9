#!/usr/bin/env bash
# Titan uploads: new, replace, delete, edit; every refusal answered before the body; bodies cut, stalled or too long leave the page and no temporary file; concurrent uploads; tokens and certificates; read your writes; SIGHUP; the same under --user with Landlock and seccomp.
. tests/lib.sh

make_capsule
mkdir -p "$CAPSULE/notes" "$CAPSULE/open" "$CAPSULE/notes/sub"
printf '# Old note\n\nthe old text\n' >"$CAPSULE/notes/old.gmi"
ids=$WORK/ids
mkdir -p "$ids"
identity() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	    -keyout "$ids/$1.key" -out "$ids/$1.pem" -subj "/CN=$1" >/dev/null 2>&1
}
spki() { openssl x509 -in "$ids/$1.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -c1-64; }
identity alice; identity bob

write_conf() {
	cat >"$1" <<CONF
listen "localhost:0"
max-per-address 0
request-timeout 2
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	location "/notes/*" {
		titan on
		titan token "tok one"
		titan token "second"
		titan max size 20000
	}
	location "/club/*" {
		titan on
		allow client "$(spki alice)"
	}
}
CONF
}
write_conf "$WORK/titan.conf"
start_config "$WORK/titan.conf"
[ -n "$PORT" ] || { echo "# server did not start"; sed 's/^/#   /' "$LOG"; exit 1; }
T=titan://localhost:$PORT
up() { "$GEMGET" -t 10 -c "127.0.0.1:$PORT" "$@"; }
tp() { python3 "$TOP/tests/titan.py" "$@"; }
temps() { find "$CAPSULE" -name '.titan-*' | wc -l; }

# Upload a new page, replace it, read it back raw, delete it.
printf '# A new note\n\nwritten from a shell\n' >"$WORK/new.gmi"
is "$(up -H --titan "$WORK/new.gmi" --token 'tok one' "$T/notes/new.gmi")" \
    "30 gemini://localhost:$PORT/notes/new.gmi" "upload a new page: 30 to its gemini URL"
ok_cmd "  the file is the body, byte for byte" cmp "$WORK/new.gmi" "$CAPSULE/notes/new.gmi"
like "$(body "$BASE/notes/new.gmi")" 'written from a shell' "  and it is served"
printf '# A new note\n\nreplaced\n' >"$WORK/new2.gmi"
like "$(up --titan "$WORK/new2.gmi" --token second "$T/notes/new.gmi")" '^30 ' "replace a page: 30"
ok_cmd "  the file is the new body" cmp "$WORK/new2.gmi" "$CAPSULE/notes/new.gmi"
like "$(up -H --edit --token second "$T/notes/new.gmi")" '^20 text/gemini' "edit: 20 with the page's type"
up --edit --token second -o "$WORK/edited" "$T/notes/new.gmi"
ok_cmd "  the raw content, without navigation" cmp "$WORK/new2.gmi" "$WORK/edited"
like "$(up -H --edit --token second "$T/notes/none.gmi")" '^51 ' "edit a page that does not exist: 51 (the editor starts empty)"
like "$(up -H --edit "$T/notes/new.gmi")" '^60 ' "edit without credentials: 60"
is "$(up -H --delete --token second "$T/notes/new.gmi")" "30 gemini://localhost:$PORT/notes/" \
    "delete (size=0): 30 to the page's directory"
ok_cmd "  the file is gone" test ! -e "$CAPSULE/notes/new.gmi"
like "$(up --delete --token second "$T/notes/new.gmi")" '^51 ' "delete a missing page: 51"
printf 'deep\n' >"$WORK/deep.txt"
like "$(up --titan "$WORK/deep.txt" --token second "$T/notes/a/b/deep.txt")" '^30 ' "an upload into directories that do not exist yet"
ok_cmd "  makes them" cmp "$WORK/deep.txt" "$CAPSULE/notes/a/b/deep.txt"

# Read your writes: the index and the footers have the page when the 30 comes.
printf '# Fresh from Titan\n\nnew today\n' >"$WORK/fresh.gmi"
up --titan "$WORK/fresh.gmi" --token second "$T/notes/2031-01-02-fresh.gmi" >/dev/null
like "$(body "$BASE/")" 'Fresh from Titan' "the index lists the page at once, with no wait for inotify"
like "$(body "$BASE/notes/2031-01-02-fresh.gmi")" '=> /2031/' "  and the page has its footer"
# Lagrange's "Edit Page with Titan" sends the page back as it was served, navigation included.
body "$BASE/notes/2031-01-02-fresh.gmi" | sed 's/new today/edited/' >"$WORK/edited.gmi"
like "$(up -H --titan "$WORK/edited.gmi" --token second "$T/notes/2031-01-02-fresh.gmi")" '^30 ' "a page sent back with its navigation"
is "$(cat "$CAPSULE/notes/2031-01-02-fresh.gmi")" "$(printf '# Fresh from Titan\n\nedited')" "  is stored without it"

# Every refusal comes before the body: only the request line is sent.
S=20000
like "$(tp "$PORT" "$T/open/x.gmi;size=10;token=tok%20one")" '^59 .*not enabled' "Titan off at that path: 59 before the body"
like "$(tp "$PORT" "$T/notes/x.gmi;token=second")" '^59 size missing' "size missing: 59"
like "$(tp "$PORT" "$T/notes/x.gmi;size=12a;token=second")" '^59 size is not a number' "size not a number: 59"
like "$(tp "$PORT" "$T/notes/x.gmi;size=-1;token=second")" '^59 ' "a negative size: 59"
like "$(tp "$PORT" "$T/notes/x.gmi;size=20001;token=second")" "^59 size over the limit.* $S" "size over the limit: 59 saying the limit"
like "$(tp "$PORT" "$T/notes/x.gmi;size=1000")" '^60 ' "no token and no certificate: 60"
like "$(tp "$PORT" "$T/notes/x.gmi;size=1000;token=wrong")" '^61 ' "a wrong token: 61"
like "$(tp "$PORT" "$T/club/x.gmi;size=1000" --cert "$ids/bob.pem" --key "$ids/bob.key")" '^61 ' "a certificate not allowed: 61"
like "$(tp "$PORT" "$T/club/x.gmi;size=1000")" '^60 ' "  no certificate there: 60"
like "$(tp "$PORT" "$T/notes/sub/;size=1000;token=second")" '^59 .*directory' "a directory's path: 59"
like "$(tp "$PORT" "$T/notes/sub;size=1000;token=second")" '^59 .*directory' "a directory without its slash: 59"
like "$(tp "$PORT" "$T/notes/.hidden.gmi;size=1000;token=second")" '^59 .*dotfile' "a dotfile: 59"
like "$(tp "$PORT" "$T/notes/x.gmi~;size=1000;token=second")" '^59 ' "an editor's leftover: 59"
like "$(tp "$PORT" "$T/notes/../../etc/x.gmi;size=1000;token=second")" '^59 .*climbs' "a traversal above the root: 59"
like "$(tp "$PORT" "$T/notes/..%2f..%2fx.gmi;size=1000;token=second")" '^59 ' "an encoded slash: 59"
like "$(tp "$PORT" "titan://elsewhere.example:$PORT/notes/x.gmi;size=1000;token=second")" '^53 ' "another host: 53"
long=$(printf '%01100d' 0)
like "$(tp "$PORT" "$T/notes/$long.gmi;size=1;token=second")" '^59 ' "a request line over 1024 bytes: 59"
is "$(temps)" 0 "no temporary file after the refusals"
ok_cmd "the traversal wrote nothing outside the capsule" test ! -e "$WORK/etc/x.gmi"

# Bodies that end early, stall, or run long leave the old page and no temporary file.
head -c 5000 /dev/urandom | base64 -w 64 >"$WORK/big.txt"
n=$(stat -c %s "$WORK/big.txt")
is "$(tp "$PORT" "$T/notes/old.gmi;size=$n;token=second" --body "$WORK/big.txt" --cut 1000)" closed "a body cut in the middle"
sleep 0.3
like "$(cat "$CAPSULE/notes/old.gmi")" 'the old text' "  the old page is intact"
is "$(temps)" 0 "  no temporary file is left"
like "$(cat "$LOG")" 'old.gmi;size=[0-9]*;token=\*\*\*" - .*\(titan: body cut short' "  the access log says so"
start=$(date +%s)
is "$(tp "$PORT" "$T/notes/old.gmi;size=$n;token=second" --body "$WORK/big.txt" --send 1000 --timeout 6)" closed \
    "a body that stalls: closed after the request timeout"
is "$(( $(date +%s) - start < 5 ))" 1 "  within the request timeout (2 s), not the client's"
like "$(cat "$CAPSULE/notes/old.gmi")" 'the old text' "  the old page is intact"
is "$(temps)" 0 "  no temporary file is left"
sleep 0.3
like "$(cat "$LOG")" 'titan: body stalled' "  the access log says so"
like "$(tp "$PORT" "$T/notes/old.gmi;size=$n;token=second" --body "$WORK/big.txt" --extra 100)" '^59 .*longer' \
    "a body longer than its size: 59"
like "$(cat "$CAPSULE/notes/old.gmi")" 'the old text' "  the old page is intact"
is "$(temps)" 0 "  no temporary file is left"

# Two uploads to one path at once: one wins whole.
head -c 15000 /dev/zero | tr '\0' a >"$WORK/aaa"
head -c 15000 /dev/zero | tr '\0' b >"$WORK/bbb"
tp "$PORT" "$T/notes/race.txt;size=15000;token=second" --body "$WORK/aaa" --pause 0.5 >"$WORK/race1" &
p1=$!
tp "$PORT" "$T/notes/race.txt;size=15000;token=second" --body "$WORK/bbb" --pause 0.5 >"$WORK/race2" &
p2=$!
wait "$p1" "$p2"
like "$(cat "$WORK/race1") $(cat "$WORK/race2")" '^30 .* 30 ' "two concurrent uploads to one path: both answered 30"
got=$(tr -d '\n' <"$CAPSULE/notes/race.txt" | fold -w1 | sort -u | tr -d '\n')
like "$got:$(stat -c %s "$CAPSULE/notes/race.txt")" '^(a|b):15000$' "  the page is one of them, whole, never a mix"
is "$(temps)" 0 "  no temporary file is left"

# Certificates and tokens; the log names which, never the token.
printf '# Club\n' >"$WORK/club.gmi"
like "$(up --titan "$WORK/club.gmi" --cert "$ids/alice.pem" --key "$ids/alice.key" "$T/club/page.gmi")" '^30 ' \
    "a certificate of the allow list uploads"
ok_cmd "  the page is there" cmp "$WORK/club.gmi" "$CAPSULE/club/page.gmi"
sleep 0.3
like "$(grep 'club/page.gmi' "$LOG")" "SHA256:[0-9a-f]{64} \\(titan: [0-9]+ bytes written, certificate\\)" \
    "  logged with the client's fingerprint, the bytes and the result"
like "$(grep 'deep.txt' "$LOG")" '30 [0-9]+ .*\(titan: 5 bytes written, token 2\)' "a token upload is logged as its position (token 2)"
unlike "$(cat "$LOG")" 'token=second|tok%20one|token=wrong' "the tokens themselves are never logged"

# SIGHUP while an upload is under way: it completes.
tp "$PORT" "$T/notes/hup.txt;size=15000;token=second" --body "$WORK/aaa" --pause 1 >"$WORK/hup" &
p1=$!
sleep 0.4
kill -HUP "$(served_pid)"
wait "$p1"
like "$(cat "$WORK/hup")" '^30 ' "SIGHUP during an upload: it still ends with 30"
ok_cmd "  the page is whole" cmp "$WORK/aaa" "$CAPSULE/notes/hup.txt"
like "$(header "$BASE/")" '^20 ' "  the server still serves"
stop_server

# The same under --user, Landlock and seccomp: writing only where Titan is on.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod a+x "$WORK"; chmod -R a+rX "$CAPSULE"
	rm -rf "$CAPSULE/club"	# made again at start, as the user
	chown -R nobody "$CAPSULE/notes"
	printf 'user nobody\n' >"$WORK/user.conf"; cat "$WORK/titan.conf" >>"$WORK/user.conf"
	out=$("$ALMANAC" -n -f "$WORK/user.conf" 2>&1)
	like "$out" 'titan uploads in .*capsule: the --user cannot write there' \
	    "almanac -n: the --user cannot make the location's directory in the capsule"
	chown nobody "$CAPSULE"
	ok_cmd "  and says nothing once it can" "$ALMANAC" -n -f "$WORK/user.conf"
	start_config "$WORK/user.conf"
	T=titan://localhost:$PORT
	is "$(stat -c %U /proc/$(served_pid))" nobody "the server runs as nobody"
	if grep -q 'Landlock (ABI' "$LOG"; then
		like "$(grep 'Landlock (ABI' "$LOG")" "writable $CAPSULE/notes, $CAPSULE/club, $WORK/state; " \
		    "Landlock: writable the Titan locations' directories and the state directory only"
	else
		pass "Landlock is not on in this build # SKIP"
	fi
	ok_cmd "the club directory was made at start, as the user" test "$(stat -c %U "$CAPSULE/club")" = nobody
	if grep -q 'seccomp:' "$LOG"; then
		like "$(grep 'seccomp:' "$LOG")" 'with what Titan uploads write' "seccomp: with the calls uploads need"
	else
		pass "seccomp is not on in this build # SKIP"
	fi
	like "$(up --titan "$WORK/new.gmi" --token second "$T/notes/confined/new.gmi")" '^30 ' "an upload under the sandbox"
	ok_cmd "  the file is there" cmp "$WORK/new.gmi" "$CAPSULE/notes/confined/new.gmi"
	like "$(up --titan "$WORK/big.txt" --token second "$T/notes/confined/new.gmi")" '^30 ' "  replaced"
	like "$(up --delete --token second "$T/notes/confined/new.gmi")" '^30 ' "  deleted"
	like "$(body "$BASE/")" 'Fresh from Titan' "  the index still lists the earlier upload"
	unlike "$(cat "$LOG")" 'Operation not permitted|Permission denied' "  no permission error"
	stop_server
else
	for n in $(seq 14); do pass "not root: --user not tested # SKIP"; done
fi
done_testing
