/* log: access and error lines on stderr or a file, buffered per thread. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

#define ACCESS_FLUSH_AT	8192

static int			 log_fd = 2;
static _Thread_local struct buf	 pending;

void
log_set_fd(int fd)
{
	log_fd = fd;
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
	static _Thread_local char	 stamp[32];
	struct tm			 tm;
	time_t				 now = time(NULL);

	if (now != cached) {
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
		    &tm) == 0)
			strcpy(stamp, "-");
		cached = now;
	}
	buf_puts(b, stamp);
}

static void	log_line(const char *, const char *, va_list, int)
		    __attribute__((format(printf, 2, 0)));

static void
log_line(const char *level, const char *fmt, va_list ap, int err)
{
	struct buf	 b;

	buf_init(&b);
	put_time(&b);
	buf_printf(&b, " %s ", level);
	buf_vprintf(&b, fmt, ap);
	if (err)
		buf_printf(&b, ": %s", strerror(err));
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
	log_line("info", fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line("warn", fmt, ap, 0);
	va_end(ap);
}

void
log_syserr(const char *fmt, ...)
{
	va_list	 ap;
	int	 err = errno;

	va_start(ap, fmt);
	log_line("error", fmt, ap, err);
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

void
log_access(const char *client, const char *req, size_t reqlen, int status,
    unsigned long long bytes, double ms, const char *note)
{
	put_time(&pending);
	buf_printf(&pending, " %s ", client);
	put_escaped(&pending, req, reqlen);
	if (status > 0)
		buf_printf(&pending, " %d", status);
	else
		buf_puts(&pending, " -");
	buf_printf(&pending, " %llu %.3fms", bytes, ms);
	if (note != NULL)
		buf_printf(&pending, " (%s)", note);
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
}

void
log_release(void)
{
	log_flush();
	buf_free(&pending);
}
