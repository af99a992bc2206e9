/* body: an answer's bytes after its header: memory segments, a file, or a stream from a backend, behind one interface. */
#ifndef ALMANAC_BODY_H
#define ALMANAC_BODY_H

#include <sys/types.h>

#include <stddef.h>

#include "buf.h"
#include "catalog.h"

enum body_kind {
	BODY_NONE,
	BODY_MEM,	/* the segments, in order, then the footer */
	BODY_FILE,	/* fd from offset 0 to its size, then the footer */
	BODY_STREAM,	/* a backend's bytes, header included, as they come */
	BODY_UPLOAD	/* none yet: a Titan body to read first (route_upload_*) */
};

struct body_stream;

/*
 * A stream produces the whole answer, header first, since only the
 * backend knows it.  read returns bytes (> 0), 0 at the end, -1 when the
 * stream failed after its header, or BODY_STREAM_WAIT when nothing can
 * come before its descriptor is ready for 'events' (EPOLLIN, EPOLLOUT).
 */
#define BODY_STREAM_WAIT	(-2)
struct body_stream_ops {
	ssize_t	 (*read)(struct body_stream *, char *, size_t);
	/* The descriptor to wait on and the events awaited. */
	int	 (*wait_fd)(struct body_stream *, unsigned *);
	/* The answer's status once its header has gone, else 0. */
	int	 (*status)(const struct body_stream *);
	/*
	 * Its deadline passed: from now on it ends, with an error header of
	 * its own if none has gone yet.
	 */
	void	 (*expire)(struct body_stream *);
	/* Why it failed or ended short, for the log; NULL when it did not. */
	const char *(*note)(const struct body_stream *);
	void	 (*free)(struct body_stream *);
};

/* Embedded first in each kind of stream. */
struct body_stream {
	const struct body_stream_ops	*ops;
};

struct body {
	enum body_kind		 kind;
	const struct segment	*segs;	/* a snapshot's page, or &one */
	size_t			 nsegs;
	struct segment		 one;	/* 'owned' as a segment */
	struct buf		 owned;
	int			 fd;
	off_t			 size;	/* of the file when it was opened */
	struct buf		 footer;
	struct body_stream	*stream;
};

/* Where sending has got to. */
struct body_cursor {
	size_t	 seg;		/* segment being sent */
	size_t	 seg_pos;	/* within it */
	off_t	 file_pos;
	size_t	 footer_pos;
	int	 in_footer;
	int	 done;
};

enum body_fill {
	BODY_FILLED,	/* *len bytes; call again for more */
	BODY_END,	/* *len bytes, the last ones */
	BODY_WAIT,	/* *len bytes, then wait for the stream */
	BODY_FAILED	/* the source failed: stop, *note says why */
};

void	body_init(struct body *);
/* Closes the file, frees the stream, empties the buffers: reusable. */
void	body_clear(struct body *);
void	body_free(struct body *);
/* The stream's wait, if the body is one: its descriptor, else -1. */
int	body_wait_fd(const struct body *, unsigned *);
/* Fills dst with up to 'room' bytes of the body from the cursor on. */
enum body_fill	body_fill(struct body *, struct body_cursor *, char *, size_t,
		    size_t *, const char **);

#endif
