/* test_body: body_fill over memory segments, a file with a footer, and a stream that makes the reader wait (src/body.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "tap.h"

/* Drains b in pieces of at most 'room' bytes into out. */
static size_t
drain(struct body *b, size_t room, char *out, size_t outsz, int *waits,
    enum body_fill *last)
{
	struct body_cursor	 c;
	const char		*note = NULL;
	size_t			 got = 0, n;
	enum body_fill		 r = BODY_FAILED;

	memset(&c, 0, sizeof(c));
	*waits = 0;
	do {
		if (got + room > outsz)
			break;
		r = body_fill(b, &c, out + got, room, &n, &note);
		got += n;
		if (r == BODY_WAIT)
			(*waits)++;
	} while (r == BODY_FILLED || r == BODY_WAIT);
	*last = r;
	return got;
}

struct fake_stream {
	struct body_stream	 s;
	const char		*text;
	size_t			 pos;
	int			 turn;
	int			 expired;
};

/* Gives three bytes, then makes the reader wait twice. */
static ssize_t
fake_read(struct body_stream *bs, char *dst, size_t room)
{
	struct fake_stream	*f = (struct fake_stream *)bs;
	size_t			 n = strlen(f->text) - f->pos;

	if (f->turn++ % 3 != 0)
		return BODY_STREAM_WAIT;
	if (n > 3)
		n = 3;
	if (n > room)
		n = room;
	memcpy(dst, f->text + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static int
fake_wait_fd(struct body_stream *bs, unsigned *events)
{
	(void)bs;
	*events = 1;
	return 0;
}

static int
fake_status(const struct body_stream *bs)
{
	(void)bs;
	return 20;
}

static void
fake_expire(struct body_stream *bs)
{
	((struct fake_stream *)bs)->expired = 1;
}

static const char *
fake_note(const struct body_stream *bs)
{
	(void)bs;
	return NULL;
}

static void
fake_free(struct body_stream *bs)
{
	(void)bs;
}

static const struct body_stream_ops fake_ops = {
	fake_read, fake_wait_fd, fake_status, fake_expire, fake_note,
	fake_free
};

int
main(void)
{
	static const struct segment	 segs[] = {
		{ "alpha ", 6 }, { "", 0 }, { "beta ", 5 }, { "gamma", 5 }
	};
	struct fake_stream		 fs = { { &fake_ops }, "20 ok\r\nbody", 0,
					    0, 0 };
	struct body			 b;
	char				 out[256], path[] = "/tmp/test_bodyXXXXXX";
	size_t				 n;
	int				 waits, fd;
	unsigned			 ev;
	enum body_fill			 last;

	body_init(&b);
	b.kind = BODY_MEM;
	b.segs = segs;
	b.nsegs = 4;
	buf_puts(&b.footer, "\n=> / back\n");
	n = drain(&b, 1, out, sizeof(out), &waits, &last);
	is_mem(out, n, "alpha beta gamma\n=> / back\n",
	    "segments then footer, a byte at a time");
	is_int(last, BODY_END, "ends");
	n = drain(&b, 100, out, sizeof(out), &waits, &last);
	is_int(n, 27, "all at once");
	body_clear(&b);
	is_int(b.footer.len, 0, "cleared");

	if ((fd = mkstemp(path)) == -1 || write(fd, "0123456789", 10) != 10)
		return 1;
	unlink(path);
	b.kind = BODY_FILE;
	b.fd = fd;
	b.size = 8;	/* grew after it was opened: sent as it was */
	buf_puts(&b.footer, "|f");
	n = drain(&b, 3, out, sizeof(out), &waits, &last);
	is_mem(out, n, "01234567|f", "a file to its size, then footer");
	b.size = 20;	/* shrank: ends early all the same */
	n = drain(&b, 4, out, sizeof(out), &waits, &last);
	is_mem(out, n, "0123456789|f", "a file that shrank");
	body_clear(&b);
	is_int(b.fd, -1, "file closed");

	b.kind = BODY_STREAM;
	b.stream = &fs.s;
	is_int(body_wait_fd(&b, &ev), 0, "a stream's descriptor");
	n = drain(&b, 64, out, sizeof(out), &waits, &last);
	is_mem(out, n, "20 ok\r\nbody", "a stream, header included");
	ok(waits > 0, "it made the reader wait (%d times)", waits);
	is_int(last, BODY_END, "and ended");
	b.stream = NULL;
	body_free(&b);
	return done_testing();
}
