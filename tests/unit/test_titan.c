/* test_titan: titan_parse, titan_redact, titan_pattern_dir and the upload's files (src/titan.c). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "titan.h"

static struct titan_params	 tp;

static const char *
parse(const char *s)
{
	return titan_parse(s, strlen(s), &tp);
}

static void
test_parse(void)
{
	ok(parse("/a/b.gmi;size=12;mime=text/gemini;token=abc") == NULL,
	    "all three parameters");
	is_int((long long)tp.path_len, 8, "path before the first ';'");
	is_int(tp.size, 12, "size");
	is_mem(tp.mime, tp.mime_len, "text/gemini", "mime");
	is_str(tp.token, "abc", "token");
	ok(parse("/x;token=a%20b%3Bc;size=0") == NULL, "any order");
	is_str(tp.token, "a b;c", "token percent-decoded");
	is_int(tp.size, 0, "size=0 (a delete)");
	ok(parse("/x;edit") == NULL && tp.edit && tp.size == -1, ";edit");
	ok(parse("/x;edit;token=t") == NULL && tp.edit && tp.has_token,
	    ";edit with a token");
	ok(parse("/x") == NULL && tp.size == -1 && tp.path_len == 2,
	    "no parameters: size missing, not malformed");
	ok(parse("/x;size=3;colour=blue") == NULL, "unknown parameter ignored");
	ok(parse("/x;SIZE=3") == NULL && tp.size == 3, "names without case");
	is_int((long long)tp.path_len, 2, "path_len");
}

static void
bad(const char *s, const char *why)
{
	const char	*got = parse(s);

	ok(got != NULL, "%s: refused (%s)", s, got ? got : "accepted");
	if (why != NULL && got != NULL)
		ok(strstr(got, why) != NULL, "%s: says '%s'", s, why);
}

static void
test_malformed(void)
{
	bad("/x;size=", "not a number");
	bad("/x;size=-1", "not a number");
	bad("/x;size=+1", "not a number");
	bad("/x;size=1 ", "not a number");
	bad("/x;size=0x10", "not a number");
	bad("/x;size=1e3", "not a number");
	bad("/x;size=99999999999999999999999", "too large");
	bad("/x;size=1;size=2", "twice");
	bad("/x;token=a;token=b", "twice");
	bad("/x;size=1;;mime=a", "empty");
	bad("/x;size=1;", "empty");
	bad("/x;token=%zz", "escape");
	bad("/x;token=%2", "escape");
	bad("/x;token=a%00b", "NUL");
	bad("/x;edit;size=3", "edit");
	bad("/x;edit;edit", "twice");
	ok(parse("/x;size=1099511627776") == NULL, "the largest size parsed");
	bad("/x;size=1099511627777", "too large");
}

static void
test_long_token(void)
{
	char	 s[700];

	snprintf(s, sizeof(s), "/x;size=1;token=%0256d", 0);
	ok(parse(s) == NULL && tp.token_len == 256, "a 256-byte token");
	snprintf(s, sizeof(s), "/x;size=1;token=%0257d", 0);
	bad(s, "longer");
}

static void
redact(const char *line, const char *want)
{
	char	 buf[512];
	size_t	 n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = titan_redact(buf, strlen(buf));
	is_mem(buf, n, want, line);
}

static void
test_redact(void)
{
	redact("titan://h/a;size=1;token=secret", "titan://h/a;size=1;token=***");
	redact("titan://h/a;token=secret;size=1", "titan://h/a;token=***;size=1");
	redact("TITAN://h/a;Token=s%20t;size=1", "TITAN://h/a;Token=***;size=1");
	redact("titan://h/a;token=ab", "titan://h/a;token=**");
	redact("titan://h/a;size=1", "titan://h/a;size=1");
	redact("gemini://h/a;token=secret", "gemini://h/a;token=secret");
	redact("titan://h/a;token=x1;token=y22", "titan://h/a;token=**;"
	    "token=***");
}

static void
pattern(const char *p, const char *want)
{
	char	 out[256];

	if (want == NULL) {
		is_int(titan_pattern_dir(p, out, sizeof(out)), -1, p);
		return;
	}
	if (is_int(titan_pattern_dir(p, out, sizeof(out)), 0, p))
		is_str(out, want, p);
}

static void
test_pattern_dir(void)
{
	pattern("*", "");
	pattern("/*", "");
	pattern("/notes/*", "notes");
	pattern("/notes/2024/*.gmi", "notes/2024");
	pattern("/notes/a*/b", "notes");
	pattern("/notes/page.gmi", "notes");
	pattern("/notes", "");
	pattern("/a/b[0-9]/*", "a");
	pattern("/../etc/*", NULL);
	pattern("/a/./b/*", NULL);
}

static char	 root[64];
static int	 rootfd;

static char *
slurp(const char *rel)
{
	static char	 buf[4096];
	ssize_t		 n;
	int		 fd = openat(rootfd, rel, O_RDONLY);

	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* Names in dir starting with ".titan-": leftovers of an upload. */
static int
temporaries(const char *dir)
{
	char		 path[256];
	struct dirent	*de;
	DIR		*d;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, ".titan-", 7) == 0;
	closedir(d);
	return n;
}

static void
test_upload(void)
{
	struct titan_upload	*up = NULL, *up2 = NULL;
	struct stat		 st;
	const char		*nav = "\n=> / Index\n";

	ok(titan_begin(rootfd, "a/b/c.gmi", 6, &up) == 0, "begin: makes a/b");
	is_int(temporaries("a/b"), 1, "one temporary file, a dotfile");
	ok(slurp("a/b/c.gmi") == NULL, "the target does not exist yet");
	ok(titan_write(up, "hel", 3) == 0 && titan_left(up) == 3, "a part");
	ok(titan_write(up, "lo!!", 4) == -1, "more than announced: refused");
	ok(titan_write(up, "lo\n", 3) == 0 && titan_left(up) == 0, "the rest");
	ok(titan_commit(up, NULL, 0) == 0, "commit");
	is_str(slurp("a/b/c.gmi"), "hello\n", "the page is in place");
	is_int(temporaries("a/b"), 0, "no temporary file left");

	ok(fchmodat(rootfd, "a/b/c.gmi", 0600, 0) == 0, "chmod 600");
	ok(titan_begin(rootfd, "a/b/c.gmi", 3, &up) == 0, "begin a replace");
	ok(titan_write(up, "new", 3) == 0, "written");
	titan_abort(up);
	is_str(slurp("a/b/c.gmi"), "hello\n", "abort: the old page stays");
	is_int(temporaries("a/b"), 0, "abort: no temporary file left");

	ok(titan_begin(rootfd, "a/b/c.gmi", 3, &up) == 0 &&
	    titan_begin(rootfd, "a/b/c.gmi", 3, &up2) == 0, "two at once");
	ok(titan_write(up, "one", 3) == 0 && titan_write(up2, "two", 3) == 0,
	    "both written");
	ok(titan_commit(up2, NULL, 0) == 0 && titan_commit(up, NULL, 0) == 0,
	    "both committed");
	is_str(slurp("a/b/c.gmi"), "one", "the last rename wins, whole");
	ok(fstatat(rootfd, "a/b/c.gmi", &st, 0) == 0 &&
	    (st.st_mode & 0777) == 0600, "the replaced page's mode is kept");

	ok(titan_begin(rootfd, "p.gmi", 19, &up) == 0 &&
	    titan_write(up, "# P\n\n=> / Index\n", 16) == 0 &&
	    titan_write(up, "abc", 3) == 0, "a page not ending with navigation");
	ok(titan_commit(up, nav, strlen(nav)) == 0, "commit with strip");
	is_str(slurp("p.gmi"), "# P\n\n=> / Index\nabc", "nothing stripped");
	ok(titan_begin(rootfd, "p.gmi", 16, &up) == 0 &&
	    titan_write(up, "# P\n\n=> / Index\n", 16) == 0 &&
	    titan_commit(up, nav, strlen(nav)) == 0, "navigation sent back");
	is_str(slurp("p.gmi"), "# P\n", "the navigation is stripped");
	ok(titan_begin(rootfd, "p.gmi", 15, &up) == 0 &&
	    titan_write(up, "# P\n\n=> / Index", 15) == 0 &&
	    titan_commit(up, nav, strlen(nav)) == 0, "without its newline");
	is_str(slurp("p.gmi"), "# P\n", "stripped too");

	ok(titan_begin(rootfd, "a/", 1, &up) == -1, "a directory's path");
	ok(titan_begin(rootfd, "p.gmi/x.gmi", 1, &up) == -1,
	    "a file on the way");
	ok(symlinkat("/tmp", rootfd, "out") == 0, "a link out of the root");
	ok(titan_begin(rootfd, "out/x.gmi", 1, &up) == -1,
	    "no upload through a link that leaves the root");
	ok(access("/tmp/x.gmi", F_OK) == -1, "nothing written outside");

	is_int(titan_delete(rootfd, "a/b/c.gmi"), 0, "delete");
	ok(slurp("a/b/c.gmi") == NULL, "deleted");
	ok(titan_delete(rootfd, "a/b/c.gmi") == -1 && errno == ENOENT,
	    "delete again: ENOENT");
	ok(titan_delete(rootfd, "a/b") == -1 && errno == EISDIR,
	    "delete a directory: EISDIR");
	titan_abort(NULL);
	ok(1, "titan_abort(NULL)");
}

static void
cleanup(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", root);
}

int
main(void)
{
	test_parse();
	test_malformed();
	test_long_token();
	test_redact();
	test_pattern_dir();
	snprintf(root, sizeof(root), "/tmp/test_titan.XXXXXX");
	if (mkdtemp(root) == NULL || (rootfd = open(root, O_RDONLY |
	    O_DIRECTORY)) == -1) {
		fprintf(stderr, "# no temporary directory\n");
		return 1;
	}
	test_upload();
	close(rootfd);
	cleanup();
	return done_testing();
}
