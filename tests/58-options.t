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
done_testing
