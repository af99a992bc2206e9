/* body: an answer's bytes after its header: memory segments, a file, or a stream from a backend, behind one interface. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "body.h"

void
body_init(struct body *b)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	buf_init(&b->owned);
	buf_init(&b->footer);
}

void
body_clear(struct body *b)
{
	if (b->fd != -1)
		close(b->fd);
	b->fd = -1;
	if (b->stream != NULL)
		b->stream->ops->free(b->stream);
	b->stream = NULL;
	b->kind = BODY_NONE;
	b->segs = NULL;
	b->nsegs = 0;
	b->size = 0;
	buf_reset(&b->owned);
	buf_reset(&b->footer);
}

void
body_free(struct body *b)
{
	body_clear(b);
	buf_free(&b->owned);
	buf_free(&b->footer);
}

int
body_wait_fd(const struct body *b, unsigned *events)
{
	if (b->kind != BODY_STREAM || b->stream == NULL)
		return -1;
	return b->stream->ops->wait_fd(b->stream, events);
}

static size_t
fill_mem(struct body *b, struct body_cursor *c, char *dst, size_t room)
{
	size_t	 got = 0, n;

	while (got < room && c->seg < b->nsegs) {
		n = b->segs[c->seg].len - c->seg_pos;
		if (n > room - got)
			n = room - got;
		memcpy(dst + got, b->segs[c->seg].data + c->seg_pos, n);
		got += n;
		c->seg_pos += n;
		if (c->seg_pos == b->segs[c->seg].len) {
			c->seg++;
			c->seg_pos = 0;
		}
	}
	if (c->seg == b->nsegs)
		c->in_footer = 1;
	return got;
}

/*
 * The size seen at open spares the read that would only find the end;
 * a file that shrank while sent ends early anyway.  -1 when it failed.
 */
static ssize_t
fill_file(struct body *b, struct body_cursor *c, char *dst, size_t room)
{
	ssize_t	 got;

	if (c->file_pos >= b->size) {
		c->in_footer = 1;
		return 0;
	}
	if ((off_t)room > b->size - c->file_pos)
		room = (size_t)(b->size - c->file_pos);
	do
		got = pread(b->fd, dst, room, c->file_pos);
	while (got == -1 && errno == EINTR);
	if (got == -1)
		return -1;
	if (got == 0)
		c->in_footer = 1;
	c->file_pos += got;
	return got;
}

static size_t
fill_footer(struct body *b, struct body_cursor *c, char *dst, size_t room)
{
	size_t	 n = b->footer.len - c->footer_pos;

	if (n > room)
		n = room;
	if (n > 0)
		memcpy(dst, b->footer.data + c->footer_pos, n);
	c->footer_pos += n;
	if (c->footer_pos == b->footer.len)
		c->done = 1;
	return n;
}

static enum body_fill
fill_stream(struct body *b, struct body_cursor *c, char *dst, size_t room,
    size_t *len, const char **note)
{
	ssize_t	 n;

	*len = 0;
	while (*len < room) {
		n = b->stream->ops->read(b->stream, dst + *len, room - *len);
		if (n == BODY_STREAM_WAIT)
			return *len > 0 ? BODY_FILLED : BODY_WAIT;
		if (n == -1) {
			*note = b->stream->ops->note(b->stream);
			return BODY_FAILED;
		}
		if (n == 0) {
			c->done = 1;
			*note = b->stream->ops->note(b->stream);
			return BODY_END;
		}
		*len += (size_t)n;
	}
	return BODY_FILLED;
}

enum body_fill
body_fill(struct body *b, struct body_cursor *c, char *dst, size_t room,
    size_t *len, const char **note)
{
	ssize_t	 n;

	*len = 0;
	if (b->kind == BODY_STREAM)
		return fill_stream(b, c, dst, room, len, note);
	while (!c->done && *len < room) {
		if (c->in_footer)
			*len += fill_footer(b, c, dst + *len, room - *len);
		else if (b->kind == BODY_MEM)
			*len += fill_mem(b, c, dst + *len, room - *len);
		else if (b->kind == BODY_FILE) {
			if ((n = fill_file(b, c, dst + *len, room - *len)) ==
			    -1) {
				*note = "file read failed";
				return BODY_FAILED;
			}
			*len += (size_t)n;
		} else
			c->in_footer = 1;
	}
	return c->done ? BODY_END : BODY_FILLED;
}
