/* request: parse and validate a Gemini request line into URL parts (no I/O). */
#ifndef ALMANAC_REQUEST_H
#define ALMANAC_REQUEST_H

#include <stddef.h>

#define REQUEST_MAX	1024	/* bytes of URL, CRLF not counted */

enum request_verdict {
	REQ_OK,		/* a gemini URL, fields filled in */
	REQ_BAD,	/* answer 59 with 'why' */
	REQ_PROXY,	/* another scheme: answer 53 */
	REQ_TITAN	/* a titan URL (an upload), fields filled in */
};

/*
 * Slices of the request line, but for a host with percent-encoding: that
 * one is decoded into host_buf (NUL-terminated) and 'host' points there,
 * so a copy of the struct must not outlive the original; pass a pointer.
 * 'port' is -1 when the URL names none.  'path' keeps its percent-encoding
 * and may be empty; 'query' is NULL when there is no '?'.
 */
struct request {
	const char	*scheme;
	size_t		 scheme_len;
	const char	*host;
	size_t		 host_len;
	int		 port;
	const char	*path;
	size_t		 path_len;
	const char	*query;
	size_t		 query_len;
	char		 host_buf[256];
};

enum request_verdict	request_parse(const char *, size_t, struct request *,
			    const char **);
int			utf8_valid(const char *, size_t);

#endif
