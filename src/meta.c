/* meta: a page's history date and title from its file name and text (no I/O). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "meta.h"
#include "path.h"
#include "request.h"

#define GEMINI_PORT	1965

int
meta_is_gemtext(const char *name)
{
	size_t	 len = strlen(name);

	return (len > 4 && strcasecmp(name + len - 4, ".gmi") == 0) ||
	    (len > 7 && strcasecmp(name + len - 7, ".gemini") == 0);
}

static int
digits(const char *s, int n)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int
is_separator(char c)
{
	return c == '-' || c == '.';
}

size_t
meta_parse_date(const char *name, struct chron_date *d)
{
	size_t	 len = strlen(name);
	int	 y, m, day;

	memset(d, 0, sizeof(*d));
	if (len < 5 || (y = digits(name, 4)) < 1 || !is_separator(name[4]))
		return 0;
	d->year = y;
	if (name[4] == '.' || len < 8 || (m = digits(name + 5, 2)) < 0 ||
	    !is_separator(name[7]))
		return 5;
	if (m < 1 || m > 12)
		goto invalid;
	d->month = m;
	if (name[7] == '.' || len < 11 || (day = digits(name + 8, 2)) < 0 ||
	    !is_separator(name[10]))
		return 8;
	if (day < 1 || day > days_in_month(y, m))
		goto invalid;
	d->day = day;
	return 11;
invalid:
	memset(d, 0, sizeof(*d));
	return 0;
}

static size_t
digit_run(const char *s)
{
	size_t	 n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

/*
 * The month or day at name[at..]: 1 when it is written as two digits and
 * a separator, 0 after setting *looked when a digit starts something else.
 */
static int
two_digits(const char *name, size_t at, size_t *looked)
{
	size_t	 run = digit_run(name + at);

	if (run == 2 && is_separator(name[at + 2]))
		return 1;
	*looked = at + run;
	return 0;
}

/* Follows meta_parse_date step by step, saying where a date stops short. */
enum meta_date_note
meta_date_note(const char *name, size_t *looked)
{
	int	 y, m, d;

	*looked = 0;
	if (strlen(name) < 5 || (y = digits(name, 4)) < 0 ||
	    !is_separator(name[4]))
		return DATE_AS_WRITTEN;
	*looked = 4;
	if (y == 0)
		return DATE_IMPOSSIBLE;
	if (!isdigit((unsigned char)name[5]))
		return DATE_AS_WRITTEN;
	if (name[4] == '.' || !two_digits(name, 5, looked)) {
		*looked = 5 + digit_run(name + 5);
		return DATE_CUT;
	}
	*looked = 7;
	if ((m = digits(name + 5, 2)) < 1 || m > 12)
		return DATE_IMPOSSIBLE;
	if (!isdigit((unsigned char)name[8]))
		return DATE_AS_WRITTEN;
	if (name[7] == '.' || !two_digits(name, 8, looked)) {
		*looked = 8 + digit_run(name + 8);
		return DATE_CUT;
	}
	*looked = 10;
	if ((d = digits(name + 8, 2)) < 1 || d > days_in_month(y, m))
		return DATE_IMPOSSIBLE;
	return DATE_AS_WRITTEN;
}

void
meta_format_date(const struct chron_date *d, char *out, size_t outsz)
{
	if (d->month == 0)
		snprintf(out, outsz, "%04d", d->year);
	else if (d->day == 0)
		snprintf(out, outsz, "%04d-%02d", d->year, d->month);
	else
		snprintf(out, outsz, "%04d-%02d-%02d", d->year, d->month,
		    d->day);
}

int
meta_date_cmp(const struct chron_date *a, const struct chron_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

/*
 * U+FFFE and U+FFFF are valid UTF-8 but not characters XML allows (the
 * Atom feed): they become U+FFFD, which has the same length.
 */
void
meta_sanitize(char *s)
{
	int	 utf8 = utf8_valid(s, strlen(s));

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			*s = '?';
		else if (utf8 && c == 0xef && (unsigned char)s[1] == 0xbf &&
		    ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf))
			s[2] = (char)0xbd;
	}
}

void
meta_title_from_name(const char *path, char *out, size_t outsz)
{
	struct chron_date	 d;
	const char		*base, *dot;
	size_t			 n, i, skip;
	int			 date_only;

	if (outsz == 0)
		return;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	skip = meta_parse_date(base, &d);
	date_only = skip > 0 && (base[skip - 1] == '.' ||
	    base[skip] == '\0' || base[skip] == '.');
	if (date_only)
		skip = 0;	/* nothing but a date: keep the whole name */
	base += skip;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n >= outsz)
		n = outsz - 1;
	for (i = 0; i < n; i++)
		out[i] = !date_only && (base[i] == '-' || base[i] == '_') ?
		    ' ' : base[i];
	out[n] = '\0';
	meta_sanitize(out);
	if (n > 0 && skip > 0)
		out[0] = (char)toupper((unsigned char)out[0]);
}

/* Cuts s[0..*len) to fit max bytes without splitting a UTF-8 sequence. */
static void
trim_utf8(const char *s, size_t *len, size_t max)
{
	size_t	 n = *len;

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	*len = n;
}

size_t
meta_bom_length(const char *text, size_t len)
{
	return len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static int
find_heading(const char *text, size_t len, const char **title, size_t *tlen)
{
	const char	*p = text, *end = text + len, *eol, *s, *e;
	int		 pre = 0;

	for (p += meta_bom_length(text, len); p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) >= 3 && strncmp(p, "```", 3) == 0) {
			pre = !pre;
			continue;
		}
		if (pre || p == eol || p[0] != '#' || (eol - p > 1 &&
		    p[1] == '#'))
			continue;
		for (s = p + 1; s < eol && isspace((unsigned char)*s); s++)
			;
		for (e = eol; e > s && isspace((unsigned char)e[-1]); e--)
			;
		if (e > s) {
			*title = s;
			*tlen = (size_t)(e - s);
			return 1;
		}
	}
	return 0;
}

/* Drops a UTF-8 sequence cut short at the end of s[0..len). */
static size_t
complete_prefix(const char *s, size_t len)
{
	size_t		 i = len, need;
	unsigned char	 lead;

	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return len;
	lead = (unsigned char)s[i - 1];
	if (lead < 0xc2 || lead > 0xf4)
		return len;	/* not a lead byte: utf8_valid will say so */
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return len - (i - 1) < need ? i - 1 : len;
}

int
meta_is_utf8(const char *text, size_t len, int truncated)
{
	return utf8_valid(text, truncated ? complete_prefix(text, len) : len);
}

/*
 * 'truncated' says text is only the first part of the file: a UTF-8
 * sequence cut at the end is then not an error.
 */
enum meta_title_source
meta_title(const char *text, size_t len, int truncated, const char *path,
    char *out, size_t outsz, int *crlf)
{
	const char	*t, *nl;
	size_t		 tlen;

	if (outsz == 0)
		return TITLE_EMPTY;
	nl = memchr(text, '\n', len);
	*crlf = nl != NULL && nl > text && nl[-1] == '\r';
	if (truncated)
		len = complete_prefix(text, len);
	if (len == 0) {
		meta_title_from_name(path, out, outsz);
		return TITLE_EMPTY;
	}
	if (!utf8_valid(text, len)) {
		meta_title_from_name(path, out, outsz);
		return TITLE_NOT_UTF8;
	}
	if (!find_heading(text, len, &t, &tlen)) {
		meta_title_from_name(path, out, outsz);
		return TITLE_NO_HEADING;
	}
	trim_utf8(t, &tlen, outsz - 1);
	memcpy(out, t, tlen);
	out[tlen] = '\0';
	meta_sanitize(out);
	return TITLE_HEADING;
}

void
meta_end_init(struct meta_end *e)
{
	memset(e, 0, sizeof(*e));
	e->newline = 1;
	e->blank = 1;
}

static int
is_blank_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
end_line(struct meta_end *e)
{
	int	 fence = e->len >= 3 && memcmp(e->head, "```", 3) == 0;
	int	 arrow = e->len >= 2 && memcmp(e->head, "=>", 2) == 0;

	if (!e->blank) {
		e->link = !fence && !e->pre && arrow;
		e->target_ok = e->link && e->tlen > 0 && e->tlen <= LINK_MAX;
		if (e->target_ok) {
			memcpy(e->target, e->cur, e->tlen);
			e->target[e->tlen] = '\0';
		}
	}
	if (fence)
		e->pre = !e->pre;
	e->len = e->tlen = 0;
	e->blank = 1;
	e->in_target = 0;
}

/* A link's URL is its first word after "=>": 1 while reading it, 2 after. */
static void
link_byte(struct meta_end *e, char c)
{
	if (e->in_target == 2)
		return;
	if (c == '\0') {
		e->tlen = LINK_MAX + 1;	/* no request can name it */
		e->in_target = 2;
		return;
	}
	if (is_blank_byte(c)) {
		if (e->in_target == 1)
			e->in_target = 2;
		return;
	}
	e->in_target = 1;
	if (e->tlen < LINK_MAX)
		e->cur[e->tlen] = c;
	e->tlen++;
}

void
meta_end_feed(struct meta_end *e, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n') {
			end_line(e);
			continue;
		}
		if (e->len < sizeof(e->head))
			e->head[e->len] = s[i];
		e->len++;
		if (!is_blank_byte(s[i]))
			e->blank = 0;
		if (e->len > 2 && memcmp(e->head, "=>", 2) == 0)
			link_byte(e, s[i]);
	}
	if (len > 0)
		e->newline = s[len - 1] == '\n';
}

void
meta_end_finish(struct meta_end *e)
{
	if (e->len > 0)
		end_line(e);
}

static int
has_scheme(const char *s)
{
	size_t	 n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-.");

	return n > 0 && isalpha((unsigned char)s[0]) && s[n] == ':';
}

/* 1 when "host[:port]" in s[0..len) names this capsule. */
static int
same_authority(const char *s, size_t len, const char *host, int port)
{
	size_t	 hlen = strlen(host), i;
	long	 p = 0;

	if (len < hlen || strncasecmp(s, host, hlen) != 0)
		return 0;
	if (len == hlen)
		return port == GEMINI_PORT;
	if (s[hlen] != ':' || len == hlen + 1)
		return len == hlen + 1 && port == GEMINI_PORT;
	for (i = hlen + 1; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || p > 65535)
			return 0;
		p = p * 10 + (s[i] - '0');
	}
	return p == port;
}

int
meta_link_path(const char *page, const char *target, const char *host,
    int port, char *out)
{
	char		 joined[2 * PATH_MAX_LEN + 2];
	const char	*slash, *auth;
	int		 n;

	if (strpbrk(target, "?#") != NULL)
		return 0;
	if (target[0] == '\0')		/* the page itself (RFC 3986, 5.2.2) */
		target = page;
	else if (strncasecmp(target, "gemini://", 9) == 0)
		target += 7;
	else if (has_scheme(target))
		return 0;
	if (strncmp(target, "//", 2) == 0) {
		auth = target + 2;
		if ((target = strchr(auth, '/')) == NULL)
			target = auth + strlen(auth);
		if (!same_authority(auth, (size_t)(target - auth), host, port))
			return 0;
	}
	if (target == page || target[0] == '/' || target[0] == '\0')
		n = snprintf(joined, sizeof(joined), "/%s", target);
	else {
		slash = strrchr(page, '/');
		n = snprintf(joined, sizeof(joined), "/%.*s%s",
		    slash ? (int)(slash - page + 1) : 0, page, target);
	}
	if (n < 0 || (size_t)n >= sizeof(joined))
		return 0;
	return path_normalise(joined, (size_t)n, out) == PATH_OK;
}
