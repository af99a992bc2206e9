#!/usr/bin/env bash
# Scale: a capsule of 10,000 generated pages is indexed and served.
. tests/lib.sh

make_capsule empty
mkdir -p "$CAPSULE/chapters"
printf '# Big capsule\n' >"$CAPSULE/intro.gmi"
perl -e 'for my $i (0 .. 9999) {
	my $f = sprintf("%s/%04d-%02d-%02d-page-%05d.gmi", $ARGV[0],
	    1900 + $i % 120, 1 + $i % 12, 1 + $i % 28, $i);
	open(my $fh, ">", $f) or die "$f: $!";
	print $fh "# Page $i\n\nGenerated page number $i.\n";
	close($fh);
}' "$CAPSULE/chapters"
start_server || exit 1
like "$(cat "$LOG")" '\(10000 dated pages\)' "10,000 pages are indexed at start-up"
idx=$(body "$BASE/")
is "$(printf '%s\n' "$idx" | grep -c '^=> /chapters/')" 10000 "the index lists all 10,000"
is "$(printf '%s\n' "$idx" | grep -c '^=> /[0-9]\{4\}/ Year [0-9]\{4\}$')" 120 "in 120 years"
like "$(body "$BASE/chapters/1910-11-11-page-05050.gmi")" 'Next: 1910-' "a page deep in the capsule is served with its footer"
like "$(body "$BASE/1910/")" 'page-05050' "its year page lists it"
printf '# Late addition\n' >"$CAPSULE/chapters/2019-12-31-late.gmi"
ok_cmd "a page dropped into the big capsule appears within 1 s" within 1 has "$BASE/2019/" 'late'
stop_server
done_testing
