/* test_pubdates: the state file of first-seen dates parsed, written and refused, and kept in a directory (src/pubdates.c). */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "pubdates.h"
#include "tap.h"

#define NAME	"host.dates"

static char	 err[512];

static int
parse(struct pubdates *pd, const char *text)
{
	err[0] = '\0';
	return pubdates_parse(pd, text, strlen(text), NAME, err, sizeof(err));
}

static time_t
date_of(const struct pubdates *pd, const char *path)
{
	time_t	 t = -12345;

	return pubdates_get(pd, path, &t) ? t : -12345;
}

static void
test_parse(void)
{
	struct pubdates	*pd = pubdates_new();

	is_int(parse(pd, "# a comment\n\n"
	    "2013-09-01T12:00:00Z chapters/2013-09-01-attack.gmi\n"
	    "1970-01-01T00:00:00Z a b c.gmi\r\n"
	    "2000-02-29T23:59:59Z leap.gmi\n"
	    "1969-12-31T23:59:59Z before-epoch.gmi\n"
	    "9999-12-31T23:59:59Z last.gmi"), 0,
	    "entries, a comment, a blank line, CRLF, no final newline");
	is_str(err, "", "  no error");
	is_int(pubdates_count(pd), 5, "  five entries");
	is_int(date_of(pd, "chapters/2013-09-01-attack.gmi"), 1378036800,
	    "  the date, in UTC");
	is_int(date_of(pd, "a b c.gmi"), 0, "  a path with spaces, the epoch");
	is_int(date_of(pd, "leap.gmi"), 951868799, "  a leap day");
	is_int(date_of(pd, "before-epoch.gmi"), -1, "  a second before 1970");
	is_int(date_of(pd, "last.gmi"), 253402300799LL, "  the last second of 9999");
	is_int(date_of(pd, "missing.gmi"), -12345, "an unknown path is not found");
	pubdates_free(pd);

	pd = pubdates_new();
	is_int(parse(pd, "2020-01-02T00:00:00Z x.gmi\n"
	    "2019-01-02T00:00:00Z x.gmi\n2021-01-02T00:00:00Z x.gmi\n"), 0,
	    "a path twice is no error");
	is_int(date_of(pd, "x.gmi"), 1546387200, "  the earliest date wins");
	is_int(pubdates_count(pd), 1, "  one entry");
	pubdates_free(pd);

	pd = pubdates_new();
	is_int(parse(pd, ""), 0, "an empty file is an empty state");
	is_int(pubdates_count(pd), 0, "  with no entries");
	pubdates_free(pd);
}

static void
refused(const char *text, const char *want_err, const char *name)
{
	struct pubdates	*pd = pubdates_new();

	is_int(parse(pd, text), -1, name);
	ok(strstr(err, want_err) != NULL, "  error '%s' has '%s'", err,
	    want_err);
	pubdates_free(pd);
}

static void
test_refused(void)
{
	char	 longline[PATH_MAX_LEN + 64];

	refused("2013-09-01 12:00:00Z x.gmi\n", NAME ":1: expected",
	    "a space for the T");
	refused("# c\n2013-09-01T12:00:00Z\n", NAME ":2: expected",
	    "no path");
	refused("2013-09-01T12:00:00Z \n", NAME ":1: expected",
	    "an empty path");
	refused("2013-09-01T12:00:00Zx.gmi\n", NAME ":1: expected",
	    "no space before the path");
	refused("2013-02-29T12:00:00Z x.gmi\n", ":1: expected",
	    "a day that does not exist");
	refused("2013-13-01T12:00:00Z x.gmi\n", ":1: expected", "month 13");
	refused("2013-01-01T24:00:00Z x.gmi\n", ":1: expected", "hour 24");
	refused("2013-01-01T12:60:00Z x.gmi\n", ":1: expected", "minute 60");
	refused("2013-01-01T12:00:60Z x.gmi\n", ":1: expected", "second 60");
	refused("2013-01-01T12:00:00+01:00 x.gmi\n", ":1: expected",
	    "an offset other than Z");
	refused("+013-01-01T12:00:00Z x.gmi\n", ":1: expected", "a sign");
	refused("2013-01-01T12:00:00Z /etc/passwd\n", ":1: not a page's path",
	    "an absolute path");
	refused("2013-01-01T12:00:00Z a\tb\n", ":1: not a page's path",
	    "a control character in the path");
	refused("2013-01-01T12:00:00Z a\x7f\n", ":1: not a page's path",
	    "DEL in the path");
	refused(" 2013-01-01T12:00:00Z x.gmi\n", ":1: expected",
	    "a blank before the date");
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	memcpy(longline, "2013-01-01T12:00:00Z ", 21);
	refused(longline, ":1: line longer", "a line too long");
	longline[21 + PATH_MAX_LEN] = '\0';
	{
		struct pubdates *pd = pubdates_new();
		is_int(parse(pd, longline), 0, "a path of the longest length");
		pubdates_free(pd);
	}
	longline[21 + PATH_MAX_LEN] = 'a';
	longline[22 + PATH_MAX_LEN] = '\0';
	refused(longline, ":1: not a page's path", "one byte more");
	{
		struct pubdates *pd = pubdates_new();
		is_int(pubdates_parse(pd, "2013-01-01T12:00:00Z a\0b\n", 25,
		    NAME, err, sizeof(err)), -1, "a NUL in the path");
		pubdates_free(pd);
	}
}

static void
test_format(void)
{
	struct pubdates	*pd = pubdates_new(), *back = pubdates_new();
	struct buf	 b;

	pubdates_put(pd, "z.gmi", 1378036800);
	pubdates_put(pd, "a/b.gmi", 0);
	pubdates_put(pd, "m.gmi", -86400);
	pubdates_put(pd, "bad\npath.gmi", 5);
	is_int(pubdates_put(pd, "z.gmi", 1378036801), 0, "a later date for a "
	    "known path");
	is_int(date_of(pd, "z.gmi"), 1378036800, "  keeps the earlier one");
	pubdates_put(pd, "z.gmi", 1378036799);
	is_int(date_of(pd, "z.gmi"), 1378036799, "  an earlier one replaces it");
	buf_init(&b);
	pubdates_format(pd, &b);
	is_str(b.data, "# almanac: the date each page was first seen (UTC), "
	    "then its path; see almanac(8)\n"
	    "1970-01-01T00:00:00Z a/b.gmi\n"
	    "1969-12-31T00:00:00Z m.gmi\n"
	    "2013-09-01T11:59:59Z z.gmi\n",
	    "the text: a heading, entries by path, a path it could not read "
	    "back left out");
	is_int(pubdates_parse(back, b.data, b.len, NAME, err, sizeof(err)), 0,
	    "  and it parses");
	is_int(pubdates_count(back), 3, "  to the same entries");
	is_int(date_of(back, "m.gmi"), -86400, "  with the same dates");
	buf_free(&b);
	pubdates_free(back);

	pubdates_put(pd, "far.gmi", (time_t)400000000000LL);
	buf_init(&b);
	pubdates_format(pd, &b);
	ok(strstr(b.data, "9999-12-31T23:59:59Z far.gmi\n") != NULL,
	    "a date past 9999 is written as its last second");
	buf_free(&b);
	pubdates_free(pd);
}

static void
file_name(const char *host, const char *want, const char *name)
{
	char	 out[PUBDATES_NAME_MAX];

	if (want == NULL) {
		is_int(pubdates_file_name(host, out, sizeof(out)), -1, name);
		return;
	}
	is_int(pubdates_file_name(host, out, sizeof(out)), 0, name);
	is_str(out, want, "  its file name");
}

static void
test_file_name(void)
{
	char	 big[300];

	file_name("example.org", "example.org.dates", "a host name");
	file_name("Example.ORG.", "example.org.dates",
	    "case and a final dot do not count, as for requests");
	file_name("my_host-2", "my_host-2.dates", "'_' and '-' are kept");
	file_name("::1", "%3A%3A1.dates", "':' of an IPv6 address is encoded");
	file_name("..", "%2E.dates", "'..' cannot name the parent");
	file_name(".hidden", "%2Ehidden.dates", "nor a dotfile");
	file_name("a/b", "a%2Fb.dates", "a '/' is no directory");
	file_name("", NULL, "an empty name has none");
	file_name(".", NULL, "nor a dot alone");
	memset(big, ':', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	file_name(big, NULL, "nor a name that does not fit");
}

static void
test_first_seen(void)
{
	struct pubdates	*pd = pubdates_new();

	is_int(pubdates_first_seen(pd, "old.gmi", 100, 5000), 5000,
	    "a state that was read: a new page is dated when seen");
	is_int(pubdates_first_seen(pd, "old.gmi", 6000, 7000), 5000,
	    "  and keeps that date when it changes");
	pubdates_free(pd);
}

/* Files in dir other than the state file itself. */
static int
strays(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, "localhost.dates") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_files(void)
{
	char		 dir[] = "/tmp/test_pubdates.XXXXXX", state[256],
			 file[256], why[256], text[512];
	struct pubdates	*pd;
	FILE		*f;
	size_t		 n;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(state, sizeof(state), "%s/a/state", dir);
	snprintf(file, sizeof(file), "%.200s/localhost.dates", state);
	is_int(pubdates_prepare_dir(state, NULL, 0, why, sizeof(why)), 0,
	    "a missing directory whose parent can be made is fine for -n");
	ok(access(state, F_OK) == -1, "  and -n makes nothing");
	is_int(pubdates_prepare_dir(state, NULL, 1, why, sizeof(why)), 0,
	    "at start it is made, parents too");
	ok(access(state, W_OK) == 0, "  and is there");
	is_int(strays(state), 0, "  with no probe left in it");

	pd = pubdates_open(state, "localhost");
	ok(pd != NULL, "a host without a file starts a fresh state");
	is_int(pubdates_first_seen(pd, "old.gmi", 100, 5000), 100,
	    "  pages there before its first scan are dated by their mtime");
	pubdates_scan_done(pd);
	is_int(pubdates_first_seen(pd, "new.gmi", 200, 5000), 5000,
	    "  pages after it when first seen");
	pubdates_flush(pd);
	ok(access(file, R_OK) == 0, "  written by a flush");
	is_int(strays(state), 0, "  no temporary file left");
	pubdates_free(pd);

	pd = pubdates_open(state, "LOCALHOST.");
	ok(pd != NULL, "read again, under the same name");
	is_int(pubdates_first_seen(pd, "old.gmi", 900, 9000), 100,
	    "  the dates came back");
	is_int(pubdates_first_seen(pd, "new.gmi", 900, 9000), 5000,
	    "  every one");
	is_int(pubdates_first_seen(pd, "newer.gmi", 900, 9000), 9000,
	    "  and the state is not fresh any more");
	pubdates_flush(pd);
	pubdates_free(pd);
	f = fopen(file, "r");
	n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f != NULL)
		fclose(f);
	is_str(text, "# almanac: the date each page was first seen (UTC), "
	    "then its path; see almanac(8)\n"
	    "1970-01-01T01:23:20Z new.gmi\n"
	    "1970-01-01T02:30:00Z newer.gmi\n"
	    "1970-01-01T00:01:40Z old.gmi\n", "the file as written");

	f = fopen(file, "w");
	if (f != NULL) {
		fputs("1970-01-01T00:01:40Z old.gmi\nnonsense\n", f);
		fclose(f);
	}
	ok(pubdates_open(state, "localhost") == NULL,
	    "a file that does not parse: no state for the host");
	f = fopen(file, "r");
	n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f != NULL)
		fclose(f);
	ok(strstr(text, "nonsense") != NULL, "  and the file is left as it is");

	is_int(pubdates_prepare_dir(file, NULL, 1, why, sizeof(why)), -1,
	    "a state path that is a file is refused");
	is_str(why, "not a directory", "  saying why");
	snprintf(state, sizeof(state), "%.200s/x", file);
	is_int(pubdates_prepare_dir(state, NULL, 1, why, sizeof(why)), -1,
	    "one beneath a file cannot be made");
	is_str(why, "Not a directory", "  saying why");

	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	ok(system(text) == 0, "cleaned up");
}

int
main(void)
{
	test_parse();
	test_refused();
	test_format();
	test_file_name();
	test_first_seen();
	test_files();
	return done_testing();
}
