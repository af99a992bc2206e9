/* test_log: access lines are batched and written once they have waited 100 ms (src/log.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static char	 path[] = "/tmp/test_log.XXXXXX";

/* The log file's contents, up to cap - 1 bytes. */
static const char *
logged(char *buf, size_t cap)
{
	FILE	*f = fopen(path, "r");
	size_t	 n = 0;

	if (f != NULL) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
access_line(const char *url)
{
	log_access("127.0.0.1:5000", url, strlen(url), 20, 317, 0.5, NULL, NULL);
}

static void
test_batching(void)
{
	char	 buf[4096];

	is_int(log_flush_due(1000), -1, "nothing buffered: no deadline");
	access_line("gemini://localhost/a");
	access_line("gemini://localhost/b");
	is_str(logged(buf, sizeof(buf)), "", "access lines are not written at once");
	is_int(log_flush_due(5000), 100, "first seen by the loop: due in 100 ms");
	is_int(log_flush_due(5060), 40, "60 ms later: due in 40");
	is_str(logged(buf, sizeof(buf)), "", "still not written");
	is_int(log_flush_due(5100), -1, "after 100 ms they are written");
	ok(strstr(logged(buf, sizeof(buf)), "\"gemini://localhost/a\" 20 317") !=
	    NULL && strstr(buf, "\"gemini://localhost/b\" 20 317") != NULL,
	    "both lines are in the file");
	is_int(log_flush_due(5200), -1, "and nothing is left buffered");
	access_line("gemini://localhost/c");
	is_int(log_flush_due(9000), 100, "a new line starts a new wait");
	log_warn("a warning");
	ok(strstr(logged(buf, sizeof(buf)), "/c\" 20") != NULL &&
	    strstr(buf, "warn a warning") != NULL,
	    "a warning is written at once, after the lines buffered before it");
	is_int(log_flush_due(9001), -1, "which leaves nothing buffered");
}

/* A name with a newline must not forge a second line (names come from outside). */
static void
test_escaping(void)
{
	char	 buf[4096];
	int	 lines = 0;
	char	*p;

	if (truncate(path, 0) == -1)
		ok(0, "truncate the log");
	log_warn("%s: no heading", "2004-new\ninfo forged line\x1b[2J");
	logged(buf, sizeof(buf));
	for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	is_int(lines, 1, "a newline in a logged name does not start a line");
	ok(strstr(buf, "2004-new\\x0ainfo forged line\\x1b[2J: no heading") !=
	    NULL, "control bytes are written as \\xHH");
}

int
main(void)
{
	int	 fd = mkstemp(path);

	if (fd == -1 || log_open(path, 0, LOG_FORMAT_ALMANAC) == -1) {
		ok(0, "a temporary log file");
		return done_testing();
	}
	close(fd);
	test_batching();
	test_escaping();
	log_release();
	log_close();
	unlink(path);
	return done_testing();
}
