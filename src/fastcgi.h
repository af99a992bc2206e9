/* fastcgi: the FastCGI 1.0 record protocol towards an application (request out, output in), its parameters and the check of the Gemini header it writes (no I/O). */
#ifndef ALMANAC_FASTCGI_H
#define ALMANAC_FASTCGI_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct access_identity;
struct buf;

/* ---- the request: parameters and their records ---- */

/* A name and a value; the value need not be NUL-terminated. */
struct fastcgi_pair {
	const char	*name;
	const char	*value;
	size_t		 value_len;
};

#define FASTCGI_BUILTIN		25	/* built-in parameters at most */
#define FASTCGI_PAIRS_MAX	(FASTCGI_BUILTIN + MAX_FASTCGI_PARAMS)
#define FASTCGI_STORE_SIZE	8192	/* the values made up here */

/*
 * What one request tells the application.  Every pointer is borrowed and
 * must outlive the fastcgi_params built from it.
 */
struct fastcgi_request {
	const char	*url;		/* the request line's URL, as received */
	size_t		 url_len;
	const char	*path;		/* decoded and normalised, with its '/' */
	const char	*query;		/* as received, without '?'; NULL: none */
	size_t		 query_len;
	const char	*server_name;	/* the URL's host */
	size_t		 server_name_len;
	int		 server_port;	/* where the client connected */
	const char	*document_root;	/* the capsule directory, absolute */
	const char	*remote_addr;	/* the client's address, without port */
	const char	*software;	/* "almanac/VERSION" */
	const char	*tls_version;	/* "TLSv1.3" */
	const char	*tls_cipher;	/* "TLS_AES_128_GCM_SHA256" */
	const struct access_identity *id;	/* NULL, or !present: none */
	const struct fastcgi_app *app;		/* its 'fastcgi param' */
};

/* The parameters, in the order they are sent; values in pairs or store. */
struct fastcgi_params {
	struct fastcgi_pair	 pairs[FASTCGI_PAIRS_MAX];
	size_t			 n;
	char			 store[FASTCGI_STORE_SIZE];
	size_t			 used;
};

/*
 * The parameters of one request: the built-in ones (see almanac.conf(5)),
 * each replaced in place by a 'fastcgi param' of the same name, then the
 * other 'fastcgi param' in the order written.  PATH_INFO is the path
 * after SCRIPT_NAME (a 'fastcgi param SCRIPT_NAME' counts), SCRIPT_FILENAME
 * the document root followed by SCRIPT_NAME, or by the whole path when
 * SCRIPT_NAME is empty.  0, or -1 when the values do not fit the store.
 */
int	fastcgi_params(const struct fastcgi_request *, struct fastcgi_params *);
/* The value of 'name' among p's pairs, or NULL (for tests and logs). */
const struct fastcgi_pair *fastcgi_param_find(const struct fastcgi_params *,
	    const char *);

/*
 * Appends one whole request, id 1, to b: BEGIN_REQUEST (role RESPONDER,
 * flags 0, so the application closes the connection after END_REQUEST),
 * the pairs (lengths of one byte below 128, else four) as a PARAMS stream
 * cut into records of at most 65535 bytes, an empty PARAMS record, and an
 * empty STDIN record.  Each record is padded to a multiple of 8 bytes.
 * 0, or -1 when memory ran out (b->failed) or a length exceeds 2^31 - 1.
 */
int	fastcgi_encode_request(struct buf *, const struct fastcgi_pair *,
	    size_t);

/* ---- the application's records ---- */

enum fastcgi_event {
	FASTCGI_MORE,	/* every byte given was taken: feed more */
	FASTCGI_STDOUT,	/* *data: output of the application */
	FASTCGI_STDERR,	/* *data: its error stream, for the log */
	FASTCGI_END,	/* END_REQUEST: see app_status, protocol_status */
	FASTCGI_ERROR	/* not FastCGI: see why */
};

/* The state between reads; no memory of its own. */
struct fastcgi_decoder {
	int		 state;
	unsigned char	 head[8];	/* the record header being read */
	size_t		 head_len;
	int		 type;
	size_t		 content_left;	/* of the current record */
	size_t		 padding_left;
	unsigned char	 end[8];	/* END_REQUEST's body being read */
	size_t		 end_len;
	uint32_t	 app_status;		/* once FASTCGI_END */
	int		 protocol_status;	/* 0: request complete */
	const char	*why;			/* once FASTCGI_ERROR */
};

void	fastcgi_decoder_init(struct fastcgi_decoder *);
/*
 * Reads what came from the application, in[0..len), however it was cut:
 * takes *used bytes and returns at most one event.  For FASTCGI_STDOUT
 * and FASTCGI_STDERR, (*data, *data_len) is a slice of in[0..*used), as
 * much of the record as was given, never copied.  FASTCGI_MORE means
 * *used == len.  Every call makes progress: it takes a byte or returns an
 * event other than FASTCGI_MORE.  FASTCGI_END and FASTCGI_ERROR are
 * final: later calls return them again, taking nothing.  Records of
 * request id 0 (management) and types other than STDOUT, STDERR and
 * END_REQUEST are skipped; a version other than 1, another request id,
 * or an END_REQUEST whose length is not 8 is FASTCGI_ERROR.
 */
enum fastcgi_event	fastcgi_decode(struct fastcgi_decoder *, const void *,
			    size_t, size_t *, const char **, size_t *);
/*
 * Why the application's closing its connection now is wrong, for the log,
 * or NULL after FASTCGI_END.
 */
const char	*fastcgi_decoder_eof(const struct fastcgi_decoder *);
/* END_REQUEST's protocol status in words ("request complete", ...). */
const char	*fastcgi_protocol_status_str(int);

/* ---- the Gemini header the application writes first ---- */

#define FASTCGI_META_MAX	1024
#define FASTCGI_HEADER_MAX	(3 + FASTCGI_META_MAX + 2)

enum fastcgi_header_verdict {
	FASTCGI_HEADER_MORE,	/* a valid beginning: feed more */
	FASTCGI_HEADER_OK,
	FASTCGI_HEADER_BAD	/* see why */
};

/*
 * The header accepted is "<STATUS><SPACE><META><CR><LF>" (Gemini
 * specification, section 3.1) where
 *   - STATUS is two digits from 10 to 69, the ranges the specification
 *     defines (the second digit is not checked against the codes it
 *     names: clients go by the first digit);
 *   - META is 0 to 1024 bytes of valid UTF-8 without control characters
 *     (no byte below 0x20, no 0x7f); it may be empty, and then the space
 *     may be left out too ("51\r\n"), except for a 3x, which needs the
 *     URL it redirects to;
 *   - the line ends with CR LF: a bare LF, or a CR followed by anything
 *     else, is refused.
 * Anything else is BAD as soon as a byte shows it, so that output that
 * is not a Gemini header (an HTTP "Status: 500" from a CGI bridge) is
 * refused at once.  After a header whose status is not 2x, the
 * application's further output must not be relayed (the specification
 * forbids a body).
 */
struct fastcgi_head {
	char	 buf[FASTCGI_HEADER_MAX];
	size_t	 len;
	int	 status;	/* once OK */
	size_t	 meta_len;	/* once OK: META is buf[3..3 + meta_len) */
	const char *why;	/* once BAD */
};

void	fastcgi_head_init(struct fastcgi_head *);
/*
 * Takes output bytes, as many as belong to the header (*used), until it
 * is complete (OK: buf[0..len) is the header line with its CRLF, and
 * in + *used is where the body starts) or wrong (BAD).  OK and BAD are
 * final.
 */
enum fastcgi_header_verdict	fastcgi_head_feed(struct fastcgi_head *,
				    const char *, size_t, size_t *);

#endif
