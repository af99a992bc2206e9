/* log: start-up, error and access lines to stderr, a file or syslog, buffered per thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

#define ACCESS_FLUSH_AT	8192
#define ACCESS_DELAY_MS	100	/* longest an access line waits in memory */

static int			 log_fd = 2;
static char			*log_path;
static int			 use_syslog;
static enum log_format		 format = LOG_FORMAT_ALMANAC;
static _Thread_local struct buf	 pending;
static _Thread_local uint64_t	 pending_since;	/* ms, first seen by log_flush_due */
static _Thread_local int	 pending_seen;

int
log_open(const char *path, int syslog_too, enum log_format fmt)
{
	int	 fd;

	format = fmt;
	use_syslog = syslog_too;
	if (use_syslog)
		openlog("almanac", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (path == NULL)
		return 0;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1) {
		log_syserr("cannot open log file %s", path);
		return -1;
	}
	if ((log_path = strdup(path)) == NULL) {
		close(fd);
		return -1;
	}
	log_fd = fd;
	return 0;
}

/* dup2 swaps the file under every thread at once. */
void
log_reopen(void)
{
	int	 fd;

	if (log_path == NULL)
		return;
	if ((fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1) {
		log_syserr("cannot reopen %s; logging to the old file",
		    log_path);
		return;
	}
	if (dup2(fd, log_fd) == -1)
		log_syserr("dup2");
	close(fd);
	log_info("log file reopened");
}

void
log_close(void)
{
	log_flush();
	if (log_path != NULL) {
		close(log_fd);
		log_fd = 2;
		free(log_path);
		log_path = NULL;
	}
	if (use_syslog)
		closelog();
	use_syslog = 0;
}

/* A log that cannot be written (disk full) must never stop the server. */
static void
write_all(const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(log_fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void
put_time(struct buf *b)
{
	static _Thread_local time_t	 cached;
	static _Thread_local char	 stamp[40];
	struct tm			 tm;
	time_t				 now = time(NULL);
	size_t				 n = 0;

	if (now != cached || stamp[0] == '\0') {
		if (gmtime_r(&now, &tm) != NULL && format == LOG_FORMAT_COMMON)
			n = strftime(stamp, sizeof(stamp),
			    "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
		else if (gmtime_r(&now, &tm) != NULL)
			n = strftime(stamp, sizeof(stamp),
			    "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (n == 0)
			strcpy(stamp, "-");
		cached = now;
	}
	buf_puts(b, stamp);
}

static void	log_line(int, const char *, const char *, va_list, int)
		    __attribute__((format(printf, 3, 0)));

/*
 * Messages carry names from outside (file names, SNI, certificate
 * subjects): a control byte in one must not start a line of its own or
 * move the cursor of whoever reads the log, so each becomes \xHH.
 */
static void
escape_controls(struct buf *b, size_t from)
{
	struct buf	 out;
	size_t		 i;

	for (i = from; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			break;
	if (i == b->len || b->failed)
		return;
	buf_init(&out);
	buf_append(&out, b->data, i);
	for (; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c < 0x20 || c == 0x7f)
			buf_printf(&out, "\\x%02x", c);
		else
			buf_putc(&out, (char)c);
	}
	buf_free(b);
	*b = out;
}

static void
log_line(int priority, const char *level, const char *fmt, va_list ap,
    int err)
{
	struct buf	 b;
	size_t		 start;

	buf_init(&b);
	put_time(&b);
	buf_printf(&b, " %s ", level);
	start = b.len;
	buf_vprintf(&b, fmt, ap);
	if (err)
		buf_printf(&b, ": %s", strerror(err));
	escape_controls(&b, start);
	if (use_syslog && !b.failed)
		syslog(priority, "%s", b.data + start);
	buf_putc(&b, '\n');
	log_flush();
	if (!b.failed)
		write_all(b.data, b.len);
	buf_free(&b);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line(LOG_INFO, "info", fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line(LOG_WARNING, "warn", fmt, ap, 0);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line(LOG_ERR, "error", fmt, ap, 0);
	va_end(ap);
}

void
log_syserr(const char *fmt, ...)
{
	va_list	 ap;
	int	 err = errno;

	va_start(ap, fmt);
	log_line(LOG_ERR, "error", fmt, ap, err);
	va_end(ap);
}

/* Bytes a reader could mistake for the line's structure are escaped. */
static void
put_escaped(struct buf *b, const char *s, size_t len)
{
	size_t	 i;

	buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

/* "[::1]:5000" or "127.0.0.1:5000" without its port, for the common format. */
static void
put_address(struct buf *b, const char *client)
{
	const char	*end;

	if (client[0] == '[' && (end = strchr(client, ']')) != NULL)
		buf_append(b, client + 1, (size_t)(end - client - 1));
	else if ((end = strrchr(client, ':')) != NULL)
		buf_append(b, client, (size_t)(end - client));
	else
		buf_puts(b, client);
}

void
log_access(const char *client, const char *req, size_t reqlen, int status,
    unsigned long long bytes, double ms, const char *note, const char *who)
{
	size_t	 start = pending.len;

	if (format == LOG_FORMAT_COMMON) {
		put_address(&pending, client);
		buf_printf(&pending, " - %s ", who != NULL ? who : "-");
		put_time(&pending);
		buf_putc(&pending, ' ');
		put_escaped(&pending, req, reqlen);
		if (status > 0)
			buf_printf(&pending, " %d %llu", status, bytes);
		else
			buf_printf(&pending, " - %llu", bytes);
	} else {
		put_time(&pending);
		buf_printf(&pending, " %s ", client);
		put_escaped(&pending, req, reqlen);
		if (status > 0)
			buf_printf(&pending, " %d", status);
		else
			buf_puts(&pending, " -");
		buf_printf(&pending, " %llu %.3fms", bytes, ms);
		if (who != NULL)
			buf_printf(&pending, " %s", who);
		if (note != NULL)
			buf_printf(&pending, " (%s)", note);
	}
	if (use_syslog && !pending.failed)
		syslog(LOG_INFO, "%s", pending.data + start);
	buf_putc(&pending, '\n');
	if (pending.len >= ACCESS_FLUSH_AT || pending.failed)
		log_flush();
}

void
log_flush(void)
{
	if (pending.len > 0 && !pending.failed)
		write_all(pending.data, pending.len);
	buf_reset(&pending);
	pending_seen = 0;
}

/*
 * The event loop calls this after every round of events, so the lines are
 * first seen here within moments of being buffered.
 */
int
log_flush_due(uint64_t now_ms)
{
	if (pending.len == 0)
		return -1;
	if (!pending_seen) {
		pending_seen = 1;
		pending_since = now_ms;
	}
	if (now_ms - pending_since >= ACCESS_DELAY_MS) {
		log_flush();
		return -1;
	}
	return (int)(ACCESS_DELAY_MS - (now_ms - pending_since));
}

void
log_release(void)
{
	log_flush();
	buf_free(&pending);
}
