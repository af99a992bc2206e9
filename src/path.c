/* path: percent-decoding and normalisation of request paths (no I/O). */
#include <ctype.h>
#include <string.h>

#include "path.h"

int
path_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes one segment.  An encoded '/' is refused rather than decoded,
 * so that decoding never changes where the segment boundaries are.
 */
static enum path_verdict
decode_segment(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t	 i, n = 0;
	int	 hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return PATH_BAD_ESCAPE;
			hi = path_hex_value((unsigned char)s[i + 1]);
			lo = path_hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return PATH_BAD_ESCAPE;
			c = hi * 16 + lo;
			i += 2;
			if (c == '/')
				return PATH_FORBIDDEN;
		}
		if (c < 0x20 || c == 0x7f)
			return PATH_FORBIDDEN;
		out[n++] = (char)c;
	}
	*outlen = n;
	return PATH_OK;
}

/* Drops the last segment of out[0..*len), which holds "a/b/c/" forms. */
static void
pop_segment(char *out, size_t *len)
{
	size_t	 n = *len;

	if (n > 0)
		n--;		/* the trailing slash */
	while (n > 0 && out[n - 1] != '/')
		n--;
	*len = n;
}

static int
is_hidden(const char *out, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (out[i] != '.' || (i > 0 && out[i - 1] != '/'))
			continue;
		if (i == 0 && strncmp(out, ".well-known/", 12) == 0)
			continue;
		if (i == 0 && len == 11 && strncmp(out, ".well-known", 11) == 0)
			continue;
		return 1;
	}
	return 0;
}

enum path_verdict
path_normalise(const char *raw, size_t rawlen, char *out)
{
	char			 seg[PATH_MAX_LEN + 1];
	const char		*p = raw, *end = raw + rawlen, *e;
	size_t			 len = 0, seglen;
	int			 trailing = 0;
	enum path_verdict	 v;

	if (rawlen > PATH_MAX_LEN)
		return PATH_TOO_LONG;
	while (p < end) {
		if (*p == '/') {
			p++;
			trailing = 1;
			continue;
		}
		for (e = p; e < end && *e != '/'; e++)
			;
		if ((v = decode_segment(p, (size_t)(e - p), seg, &seglen)) !=
		    PATH_OK)
			return v;
		p = e;
		trailing = (seglen <= 2 && seglen > 0 &&
		    strncmp(seg, "..", seglen) == 0);
		if (seglen == 1 && seg[0] == '.')
			continue;
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
			if (len == 0)
				return PATH_CLIMB;
			pop_segment(out, &len);
			continue;
		}
		if (seglen == 0)
			continue;
		memcpy(out + len, seg, seglen);
		len += seglen;
		out[len++] = '/';
	}
	/* Segments were stored as "seg/"; keep the slash only if asked. */
	if (len > 0 && !trailing)
		len--;
	out[len] = '\0';
	return is_hidden(out, len) ? PATH_HIDDEN : PATH_OK;
}

const char *
path_verdict_str(enum path_verdict v)
{
	switch (v) {
	case PATH_OK:
		return "ok";
	case PATH_BAD_ESCAPE:
		return "malformed percent-encoding";
	case PATH_FORBIDDEN:
		return "encoded slash, NUL or control byte in path";
	case PATH_CLIMB:
		return "path climbs above the root";
	case PATH_HIDDEN:
		return "hidden path";
	case PATH_TOO_LONG:
		return "path too long";
	}
	return "unknown";
}

/* Unreserved and sub-delims pass; '/' separates; the rest is encoded. */
size_t
path_encode(const char *path, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0;
	unsigned char		 c;

	for (; *path != '\0'; path++) {
		c = (unsigned char)*path;
		if (isalnum(c) || strchr("/-._~!$&'()*+,;=:@", c) != NULL) {
			if (n + 1 >= outsz)
				break;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= outsz)
				break;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (outsz > 0)
		out[n] = '\0';
	return n;
}

static int
has_suffix(const char *s, size_t len, const char *suf)
{
	size_t	 n = strlen(suf);

	return len >= n && strcmp(s + len - n, suf) == 0;
}

int
path_is_leftover(const char *name)
{
	const char	*base = strrchr(name, '/');
	size_t		 len;

	base = base ? base + 1 : name;
	len = strlen(base);
	return len == 0 || base[0] == '.' || base[len - 1] == '~' ||
	    base[0] == '#' ||
	    has_suffix(base, len, ".swp") || has_suffix(base, len, ".swx") ||
	    has_suffix(base, len, ".tmp") || has_suffix(base, len, ".part");
}

int
path_has_control(const char *name)
{
	for (; *name != '\0'; name++)
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			return 1;
	return 0;
}
