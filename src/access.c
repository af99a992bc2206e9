/* access: client-certificate identities: fingerprints in both forms, allow lists, and the status a certificate earns. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fileline.h"
#include "access.h"
#include "path.h"

#define PREFIX		"SHA256:"
#define PREFIX_LEN	(sizeof(PREFIX) - 1)
#define HEX_LEN		((size_t)2 * ACCESS_FP_LEN)	/* "ab12..." */
#define COLON_LEN	((size_t)3 * ACCESS_FP_LEN - 1)	/* "ab:12:..." */
#define UTF8_BOM	"\xef\xbb\xbf"
#define SHOW_MAX	40	/* bytes of a line quoted in an error */
/*
 * RFC 2253, but with UTF-8 left as it is rather than escaped as \XX:
 * readable in the log and in FastCGI parameters, as mod_ssl does.
 */
#define DN_FLAGS	(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)

struct list_parser {
	const char	*name;
	int		 line;
	char		*err;
	size_t		 errsz;
};

static int	list_fail(struct list_parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

int
access_parse_fingerprint(const char *text, size_t len,
    unsigned char out[ACCESS_FP_LEN])
{
	unsigned char	 fp[ACCESS_FP_LEN];
	const char	*p;
	size_t		 i, step;
	int		 hi, lo;

	trim(&text, &len);
	if (len >= PREFIX_LEN && strncasecmp(text, PREFIX, PREFIX_LEN) == 0) {
		text += PREFIX_LEN;
		len -= PREFIX_LEN;
		trim(&text, &len);
	}
	if (len == HEX_LEN)
		step = 2;
	else if (len == COLON_LEN)
		step = 3;
	else
		return -1;
	for (i = 0; i < ACCESS_FP_LEN; i++) {
		p = text + i * step;
		if ((hi = path_hex_value(p[0])) == -1 ||
		    (lo = path_hex_value(p[1])) == -1)
			return -1;
		if (step == 3 && i + 1 < ACCESS_FP_LEN && p[2] != ':')
			return -1;
		fp[i] = (unsigned char)(hi << 4 | lo);
	}
	memcpy(out, fp, sizeof(fp));
	return 0;
}

static void
format(const unsigned char *fp, char *out, size_t outsz, const char *digits,
    int colons)
{
	size_t	 i, o = 0;

	if (outsz < (colons ? ACCESS_FP_COLON_SIZE : ACCESS_FP_HEX_SIZE)) {
		if (outsz > 0)
			out[0] = '\0';
		return;
	}
	for (i = 0; i < ACCESS_FP_LEN; i++) {
		if (colons && i > 0)
			out[o++] = ':';
		out[o++] = digits[fp[i] >> 4];
		out[o++] = digits[fp[i] & 0xf];
	}
	out[o] = '\0';
}

void
access_format_fingerprint(const unsigned char fp[ACCESS_FP_LEN], char *out,
    size_t outsz)
{
	format(fp, out, outsz, "0123456789abcdef", 0);
}

void
access_format_fingerprint_colons(const unsigned char fp[ACCESS_FP_LEN],
    char *out, size_t outsz)
{
	format(fp, out, outsz, "0123456789ABCDEF", 1);
}

int
access_fingerprints(X509 *x, unsigned char cert[ACCESS_FP_LEN],
    unsigned char spki[ACCESS_FP_LEN])
{
	unsigned char	*der = NULL;
	unsigned int	 n;
	int		 len, ok;

	if (X509_digest(x, EVP_sha256(), cert, &n) != 1 || n != ACCESS_FP_LEN)
		return -1;
	/* The key as the certificate encodes it: Go's RawSubjectPublicKeyInfo. */
	if ((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0)
		return -1;
	ok = EVP_Digest(der, (size_t)len, spki, &n, EVP_sha256(), NULL) == 1 &&
	    n == ACCESS_FP_LEN;
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

void
access_list_init(struct access_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
access_list_free(struct access_list *l)
{
	free(l->fp);
	access_list_init(l);
}

/* Where fp is in l, or where it would go; *found says which. */
static size_t
list_find(const struct access_list *l, const unsigned char *fp, int *found)
{
	size_t	 lo = 0, hi = l->len, mid;
	int	 c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = memcmp(l->fp[mid], fp, ACCESS_FP_LEN)) == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
list_grow(struct access_list *l, size_t need)
{
	unsigned char	(*p)[ACCESS_FP_LEN];
	size_t		  cap;

	if (need <= l->cap)
		return 0;
	if (need > ACCESS_LIST_MAX)
		return -1;
	for (cap = l->cap ? l->cap : 16; cap < need; cap *= 2)
		;
	if (cap > ACCESS_LIST_MAX)
		cap = ACCESS_LIST_MAX;
	if ((p = reallocarray(l->fp, cap, sizeof(*p))) == NULL)
		return -1;
	l->fp = p;
	l->cap = cap;
	return 0;
}

/* Few entries (a configuration's), so an insertion in place is fine. */
int
access_list_add(struct access_list *l, const unsigned char fp[ACCESS_FP_LEN])
{
	size_t	 i;
	int	 found;

	i = list_find(l, fp, &found);
	if (found)
		return 1;
	if (list_grow(l, l->len + 1) == -1)
		return -1;
	memmove(l->fp + i + 1, l->fp + i, (l->len - i) * sizeof(*l->fp));
	memcpy(l->fp[i], fp, ACCESS_FP_LEN);
	l->len++;
	return 0;
}

int
access_list_has(const struct access_list *l,
    const unsigned char fp[ACCESS_FP_LEN])
{
	int	 found;

	if (l->len > 0)
		(void)list_find(l, fp, &found);
	else
		found = 0;
	return found;
}

static int
fp_cmp(const void *a, const void *b)
{
	return memcmp(a, b, ACCESS_FP_LEN);
}

/* A file's many entries: appended as they come, then sorted once. */
static void
list_sort_unique(struct access_list *l)
{
	size_t	 i, n = 0;

	if (l->len == 0)
		return;
	qsort(l->fp, l->len, sizeof(*l->fp), fp_cmp);
	for (i = 1; i < l->len; i++) {
		if (memcmp(l->fp[n], l->fp[i], ACCESS_FP_LEN) == 0)
			continue;
		if (++n != i)
			memcpy(l->fp[n], l->fp[i], ACCESS_FP_LEN);
	}
	l->len = n + 1;
}

/* Writes "name:line: message" into err; returns -1 to pass on. */
static int
list_fail(struct list_parser *p, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = fileline_vfail(p->err, p->errsz, p->name, p->line, fmt, ap);
	va_end(ap);
	return rc;
}

/* A line as an error quotes it: printable ASCII, the rest as '?'. */
static void
show(char out[SHOW_MAX + 4], const char *s, size_t len)
{
	size_t	 i, n = len < SHOW_MAX ? len : SHOW_MAX;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
	memcpy(out + n, len > n ? "..." : "", len > n ? 4 : 1);
}

static int
list_line(struct list_parser *p, struct access_list *l, const char *s,
    size_t len)
{
	unsigned char	 fp[ACCESS_FP_LEN];
	char		 text[SHOW_MAX + 4];
	const char	*hash;

	if (len > ACCESS_LINE_MAX)
		return list_fail(p, "line longer than %d bytes",
		    ACCESS_LINE_MAX);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if ((hash = memchr(s, '#', len)) != NULL)
		len = (size_t)(hash - s);
	trim(&s, &len);
	if (len == 0)
		return 0;
	if (access_parse_fingerprint(s, len, fp) == -1) {
		show(text, s, len);
		return list_fail(p, "\"%s\" is not a SHA-256 fingerprint (64 "
		    "hex digits, or 32 pairs separated by colons)", text);
	}
	if (l->len == ACCESS_LIST_MAX)
		return list_fail(p, "more than %d fingerprints",
		    ACCESS_LIST_MAX);
	if (list_grow(l, l->len + 1) == -1)
		return list_fail(p, "out of memory");
	memcpy(l->fp[l->len++], fp, ACCESS_FP_LEN);
	return 0;
}

int
access_list_parse(const char *text, size_t len, const char *name,
    struct access_list *out, char *err, size_t errsz)
{
	struct list_parser	 p = { name, 0, err, errsz };
	struct access_list	 l;
	const char		*nl;
	size_t			 n;

	if (errsz > 0)
		err[0] = '\0';
	if (len >= 3 && memcmp(text, UTF8_BOM, 3) == 0) {
		text += 3;
		len -= 3;
	}
	access_list_init(&l);
	while (len > 0) {
		p.line++;
		nl = memchr(text, '\n', len);
		n = nl != NULL ? (size_t)(nl - text) : len;
		if (list_line(&p, &l, text, n) == -1) {
			access_list_free(&l);
			return -1;
		}
		if (nl == NULL)
			break;
		text += n + 1;
		len -= n + 1;
	}
	list_sort_unique(&l);
	access_list_free(out);
	*out = l;
	return 0;
}

/* The length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	uint32_t	 c;
	size_t		 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/* C0, DEL and C1: nothing a log line or a FastCGI parameter should carry. */
static int
is_control(const unsigned char *s, size_t n)
{
	return (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	    (n == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

/*
 * s[0..len) into out[0..outsz) (outsz > 0), each invalid sequence or
 * control as '?', cut before the character that would not fit.
 */
static void
copy_utf8(char *out, size_t outsz, const unsigned char *s, size_t len)
{
	const unsigned char	*from;
	size_t			 i = 0, o = 0, n, step;

	while (i < len) {
		step = n = utf8_len(s + i, len - i);
		from = s + i;
		if (n == 0 || is_control(from, n)) {
			from = (const unsigned char *)"?";
			n = 1;
			if (step == 0)
				step = 1;
		}
		if (o + n >= outsz)
			break;
		memcpy(out + o, from, n);
		o += n;
		i += step;
	}
	out[o] = '\0';
}

static void
name_cn(const X509_NAME *name, char *out, size_t outsz)
{
	const X509_NAME_ENTRY	*e;
	unsigned char		*utf8;
	int			 i, n;

	out[0] = '\0';
	if ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0)
		return;
	copy_utf8(out, outsz, utf8, (size_t)n);
	OPENSSL_free(utf8);
}

static void
name_dn(const X509_NAME *name, char *out, size_t outsz)
{
	BIO	*b;
	char	*data;
	long	 n;

	out[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, DN_FLAGS) > 0 &&
	    (n = BIO_get_mem_data(b, &data)) > 0)
		copy_utf8(out, outsz, (const unsigned char *)data, (size_t)n);
	BIO_free(b);
}

static void
iso_date(const ASN1_TIME *t, char *out, size_t outsz)
{
	struct tm	 tm;

	out[0] = '\0';
	/* ASN1_TIME_to_tm(NULL) would give the current time. */
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	/* The remainders change nothing but tell the compiler the widths. */
	snprintf(out, outsz, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)(tm.tm_mon + 1) %
	    100, (unsigned)tm.tm_mday % 100, (unsigned)tm.tm_hour % 100,
	    (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100);
}

/* Both bounds inclusive (RFC 5280, 4.1.2.5); unreadable dates fail. */
static int
valid_at(const X509 *x, time_t now)
{
	int	 nb, na;

	nb = ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), now);
	na = ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), now);
	return (nb == -1 || nb == 0) && (na == 0 || na == 1);
}

int
access_identity_of(X509 *peer, time_t now, struct access_identity *id)
{
	memset(id, 0, sizeof(*id));
	if (peer == NULL)
		return 0;
	ERR_set_mark();
	if (access_fingerprints(peer, id->cert_sha256, id->spki_sha256) ==
	    -1) {
		ERR_pop_to_mark();
		memset(id, 0, sizeof(*id));
		return -1;
	}
	id->present = 1;
	id->valid_now = valid_at(peer, now);
	name_cn(X509_get_subject_name(peer), id->subject_cn,
	    sizeof(id->subject_cn));
	name_dn(X509_get_subject_name(peer), id->subject, sizeof(id->subject));
	name_dn(X509_get_issuer_name(peer), id->issuer, sizeof(id->issuer));
	iso_date(X509_get0_notBefore(peer), id->not_before,
	    sizeof(id->not_before));
	iso_date(X509_get0_notAfter(peer), id->not_after,
	    sizeof(id->not_after));
	ERR_pop_to_mark();
	return 0;
}

static int
on_a_list(const struct access_identity *id,
    const struct access_list *const *lists, size_t nlists)
{
	size_t	 i;

	for (i = 0; i < nlists; i++)
		if (lists[i] != NULL &&
		    (access_list_has(lists[i], id->spki_sha256) ||
		    access_list_has(lists[i], id->cert_sha256)))
			return 1;
	return 0;
}

int
access_status(const struct access_identity *id, int require_cert,
    const struct access_list *const *lists, size_t nlists, char *meta,
    size_t metasz)
{
	const char	*why = "";
	int		 status = 0;

	if (require_cert || nlists > 0) {
		if (id == NULL || !id->present) {
			status = 60;
			why = "a client certificate is required";
		} else if (!id->valid_now) {
			status = 62;
			why = "certificate expired or not yet valid";
		} else if (nlists > 0 && !on_a_list(id, lists, nlists)) {
			status = 61;
			why = "certificate not allowed";
		}
	}
	if (metasz > 0)
		snprintf(meta, metasz, "%s", why);
	return status;
}
