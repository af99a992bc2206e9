#!/usr/bin/env bash
# One table of options: the command line and the configuration file refuse the same bad values, for the same reason.
. tests/lib.sh

# option (as in the file)|bad value|what the reason says
while IFS='|' read -r opt value reason; do
	[ -n "$opt" ] || continue
	# numbers are bare digits in the file, other values quoted strings
	case $opt in listen|lang|log-format) v="\"$value\"" ;; *) v=$value ;; esac
	case $opt in
	lang|feed-entries) printf 'server "localhost" {\n\t%s %s\n}\n' "$opt" "$v" >"$WORK/bad.conf" ;;
	*) printf '%s %s\n' "$opt" "$v" >"$WORK/bad.conf" ;;
	esac
	file=$("$ALMANAC" -n -f "$WORK/bad.conf" 2>&1); frc=$?
	cli=$("$ALMANAC" -n "--$opt" "$value" 2>&1); crc=$?
	is "$frc $crc" "2 2" "$opt '$value' is refused by the file and by the command line"
	like "$file" "$reason" "  the file says why"
	like "$cli" "$reason" "  and the command line says the same"
done <<'CASES'
listen|foo|expected HOST:PORT
listen|localhost:99999|expected HOST:PORT
listen|localhost:|expected HOST:PORT
listen|a b:1965|expected HOST:PORT
lang|en; x=y|language tag
lang|en fr|language tag
workers|65|number from 0 to 64
workers|-1|number from 0 to 64
request-timeout|0|number from 1 to 3600
write-timeout|99999|number from 1 to 3600
max-lifetime|x|number from 1 to 86400
max-connections|0|number from 1 to 1000000
max-per-address|1e3|number from 0 to 1000000
rate-per-address|-5|number from 0 to 1000000
feed-entries|0|number from 1 to 100000
log-format|apache|almanac or common
CASES

# --hostname checks what a server name in the file is checked for
printf 'server "bad name!" {\n}\n' >"$WORK/bad.conf"
like "$("$ALMANAC" -n -f "$WORK/bad.conf" 2>&1)" "only letters, digits" "a server name with a blank and '!' is refused in the file"
like "$("$ALMANAC" -n --hostname 'bad name!' 2>&1)" "only letters, digits" "  and as --hostname"
out=$("$ALMANAC" -n --listen '[::1]:0' --listen 'localhost:1965' --hostname a.example --hostname b.example --lang fr-CA 2>&1)
like "$out" 'configuration OK' "good values pass on the command line ($out)"
# almanac -n checks what start-up needs, naming each path that is missing
mkdir -p "$WORK/good"
printf 'x\n' >"$WORK/notadir"
out=$("$ALMANAC" -n --root "$WORK/nowhere" --certs "$WORK/certs" 2>&1); rc=$?
is "$rc" 2 "-n fails when the root is missing"
like "$out" "root $WORK/nowhere: No such file" "  and names it"
like "$("$ALMANAC" -n --root "$WORK/notadir" 2>&1)" "root $WORK/notadir: not a directory" "-n: a root that is a file"
like "$("$ALMANAC" -n --root "$WORK/good" --certs "$WORK/no/such/dir" 2>&1)" "certificates $WORK/no/such/dir: No such file" "-n: a certs directory that cannot be created"
mkdir -p "$WORK/half"; : >"$WORK/half/cert.pem"
like "$("$ALMANAC" -n --root "$WORK/good" --certs "$WORK/half" 2>&1)" "only one of cert.pem and key.pem" "-n: a certs directory with one of the two files"
like "$("$ALMANAC" -n --root "$WORK/good" --certs "$WORK/certs" --log "$WORK/no/dir/almanac.log" 2>&1)" "log file $WORK/no/dir/almanac.log: No such file" "-n: a log file whose directory is missing"
cat >"$WORK/allow.conf" <<CONF
server "localhost" {
	root "$WORK/good"
	certs "$WORK/certs"
	location "/p/*" {
		allow clients "$WORK/missing-list"
	}
}
CONF
like "$("$ALMANAC" -n -f "$WORK/allow.conf" 2>&1)" "allow list $WORK/missing-list: No such file" "-n: an allow-list file that cannot be read"
sed -i "s|$WORK/missing-list|$WORK/list|" "$WORK/allow.conf"; : >"$WORK/list"
out=$("$ALMANAC" -n -f "$WORK/allow.conf" 2>&1)
like "$out" "configuration OK" "-n passes once everything is there"
like "$out" 'gemini://localhost/' "  and prints each host's URL"
like "$out" "root $WORK/good" "  its root"
like "$out" 'certificate .*generated on first start' "  where its certificate comes from"
like "$out" "location \"/p/\*\": .*allows those in $WORK/list" "  and what each location does"
done_testing
