/* ticketkeys: TLS session-ticket keys read from a file that several instances share. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fileline.h"
#include "ticketkeys.h"

#define LINE_MAX_LEN	1024	/* bytes in a line, far past a key's 108 */
#define UTF8_BOM	"\xef\xbb\xbf"
#define HOWTO		"openssl rand 80 | base64 -w0"

struct tk_parser {
	const char		*name;
	int			 line;
	char			*err;
	size_t			 errsz;
	struct ticketkeys	*keys;
	int			 lines[TICKETKEYS_MAX];	/* where each key was */
};

static int	tk_fail(struct tk_parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Writes "name:line: message" into err; returns -1 to pass on. */
static int
tk_fail(struct tk_parser *p, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = fileline_vfail(p->err, p->errsz, p->name, p->line, fmt, ap);
	va_end(ap);
	return rc;
}

static int
tk_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
tk_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A byte as an error message shows it. */
static void
tk_show(unsigned char c, char out[8])
{
	if (c > ' ' && c < 0x7f)
		snprintf(out, 8, "'%c'", c);
	else
		snprintf(out, 8, "\\x%02x", c);
}

/*
 * s[0..len) checked as RFC 4648 base64 before a byte is decoded, so that
 * the error names the first thing wrong, by its column (from 1).
 */
static int
tk_b64_check(struct tk_parser *p, const char *s, size_t len, size_t col)
{
	char	 shown[8];
	size_t	 i, pad = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (tk_blank(s[i]))
			return tk_fail(p, "a blank inside the key, at column "
			    "%zu", col + i);
		if (tk_b64val((unsigned char)s[i]) == -1) {
			tk_show((unsigned char)s[i], shown);
			return tk_fail(p, "%s at column %zu is not base64",
			    shown, col + i);
		}
		if (pad > 0)
			return tk_fail(p, "'=' inside the key, at column %zu",
			    col + i - pad);
	}
	if (pad > 2)
		return tk_fail(p, "more than two '=' at the end");
	if (len % 4 != 0 && pad == 0 && len % 4 != 1)
		return tk_fail(p, "base64 without its '=' padding (RFC 4648)");
	if (len % 4 != 0)
		return tk_fail(p, "%zu base64 characters, not a multiple of 4",
		    len);
	return 0;
}

/* The bytes checked base64 decodes to. */
static size_t
tk_b64_len(const char *s, size_t len)
{
	size_t	 n = len / 4 * 3;

	while (len > 0 && s[len - 1] == '=') {
		len--;
		n--;
	}
	return n;
}

/*
 * Checked by tk_b64_check, into out[0..tk_b64_len): refuses bits set
 * past the last byte.
 */
static int
tk_b64_decode(struct tk_parser *p, const char *s, size_t len,
    unsigned char *out)
{
	unsigned long	 v = 0;
	size_t		 i, o = 0, pad = 0;
	int		 k;

	while (len > 0 && s[len - 1] == '=') {
		len--;
		pad++;
	}
	for (i = 0; i < len; i += 4) {
		for (v = 0, k = 0; k < 4; k++)
			v = v << 6 | (unsigned long)(i + (size_t)k < len ?
			    tk_b64val((unsigned char)s[i + (size_t)k]) : 0);
		out[o++] = (unsigned char)(v >> 16);
		if (i + 2 < len)
			out[o++] = (unsigned char)(v >> 8);
		if (i + 3 < len)
			out[o++] = (unsigned char)v;
	}
	/* Other encoders could read those bits; refuse what none writes. */
	if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
		return tk_fail(p, "not canonical base64: bits set after the "
		    "last byte");
	return 0;
}

static int
tk_add(struct tk_parser *p, const unsigned char *raw)
{
	struct ticketkeys	*k = p->keys;
	struct ticketkey	*key;
	size_t			 i;

	if (k->n == TICKETKEYS_MAX)
		return tk_fail(p, "more than %d keys", TICKETKEYS_MAX);
	key = &k->key[k->n];
	memcpy(key->name, raw, TICKETKEY_NAME_LEN);
	memcpy(key->hmac, raw + TICKETKEY_NAME_LEN, TICKETKEY_HMAC_LEN);
	memcpy(key->aes, raw + TICKETKEY_NAME_LEN + TICKETKEY_HMAC_LEN,
	    TICKETKEY_AES_LEN);
	/* The name alone picks the key that decrypts: it must be unique. */
	for (i = 0; i < k->n; i++)
		if (memcmp(k->key[i].name, key->name, TICKETKEY_NAME_LEN) == 0)
			return tk_fail(p, "the same key name (first 16 bytes) "
			    "as line %d", p->lines[i]);
	p->lines[k->n++] = p->line;
	return 0;
}

static int
tk_line(struct tk_parser *p, const char *s, size_t len)
{
	unsigned char	 raw[TICKETKEY_LEN];
	size_t		 col = 1, n;
	int		 rc;

	if (len > LINE_MAX_LEN)
		return tk_fail(p, "line longer than %d bytes", LINE_MAX_LEN);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	while (len > 0 && tk_blank(s[len - 1]))
		len--;
	for (; len > 0 && tk_blank(s[0]); col++, len--)
		s++;
	if (len == 0 || s[0] == '#')
		return 0;
	if (tk_b64_check(p, s, len, col) == -1)
		return -1;
	if ((n = tk_b64_len(s, len)) != TICKETKEY_LEN)
		return tk_fail(p, "a key of %zu byte%s, not %d (%s)", n,
		    n == 1 ? "" : "s", TICKETKEY_LEN, HOWTO);
	if ((rc = tk_b64_decode(p, s, len, raw)) == 0)
		rc = tk_add(p, raw);
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

int
ticketkeys_parse(const char *text, size_t len, const char *name,
    struct ticketkeys *out, char *err, size_t errsz)
{
	struct ticketkeys	 keys;
	struct tk_parser	 p = { name, 0, err, errsz, &keys, { 0 } };
	const char		*nl;
	size_t			 n;
	int			 rc = 0;

	if (errsz > 0)
		err[0] = '\0';
	memset(&keys, 0, sizeof(keys));
	if (len >= 3 && memcmp(text, UTF8_BOM, 3) == 0) {
		text += 3;
		len -= 3;
	}
	while (len > 0 && rc == 0) {
		p.line++;
		nl = memchr(text, '\n', len);
		n = nl != NULL ? (size_t)(nl - text) : len;
		rc = tk_line(&p, text, n);
		if (nl == NULL)
			break;
		text += n + 1;
		len -= n + 1;
	}
	if (rc == 0 && keys.n == 0) {
		if (p.line == 0)
			p.line = 1;
		rc = tk_fail(&p, "no key: one a line, the base64 of %d random "
		    "bytes (%s)", TICKETKEY_LEN, HOWTO);
	}
	if (rc == 0)
		*out = keys;
	ticketkeys_clear(&keys);
	return rc;
}

const struct ticketkey *
ticketkeys_find(const struct ticketkeys *k,
    const unsigned char name[TICKETKEY_NAME_LEN], size_t *index)
{
	size_t	 i;

	for (i = 0; i < k->n && i < TICKETKEYS_MAX; i++)
		if (memcmp(k->key[i].name, name, TICKETKEY_NAME_LEN) == 0) {
			if (index != NULL)
				*index = i;
			return &k->key[i];
		}
	return NULL;
}

void
ticketkeys_clear(struct ticketkeys *k)
{
	explicit_bzero(k, sizeof(*k));
}
