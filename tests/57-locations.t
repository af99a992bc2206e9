#!/usr/bin/env bash
# Locations: per-path rules in the configuration file (lang, default type, auto index, index, block return), first match wins, protected pages kept out of the chronicle.
. tests/lib.sh

make_capsule
ch=$CAPSULE/chapters
mkdir -p "$CAPSULE/fr" "$CAPSULE/bare" "$CAPSULE/shut" "$CAPSULE/other" "$CAPSULE/private" "$CAPSULE/old"
printf '# Bonjour\n' >"$CAPSULE/fr/page.gmi"
printf '# Sans extension\nTexte.\n' >"$CAPSULE/bare/README"
printf '# No extension at the root\n' >"$CAPSULE/NOTES"
printf 'plain\n' >"$CAPSULE/shut/a.txt"
printf '# Start here\n' >"$CAPSULE/other/start.gmi"
printf 'x\n' >"$CAPSULE/other/x.txt"
printf '# Members only\n' >"$CAPSULE/private/2012-05-secret.gmi"
printf '# Members too\n' >"$ch/2012-06-members-only.gmi"
cat >"$WORK/loc.conf" <<CONF
listen "localhost:0"
max-per-address 0
server "localhost" {
	root "$CAPSULE"
	certs "$WORK/certs"
	location "/fr/*" {
		lang "fr"
	}
	location "/bare/*" {
		default type "text/gemini"
	}
	location "/shut/*" {
		auto index off
	}
	location "/other/*" {
		index "start.gmi"
	}
	location "/old/*" {
		block return 31 "/new%p"
	}
	location "/gone/*" {
		block return 52 "moved away: %p"
	}
	location "/expand/*" {
		block return 30 "gemini://%N:%P/search?%q 100%%"
	}
	location "/slow/*" {
		block return 44 "60"
	}
	location "/blocked/*" {
		block
	}
	location "/first/*" {
		block return 51 "the first location"
	}
	location "/first/*" {
		block return 52 "the second location"
	}
	location "/private/*" {
		require client certificate
	}
$(for code in 30 31 40 41 42 43 44 50 51 52 53 59; do printf '\tlocation "/code/%s/*" {\n\t\tblock return %s "code %s for %%p"\n\t}\n' $code $code $code; done)
	location "*-members-only.gmi" {
		require client certificate
	}
}
CONF
start_config "$WORK/loc.conf"

is "$(header "$BASE/fr/page.gmi")" "20 text/gemini; charset=utf-8; lang=fr" "lang in a location"
is "$(header "$BASE/chapters/1986-building-the-camp.gmi")" "20 text/gemini; charset=utf-8; lang=en" "  and the server's lang elsewhere"
is "$(header "$BASE/bare/README")" "20 text/gemini" "default type names an extensionless file"
unlike "$(header "$BASE/NOTES")" '^20 text/gemini' "  only under its location"
like "$(header "$BASE/shut/")" '^51 ' "auto index off: a directory without an index answers 51"
like "$(header "$BASE/shut/a.txt")" '^20 text/plain' "  its files are still served"
like "$(header "$BASE/chapters/")" '^20 ' "auto index on (the default) elsewhere: a listing"
like "$(body "$BASE/other/")" '^# Start here' "index \"start.gmi\": the file a directory serves"
is "$(header "$BASE/old/a/b.gmi")" "31 /new/old/a/b.gmi" "block return 31 with %p, relative as written"
is "$(header "$BASE/gone/x")" "52 moved away: /gone/x" "block return 52"
is "$(header "$BASE/expand/q?x%20y")" "30 gemini://localhost:$PORT/search?x%20y 100%" "%N %P %q and %% expand"
is "$(header "$BASE/slow/x")" "44 60" "block return 44"
is "$(header "$BASE/blocked/x")" "51 not found" "block alone is 51 not found"
is "$(header "$BASE/first/x")" "51 the first location" "the first location that matches applies"
for code in 30 31 40 41 42 43 44 50 51 52 53 59; do
	is "$(header "$BASE/code/$code/x")" "$code code $code for /code/$code/x" "block return $code answers $code with its META"
done

# Pages under a location that requires a certificate stay out of the chronicle
like "$(header "$BASE/private/2012-05-secret.gmi")" '^60 ' "a protected page without a certificate: 60"
idx=$(body "$BASE/")
unlike "$idx" 'secret|Members' "protected pages are not on the index"
unlike "$(body "$BASE/2012/")" 'secret|Members' "  nor on their year page"
unlike "$(body "$BASE/feed.gmi")$(body "$BASE/atom.xml")" 'secret|members' "  nor in the feeds"
unlike "$(body "$BASE/timeline.gmi")" 'secret|Members' "  nor on the timeline"
unlike "$(body "$BASE/chapters/2011-04-attack.gmi")$(body "$BASE/chapters/2013-09-01-attack-on-ashraf.gmi")" 'members-only' "  nor in public pages' footers"
stop_server
done_testing
