#!/usr/bin/env bash
# Client-certificate access with real certificates: 60 without one, 62 out of its dates, 61 not allowed, 20 allowed by either fingerprint, an allow file edited while running; the fingerprint in the access log.
. tests/lib.sh

make_capsule
mkdir -p "$CAPSULE/members" "$CAPSULE/friends" "$CAPSULE/any" "$CAPSULE/club/secret"
printf 'open\n' >"$CAPSULE/club/open.txt"
printf 'hidden\n' >"$CAPSULE/club/hidden.txt"
printf '# Secret\n' >"$CAPSULE/club/secret/page.gmi"
printf '# For members\n' >"$CAPSULE/members/page.gmi"
printf '# For friends\n' >"$CAPSULE/friends/page.gmi"
printf '# For anyone with a certificate\n' >"$CAPSULE/any/page.gmi"
ids=$WORK/ids
mkdir -p "$ids/db"
# A self-signed identity, as Lagrange and Amfora make them; DAYS or START END (openssl ca dates).
identity() {
	local name=$1
	if [ $# = 2 ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$2" \
		    -keyout "$ids/$name.key" -out "$ids/$name.pem" -subj "/CN=$name" >/dev/null 2>&1
		return
	fi
	: >"$ids/db/index.txt"; echo 01 >"$ids/db/serial"
	printf '[ca]\ndefault_ca=c\n[c]\ndatabase=%s/db/index.txt\nserial=%s/db/serial\nnew_certs_dir=%s/db\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' \
	    "$ids" "$ids" "$ids" >"$ids/ca.cnf"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ids/$name.key" \
	    -out "$ids/$name.csr" -subj "/CN=$name" >/dev/null 2>&1
	openssl ca -config "$ids/ca.cnf" -selfsign -keyfile "$ids/$name.key" -in "$ids/$name.csr" \
	    -out "$ids/$name.pem" -startdate "$2" -enddate "$3" -batch >/dev/null 2>&1
}
spki() { openssl x509 -in "$ids/$1.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -c1-64; }
certfp() { openssl x509 -in "$ids/$1.pem" -noout -fingerprint -sha256 | cut -d= -f2; }
identity alice 30; identity bob 30; identity carol 30
identity expired 20000101000000Z 20010101000000Z
identity future 20400101000000Z 20410101000000Z
as() { local who=$1 url=$2; "$GEMGET" -t 10 -c "127.0.0.1:$PORT" -H --cert "$ids/$who.pem" --key "$ids/$who.key" "$url"; }

# alice by her public key's SHA-256 (colons, upper case, SHA256: prefix), bob by his certificate's
printf '# friends of the capsule\n%s\n\n# carol is added while running\n' "$(spki alice)" >"$WORK/friends.txt"
cat >"$WORK/access.conf" <<CONF
listen "localhost:0"
max-per-address 0
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	location "/members/*" {
		allow client "SHA256:$(spki alice | sed 's/../&:/g; s/:$//' | tr a-f A-F)"
		allow client "$(certfp bob)"
	}
	location "/friends/*" {
		allow clients "$WORK/friends.txt"
	}
	location "/any/*" {
		require client certificate
	}
	location "/club/secret*" {
		allow client "$(spki alice)"
	}
	location "/club/hidden.txt" {
		block
	}
}
CONF
start_config "$WORK/access.conf"

like "$(header "$BASE/any/page.gmi")" '^60 ' "require client certificate, without one: 60"
like "$(as carol "$BASE/any/page.gmi")" '^20 ' "  with any valid self-signed certificate: 20"
like "$(as expired "$BASE/any/page.gmi")" '^62 ' "  with an expired certificate: 62"
like "$(as future "$BASE/any/page.gmi")" '^62 ' "  with a certificate not yet valid: 62"
like "$(header "$BASE/members/page.gmi")" '^60 ' "an allow list, without a certificate: 60"
like "$(as alice "$BASE/members/page.gmi")" '^20 ' "allow client by the public key's SHA-256 (colons, SHA256:): 20"
like "$(as bob "$BASE/members/page.gmi")" '^20 ' "allow client by the certificate's SHA-256: 20"
like "$(as carol "$BASE/members/page.gmi")" '^61 ' "a certificate on no list: 61"
like "$(as expired "$BASE/members/page.gmi")" '^62 ' "  an expired one: 62"
like "$(as alice "$BASE/friends/page.gmi")" '^20 ' "allow clients FILE: a listed public key: 20"
like "$(as carol "$BASE/friends/page.gmi")" '^61 ' "  one not listed: 61"
ok_cmd "the access log names carol by her public key's SHA-256" within 2 grep -q "/friends/page.gmi\" 61 [0-9]* [0-9.]*ms SHA256:$(spki carol)" "$LOG"

# The file edited in place, then replaced by a rename, then broken: read within 2 seconds each time
printf '%s\n' "$(spki carol)" >>"$WORK/friends.txt"
ok_cmd "carol's fingerprint appended to the file: 20 within 2 s, no restart" within 2 sh -c "'$GEMGET' -t 3 -c 127.0.0.1:$PORT -H --cert '$ids/carol.pem' --key '$ids/carol.key' '$BASE/friends/page.gmi' | grep -q '^20 '"
printf '%s\n' "$(spki bob)" >"$WORK/friends.new"; mv "$WORK/friends.new" "$WORK/friends.txt"
ok_cmd "the file replaced by a rename: bob allowed" within 2 sh -c "'$GEMGET' -t 3 -c 127.0.0.1:$PORT -H --cert '$ids/bob.pem' --key '$ids/bob.key' '$BASE/friends/page.gmi' | grep -q '^20 '"
like "$(as alice "$BASE/friends/page.gmi")" '^61 ' "  and alice, no longer listed, gets 61"
printf 'not a fingerprint\n' >"$WORK/friends.txt"
ok_cmd "a broken file is logged with its line" within 3 grep -q 'friends.txt:1: .*keeping the last good list' "$LOG"
like "$(as bob "$BASE/friends/page.gmi")" '^20 ' "  and the last good list stays"
chmod 000 "$WORK/friends.txt"
if [ "$(id -u)" != 0 ]; then
	ok_cmd "an unreadable file is logged" within 3 grep -q 'cannot be read; keeping the last good list' "$LOG"
else
	pass "an unreadable file: root reads it anyway # SKIP"
fi
chmod 644 "$WORK/friends.txt"
unlike "$(body "$BASE/")" 'members|friends|For anyone' "protected pages are not on the index"
listing=$(body "$BASE/club/")
like "$listing" 'open\.txt' "a listing shows what the client may open"
unlike "$listing" 'secret|hidden' "  and leaves out a protected directory and a blocked file"
like "$("$GEMGET" -t 10 -c "127.0.0.1:$PORT" -B --cert "$ids/alice.pem" --key "$ids/alice.key" "$BASE/club/")" 'secret/' "  which an allowed client sees listed"
stop_server

# A bad fingerprint in the file is refused by -n, with the line
sed -i 's|allow client "\(SHA256:[^"]*\)"|allow client "nonsense"|' "$WORK/access.conf"
like "$("$ALMANAC" -n -f "$WORK/access.conf" 2>&1)" 'access.conf:[0-9]+: .allow client. takes a SHA-256 fingerprint' "a malformed allow client fingerprint is refused with its line"
done_testing
