/* test_path: path_normalise, path_verdict_str, path_encode and path_is_leftover (src/path.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "tap.h"

static char	 out[PATH_MAX_LEN + 1];

static enum path_verdict
norm(const char *raw)
{
	memset(out, 'X', sizeof(out));
	return path_normalise(raw, strlen(raw), out);
}

/* raw must normalise to PATH_OK and 'want'. */
static void
good(const char *raw, const char *want)
{
	char	 name[256];

	snprintf(name, sizeof(name), "'%s' is PATH_OK", raw);
	if (is_int(norm(raw), PATH_OK, name)) {
		snprintf(name, sizeof(name), "'%s' -> '%s'", raw, want);
		is_str(out, want, name);
	}
}

static void
verdict(const char *raw, enum path_verdict want)
{
	char	 name[256];

	snprintf(name, sizeof(name), "'%s' is %s", raw, path_verdict_str(want));
	is_int(norm(raw), want, name);
}

static void
test_normalise(void)
{
	good("", "");
	good("/", "");
	good("//", "");
	good("/a/b/", "a/b/");
	good("/a/./b", "a/b");
	good("/./a", "a");
	good("/.", "");
	good("/a/.", "a/");
	good("/a/../b", "b");
	good("/a/..", "");
	good("/a/b/..", "a/");
	good("/a/b/../", "a/");
	good("/a/b/../../c", "c");
	good("/a//b", "a/b");
	good("///a///b///", "a/b/");
	good("a/b", "a/b");
	good("/a%20b", "a b");
	good("/%20", " ");
	good("/%41%62c", "Abc");
	good("/%7e", "~");
	good("/caf%C3%A9.gmi", "caf\xc3\xa9.gmi");
	good("/caf\xc3\xa9.gmi", "caf\xc3\xa9.gmi");
	good("/a%2e/b", "a./b");
	good("/a/%2e/b", "a/b");
	good("/a/%2e%2e/b", "b");
	good("/a.b/c.d", "a.b/c.d");
	good("/chapters/1986-x.gmi", "chapters/1986-x.gmi");
}

static void
test_climb(void)
{
	verdict("/..", PATH_CLIMB);
	verdict("..", PATH_CLIMB);
	verdict("/../", PATH_CLIMB);
	verdict("/../../", PATH_CLIMB);
	verdict("/a/../../x", PATH_CLIMB);
	verdict("/a/b/../../../x", PATH_CLIMB);
	verdict("/./..", PATH_CLIMB);
	verdict("/%2e%2e", PATH_CLIMB);
	verdict("/%2E%2e", PATH_CLIMB);
	verdict("/%2E%2E/x", PATH_CLIMB);
	verdict("/.%2e", PATH_CLIMB);
	verdict("/%2e./etc/passwd", PATH_CLIMB);
	verdict("/a/%2e%2e/%2e%2e", PATH_CLIMB);
}

static void
test_forbidden(void)
{
	verdict("/a%2fb", PATH_FORBIDDEN);
	verdict("/a%2Fb", PATH_FORBIDDEN);
	verdict("%2F", PATH_FORBIDDEN);
	verdict("/%2F", PATH_FORBIDDEN);
	verdict("/..%2f..%2fetc", PATH_FORBIDDEN);
	verdict("/%00", PATH_FORBIDDEN);
	verdict("/a%00.gmi", PATH_FORBIDDEN);
	verdict("/%0a", PATH_FORBIDDEN);
	verdict("/%0D", PATH_FORBIDDEN);
	verdict("/%1b", PATH_FORBIDDEN);
	verdict("/%7f", PATH_FORBIDDEN);
	verdict("/a\x01" "b", PATH_FORBIDDEN);

	verdict("/%zz", PATH_BAD_ESCAPE);
	verdict("/%4", PATH_BAD_ESCAPE);
	verdict("/%4/", PATH_BAD_ESCAPE);
	verdict("/a%", PATH_BAD_ESCAPE);
	verdict("%", PATH_BAD_ESCAPE);
	verdict("/%/a", PATH_BAD_ESCAPE);
	verdict("/%g0", PATH_BAD_ESCAPE);
	verdict("/%0g", PATH_BAD_ESCAPE);
	verdict("/%%41", PATH_BAD_ESCAPE);
	verdict("/ok/%-1", PATH_BAD_ESCAPE);
}

static void
test_hidden(void)
{
	verdict("/.git", PATH_HIDDEN);
	verdict("/.git/config", PATH_HIDDEN);
	verdict("/a/.env", PATH_HIDDEN);
	verdict("/%2egit", PATH_HIDDEN);
	verdict("/%2Egit/HEAD", PATH_HIDDEN);
	verdict("/a/%2ehtaccess", PATH_HIDDEN);
	verdict("/...", PATH_HIDDEN);
	verdict("/.well-knownx", PATH_HIDDEN);
	verdict("/.well-know", PATH_HIDDEN);
	verdict("/a/.well-known/x", PATH_HIDDEN);
	verdict("/.well-known/.x", PATH_HIDDEN);
	good("/.well-known/x", ".well-known/x");
	good("/.well-known", ".well-known");
	good("/.well-known/", ".well-known/");
	good("/%2ewell-known/security.txt", ".well-known/security.txt");
	good("/x/a.", "x/a.");
}

static void
test_too_long(void)
{
	char	*raw = malloc(PATH_MAX_LEN + 2);

	raw[0] = '/';
	memset(raw + 1, 'a', PATH_MAX_LEN);
	raw[PATH_MAX_LEN + 1] = '\0';
	is_int(path_normalise(raw, PATH_MAX_LEN + 1, out), PATH_TOO_LONG,
	    "1025-byte path is PATH_TOO_LONG");
	is_int(path_normalise(raw, PATH_MAX_LEN, out), PATH_OK,
	    "1024-byte path is PATH_OK");
	is_int(strlen(out), PATH_MAX_LEN - 1, "1024-byte path: 1023 bytes out");

	/* Without a leading slash the output needs every byte of 'out'. */
	memset(raw, 'b', PATH_MAX_LEN);
	raw[PATH_MAX_LEN] = '\0';
	is_int(path_normalise(raw, PATH_MAX_LEN, out), PATH_OK,
	    "1024 bytes, no leading slash: PATH_OK");
	is_int(strlen(out), PATH_MAX_LEN, "... and 1024 bytes out");
	raw[PATH_MAX_LEN - 1] = '/';
	is_int(path_normalise(raw, PATH_MAX_LEN, out), PATH_OK,
	    "1024 bytes ending in '/': PATH_OK");
	is_int(strlen(out), PATH_MAX_LEN, "... and 1024 bytes out");
	free(raw);

	is_int(path_normalise("/a/b", 2, out), PATH_OK,
	    "only rawlen bytes are read");
	is_str(out, "a", "rawlen 2 of '/a/b' -> 'a'");
}

static void
test_verdict_str(void)
{
	enum path_verdict	 v;
	const char		*s;

	is_str(path_verdict_str(PATH_OK), "ok", "PATH_OK string");
	for (v = PATH_OK; v <= PATH_TOO_LONG; v++) {
		s = path_verdict_str(v);
		ok(s != NULL && s[0] != '\0' && strcmp(s, "unknown") != 0,
		    "verdict %d has a string", (int)v);
	}
	is_str(path_verdict_str(PATH_CLIMB), "path climbs above the root",
	    "PATH_CLIMB string");
	is_str(path_verdict_str((enum path_verdict)99), "unknown",
	    "out-of-range verdict is 'unknown'");
}

static void
test_encode(void)
{
	char	 enc[64];
	size_t	 n;

	n = path_encode("a b/\xc3\xbc?#", enc, sizeof(enc));
	is_str(enc, "a%20b/%C3%BC%3F%23", "path_encode of 'a b/\xc3\xbc?#'");
	is_int(n, strlen("a%20b/%C3%BC%3F%23"), "path_encode returns length");

	path_encode("chapters/1986-x.gmi", enc, sizeof(enc));
	is_str(enc, "chapters/1986-x.gmi", "plain path unchanged");
	path_encode("a~b_c.d-e!$&'()*+,;=:@", enc, sizeof(enc));
	is_str(enc, "a~b_c.d-e!$&'()*+,;=:@", "unreserved and sub-delims kept");
	path_encode("%", enc, sizeof(enc));
	is_str(enc, "%25", "'%' is encoded");
	path_encode("<a>\"\\\n", enc, sizeof(enc));
	is_str(enc, "%3Ca%3E%22%5C%0A", "<, >, quote, backslash, LF encoded");
	path_encode("\x7f\xff", enc, sizeof(enc));
	is_str(enc, "%7F%FF", "DEL and 0xff encoded");
	n = path_encode("", enc, sizeof(enc));
	is_str(enc, "", "empty path");
	is_int(n, 0, "empty path: length 0");

	/* Truncation never splits an escape and always terminates. */
	n = path_encode("abcdef", enc, 4);
	is_str(enc, "abc", "truncated to outsz - 1");
	is_int(n, 3, "truncated length");
	n = path_encode("a b", enc, 4);
	is_str(enc, "a", "escape that does not fit is dropped whole");
	is_int(n, 1, "... length 1");
	n = path_encode("a b", enc, 5);
	is_str(enc, "a%20", "escape that just fits");
	is_int(n, 4, "... length 4");
	memset(enc, 'X', sizeof(enc));
	n = path_encode("abc", enc, 1);
	is_int(n, 0, "outsz 1: nothing written");
	is_int(enc[0], '\0', "outsz 1: terminated");
	memset(enc, 'X', sizeof(enc));
	n = path_encode("abc", enc, 0);
	is_int(n, 0, "outsz 0: length 0");
	is_int(enc[0], 'X', "outsz 0: buffer untouched");
}

static void
test_leftover(void)
{
	static const char	*yes[] = {
		"x~", "a/.x.swp", "a.swp", "a.swx", "a.tmp", "a.part",
		".rsync.XXXXXX", "dir/.rsync.AbC123", "#a#", "chapters/#b.gmi#",
		".hidden", "a/b/c.gmi~", "",
	};
	static const char	*no[] = {
		"a.gmi", "chapters/2013-x.gmi", "a.swp.gmi", "tmp", "a.partial",
		"a~b.gmi", "a#b.gmi", "swp", "dir.tmp/a.gmi", ".dir/a.gmi",
	};
	char	 name[128];
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(name, sizeof(name), "'%s' is a leftover", yes[i]);
		is_int(path_is_leftover(yes[i]), 1, name);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(name, sizeof(name), "'%s' is not a leftover", no[i]);
		is_int(path_is_leftover(no[i]), 0, name);
	}
}

int
main(void)
{
	test_normalise();
	test_climb();
	test_forbidden();
	test_hidden();
	test_too_long();
	test_verdict_str();
	test_encode();
	test_leftover();
	return done_testing();
}
