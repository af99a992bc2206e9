/* fastcgi: the FastCGI 1.0 record protocol towards an application (request out, output in), its parameters and the check of the Gemini header it writes (no I/O). */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "config.h"
#include "fastcgi.h"
#include "path.h"
#include "request.h"

#define FCGI_VERSION		1
#define FCGI_BEGIN_REQUEST	1
#define FCGI_END_REQUEST	3
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_STDOUT		6
#define FCGI_STDERR		7
#define FCGI_RESPONDER		1
#define FCGI_REQUEST_ID		1	/* one request a connection */
#define FCGI_HEAD_LEN		8
#define FCGI_CONTENT_MAX	65535
#define FCGI_LEN_MAX		0x7fffffffu	/* of a name or a value */

/* ---- parameters ---- */

/* The 'fastcgi param' named 'name', or -1. */
static int
fastcgi_override(const struct fastcgi_app *a, const char *name)
{
	size_t	 i;

	for (i = 0; a != NULL && i < a->nparams; i++)
		if (strcmp(a->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
fastcgi_add(struct fastcgi_params *p, const char *name, const char *value,
    size_t len)
{
	p->pairs[p->n].name = name;
	p->pairs[p->n].value = value;
	p->pairs[p->n].value_len = len;
	p->n++;
}

/* A built-in parameter, unless a 'fastcgi param' of its name replaces it. */
static void
fastcgi_builtin(struct fastcgi_params *p, const struct fastcgi_app *a,
    const char *name, const char *value, size_t len)
{
	int	 o = fastcgi_override(a, name);

	if (o != -1)
		fastcgi_add(p, name, a->params[o].value,
		    strlen(a->params[o].value));
	else
		fastcgi_add(p, name, value, len);
}

static void
fastcgi_builtin_str(struct fastcgi_params *p, const struct fastcgi_app *a,
    const char *name, const char *value)
{
	if (value == NULL)
		value = "";
	fastcgi_builtin(p, a, name, value, strlen(value));
}

/* Room for len bytes and a NUL in the store, or NULL. */
static char *
fastcgi_room(struct fastcgi_params *p, size_t len)
{
	char	*s;

	if (len >= sizeof(p->store) - p->used)
		return NULL;
	s = p->store + p->used;
	p->used += len + 1;
	s[len] = '\0';
	return s;
}

/*
 * The query percent-decoded into out (query_len + 1 bytes); a '%' not
 * followed by two hex digits stays as it is.  Its length, or -1 when it
 * decodes to a NUL, which no environment variable can hold.
 */
static long
fastcgi_decode_query(const char *q, size_t len, char *out)
{
	size_t	 i, n = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (q[i] == '%' && i + 2 < len &&
		    (hi = path_hex_value(q[i + 1])) != -1 &&
		    (lo = path_hex_value(q[i + 2])) != -1) {
			out[n] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[n] = q[i];
		if (out[n++] == '\0')
			return -1;
	}
	out[n] = '\0';
	return (long)n;
}

/*
 * As gmid: only a query that is not empty and holds no '=' (a search,
 * not a form's fields) is also sent decoded.
 */
static int
fastcgi_search(struct fastcgi_params *p, const struct fastcgi_request *r)
{
	char	*s;
	long	 n;

	if (r->query == NULL || r->query_len == 0 ||
	    memchr(r->query, '=', r->query_len) != NULL)
		return 0;
	if ((s = fastcgi_room(p, r->query_len)) == NULL)
		return -1;
	if ((n = fastcgi_decode_query(r->query, r->query_len, s)) != -1)
		fastcgi_builtin(p, r->app, "GEMINI_SEARCH_STRING", s,
		    (size_t)n);
	return 0;
}

/*
 * SCRIPT_NAME is empty unless a 'fastcgi param' names it, as in gmid;
 * PATH_INFO is what follows it in the path (the whole path when it does
 * not start with SCRIPT_NAME at a '/'), and SCRIPT_FILENAME the file
 * SCRIPT_NAME names under the document root, or the path's own file.
 */
static int
fastcgi_script(struct fastcgi_params *p, const struct fastcgi_request *r)
{
	const struct fastcgi_app	*a = r->app;
	const char			*name = "", *info = r->path, *file;
	char				*s;
	size_t				 len, rootlen;
	int				 o;

	if ((o = fastcgi_override(a, "SCRIPT_NAME")) != -1)
		name = a->params[o].value;
	len = strlen(name);
	while (len > 0 && name[len - 1] == '/')
		len--;
	if (len > 0 && strncmp(r->path, name, len) == 0 &&
	    (r->path[len] == '/' || r->path[len] == '\0'))
		info = r->path + len;
	file = len > 0 ? name : r->path;
	rootlen = strlen(r->document_root);
	while (rootlen > 0 && r->document_root[rootlen - 1] == '/')
		rootlen--;
	len = rootlen + strlen(file);
	if ((s = fastcgi_room(p, len)) == NULL)
		return -1;
	snprintf(s, len + 1, "%.*s%s", (int)rootlen, r->document_root, file);
	fastcgi_builtin_str(p, a, "PATH_INFO", info);
	fastcgi_builtin_str(p, a, "SCRIPT_NAME", name);
	fastcgi_builtin_str(p, a, "SCRIPT_FILENAME", s);
	return 0;
}

static int
fastcgi_client(struct fastcgi_params *p, const struct fastcgi_request *r)
{
	const struct access_identity	*id = r->id;
	const struct fastcgi_app	*a = r->app;
	char				*hash;

	if (id == NULL || !id->present)
		return 0;
	if ((hash = fastcgi_room(p, 7 + ACCESS_FP_HEX_SIZE)) == NULL)
		return -1;
	snprintf(hash, 8, "SHA256:");
	access_format_fingerprint(id->spki_sha256, hash + 7,
	    ACCESS_FP_HEX_SIZE);
	fastcgi_builtin_str(p, a, "AUTH_TYPE", "CERTIFICATE");
	fastcgi_builtin_str(p, a, "REMOTE_USER", id->subject_cn);
	fastcgi_builtin_str(p, a, "TLS_CLIENT_HASH", hash);
	fastcgi_builtin_str(p, a, "TLS_CLIENT_ISSUER", id->issuer);
	fastcgi_builtin_str(p, a, "TLS_CLIENT_SUBJECT", id->subject);
	fastcgi_builtin_str(p, a, "TLS_CLIENT_NOT_BEFORE", id->not_before);
	fastcgi_builtin_str(p, a, "TLS_CLIENT_NOT_AFTER", id->not_after);
	return 0;
}

/* Those 'fastcgi param' that replaced no built-in one, in their order. */
static void
fastcgi_extra(struct fastcgi_params *p, const struct fastcgi_app *a,
    size_t nbuiltin)
{
	size_t	 i, j;

	for (i = 0; a != NULL && i < a->nparams; i++) {
		for (j = 0; j < nbuiltin; j++)
			if (strcmp(p->pairs[j].name, a->params[i].name) == 0)
				break;
		if (j == nbuiltin)
			fastcgi_add(p, a->params[i].name, a->params[i].value,
			    strlen(a->params[i].value));
	}
}

int
fastcgi_params(const struct fastcgi_request *r, struct fastcgi_params *p)
{
	const struct fastcgi_app	*a = r->app;
	char				*port;

	p->n = 0;
	p->used = 0;
	if ((port = fastcgi_room(p, 11)) == NULL)
		return -1;
	snprintf(port, 12, "%d", r->server_port);
	fastcgi_builtin_str(p, a, "GATEWAY_INTERFACE", "CGI/1.1");
	fastcgi_builtin(p, a, "GEMINI_URL", r->url, r->url_len);
	fastcgi_builtin_str(p, a, "GEMINI_URL_PATH", r->path);
	if (fastcgi_search(p, r) == -1)
		return -1;
	fastcgi_builtin(p, a, "QUERY_STRING", r->query != NULL ? r->query : "",
	    r->query != NULL ? r->query_len : 0);
	if (fastcgi_script(p, r) == -1)
		return -1;
	fastcgi_builtin_str(p, a, "DOCUMENT_ROOT", r->document_root);
	fastcgi_builtin_str(p, a, "REQUEST_METHOD", "GET");
	fastcgi_builtin_str(p, a, "REMOTE_ADDR", r->remote_addr);
	fastcgi_builtin_str(p, a, "REMOTE_HOST", r->remote_addr);
	fastcgi_builtin(p, a, "SERVER_NAME", r->server_name,
	    r->server_name != NULL ? r->server_name_len : 0);
	fastcgi_builtin_str(p, a, "SERVER_PORT", port);
	fastcgi_builtin_str(p, a, "SERVER_PROTOCOL", "GEMINI");
	fastcgi_builtin_str(p, a, "SERVER_SOFTWARE", r->software);
	fastcgi_builtin_str(p, a, "TLS_VERSION", r->tls_version);
	fastcgi_builtin_str(p, a, "TLS_CIPHER", r->tls_cipher);
	if (fastcgi_client(p, r) == -1)
		return -1;
	fastcgi_extra(p, a, p->n);
	return 0;
}

const struct fastcgi_pair *
fastcgi_param_find(const struct fastcgi_params *p, const char *name)
{
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->pairs[i].name, name) == 0)
			return &p->pairs[i];
	return NULL;
}

/* ---- the request's records ---- */

static void
fastcgi_record(struct buf *b, int type, const char *content, size_t len)
{
	static const char	 zeros[8];
	unsigned char		 h[FCGI_HEAD_LEN];
	size_t			 pad = (8 - len % 8) % 8;

	h[0] = FCGI_VERSION;
	h[1] = (unsigned char)type;
	h[2] = 0;
	h[3] = FCGI_REQUEST_ID;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = (unsigned char)pad;
	h[7] = 0;
	buf_append(b, h, sizeof(h));
	if (len > 0)
		buf_append(b, content, len);
	buf_append(b, zeros, pad);
}

static void
fastcgi_put_len(struct buf *b, size_t n)
{
	unsigned char	 l[4];

	if (n < 128) {
		buf_putc(b, (char)n);
		return;
	}
	l[0] = (unsigned char)(n >> 24 | 0x80);
	l[1] = (unsigned char)(n >> 16 & 0xff);
	l[2] = (unsigned char)(n >> 8 & 0xff);
	l[3] = (unsigned char)(n & 0xff);
	buf_append(b, l, sizeof(l));
}

int
fastcgi_encode_request(struct buf *b, const struct fastcgi_pair *pairs,
    size_t n)
{
	static const char	 begin[8] = { 0, FCGI_RESPONDER, 0 };
	struct buf		 stream;
	size_t			 i, off, len, nlen;

	for (i = 0; i < n; i++)
		if (strlen(pairs[i].name) > FCGI_LEN_MAX ||
		    pairs[i].value_len > FCGI_LEN_MAX)
			return -1;
	buf_init(&stream);
	for (i = 0; i < n; i++) {
		nlen = strlen(pairs[i].name);
		fastcgi_put_len(&stream, nlen);
		fastcgi_put_len(&stream, pairs[i].value_len);
		buf_append(&stream, pairs[i].name, nlen);
		buf_append(&stream, pairs[i].value, pairs[i].value_len);
	}
	fastcgi_record(b, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	for (off = 0; !stream.failed && off < stream.len; off += len) {
		len = stream.len - off;
		if (len > FCGI_CONTENT_MAX)
			len = FCGI_CONTENT_MAX;
		fastcgi_record(b, FCGI_PARAMS, stream.data + off, len);
	}
	fastcgi_record(b, FCGI_PARAMS, NULL, 0);
	fastcgi_record(b, FCGI_STDIN, NULL, 0);
	if (stream.failed)
		b->failed = 1;
	buf_free(&stream);
	return b->failed ? -1 : 0;
}

/* ---- the application's records ---- */

enum { D_HEAD, D_CONTENT, D_PADDING, D_END, D_ERROR };

void
fastcgi_decoder_init(struct fastcgi_decoder *d)
{
	memset(d, 0, sizeof(*d));
	d->state = D_HEAD;
}

static void
fastcgi_fail(struct fastcgi_decoder *d, const char *why)
{
	d->state = D_ERROR;
	d->why = why;
}

/* What follows a record's content: its padding, or the next record. */
static void
fastcgi_after_content(struct fastcgi_decoder *d)
{
	d->state = d->padding_left > 0 ? D_PADDING : D_HEAD;
	d->head_len = 0;
}

/* A whole record header is in: why it is wrong, or NULL and what comes next set. */
static const char *
fastcgi_start_record(struct fastcgi_decoder *d)
{
	const unsigned char	*h = d->head;
	unsigned		 id = (unsigned)h[2] << 8 | h[3];

	d->type = h[1];
	d->content_left = (size_t)h[4] << 8 | h[5];
	d->padding_left = h[6];
	d->end_len = 0;
	if (h[0] != FCGI_VERSION)
		return "not FastCGI version 1";
	if (id == 0)		/* a management record: not ours */
		d->type = 0;
	else if (id != FCGI_REQUEST_ID)
		return "a record for another request";
	if (d->type == FCGI_END_REQUEST && d->content_left != 8)
		return "END_REQUEST of the wrong length";
	if (d->content_left > 0)
		d->state = D_CONTENT;
	else
		fastcgi_after_content(d);
	return NULL;
}

/* END_REQUEST's body, possibly in pieces; the decoder ends once it is whole. */
static void
fastcgi_end_body(struct fastcgi_decoder *d, const unsigned char *b, size_t k)
{
	memcpy(d->end + d->end_len, b, k);
	d->end_len += k;
	if (d->end_len < 8)
		return;
	d->app_status = (uint32_t)d->end[0] << 24 | (uint32_t)d->end[1] << 16 |
	    (uint32_t)d->end[2] << 8 | d->end[3];
	d->protocol_status = d->end[4];
	d->state = D_END;
}

enum fastcgi_event
fastcgi_decode(struct fastcgi_decoder *d, const void *in, size_t len,
    size_t *used, const char **data, size_t *data_len)
{
	const unsigned char	*b = in;
	const char		*why;
	size_t			 n = 0, k;

	*data = NULL;
	*data_len = 0;
	for (;;) {
		*used = n;
		if (d->state == D_END)
			return FASTCGI_END;
		if (d->state == D_ERROR)
			return FASTCGI_ERROR;
		if (n == len)
			return FASTCGI_MORE;
		switch (d->state) {
		case D_HEAD:
			k = FCGI_HEAD_LEN - d->head_len;
			k = k < len - n ? k : len - n;
			memcpy(d->head + d->head_len, b + n, k);
			d->head_len += k;
			n += k;
			if (d->head_len == FCGI_HEAD_LEN &&
			    (why = fastcgi_start_record(d)) != NULL)
				fastcgi_fail(d, why);
			break;
		case D_CONTENT:
			k = d->content_left < len - n ? d->content_left : len - n;
			d->content_left -= k;
			if (d->type == FCGI_END_REQUEST) {
				fastcgi_end_body(d, b + n, k);
				n += k;
				break;
			}
			if (d->content_left == 0)
				fastcgi_after_content(d);
			if (d->type == FCGI_STDOUT || d->type == FCGI_STDERR) {
				*data = (const char *)b + n;
				*data_len = k;
				*used = n + k;
				return d->type == FCGI_STDOUT ? FASTCGI_STDOUT :
				    FASTCGI_STDERR;
			}
			n += k;
			break;
		default:	/* D_PADDING */
			k = d->padding_left < len - n ? d->padding_left :
			    len - n;
			d->padding_left -= k;
			n += k;
			if (d->padding_left == 0)
				d->state = D_HEAD;
		}
	}
}

const char *
fastcgi_decoder_eof(const struct fastcgi_decoder *d)
{
	if (d->state == D_END)
		return NULL;
	if (d->state == D_ERROR)
		return d->why;
	if (d->state == D_HEAD && d->head_len == 0)
		return "the application closed without END_REQUEST";
	return "the application closed in the middle of a record";
}

const char *
fastcgi_protocol_status_str(int s)
{
	switch (s) {
	case 0:
		return "request complete";
	case 1:
		return "cannot multiplex connections";
	case 2:
		return "overloaded";
	case 3:
		return "unknown role";
	default:
		return "unknown protocol status";
	}
}

/* ---- the Gemini header ---- */

void
fastcgi_head_init(struct fastcgi_head *h)
{
	memset(h, 0, sizeof(*h));
}

static enum fastcgi_header_verdict
fastcgi_head_bad(struct fastcgi_head *h, const char *why)
{
	h->why = why;
	return FASTCGI_HEADER_BAD;
}

/* The LF after the CR is in: the whole line is checked. */
static enum fastcgi_header_verdict
fastcgi_head_done(struct fastcgi_head *h)
{
	h->status = (h->buf[0] - '0') * 10 + (h->buf[1] - '0');
	h->meta_len = h->len > 5 ? h->len - 5 : 0;
	if (h->status / 10 == 3 && h->meta_len == 0)
		return fastcgi_head_bad(h, "a redirect without its URL");
	if (!utf8_valid(h->buf + 3, h->meta_len))
		return fastcgi_head_bad(h, "META is not UTF-8");
	return FASTCGI_HEADER_OK;
}

/* Is c valid at buf[len]?  BAD at once, or MORE, or OK on the final LF. */
static enum fastcgi_header_verdict
fastcgi_head_byte(struct fastcgi_head *h, unsigned char c)
{
	size_t	 i = h->len;

	if (i > 2 && h->buf[i - 1] == '\r') {
		if (c != '\n')
			return fastcgi_head_bad(h, "CR not followed by LF");
		h->buf[h->len++] = (char)c;
		return fastcgi_head_done(h);
	}
	if ((i == 0 && (c < '1' || c > '6')) ||
	    (i == 1 && (c < '0' || c > '9')))
		return fastcgi_head_bad(h, "not a status from 10 to 69");
	if (i == 2 && c != ' ' && c != '\r')
		return fastcgi_head_bad(h, "no space after the status");
	if (c == '\n')
		return fastcgi_head_bad(h, "a line ending in LF, not CR LF");
	if (i > 2 && c != '\r' && (c < 0x20 || c == 0x7f))
		return fastcgi_head_bad(h, "a control character in META");
	if (i >= 3 + FASTCGI_META_MAX && c != '\r')
		return fastcgi_head_bad(h, "META longer than 1024 bytes");
	h->buf[h->len++] = (char)c;
	return FASTCGI_HEADER_MORE;
}

enum fastcgi_header_verdict
fastcgi_head_feed(struct fastcgi_head *h, const char *in, size_t len,
    size_t *used)
{
	enum fastcgi_header_verdict	 v = FASTCGI_HEADER_MORE;

	*used = 0;
	if (h->why != NULL)
		return FASTCGI_HEADER_BAD;
	if (h->status != 0)
		return FASTCGI_HEADER_OK;
	while (*used < len && v == FASTCGI_HEADER_MORE) {
		v = fastcgi_head_byte(h, (unsigned char)in[*used]);
		if (v != FASTCGI_HEADER_BAD)
			(*used)++;
	}
	return v;
}
