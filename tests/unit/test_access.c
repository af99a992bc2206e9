/* test_access: fingerprints, allow lists, identities of real certificates and the status they earn (src/access.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "access.h"
#include "tap.h"

#define NOW	((time_t)1750000000)	/* 2025-06-15T15:06:40Z */
#define DAY	((time_t)86400)

/* SHA-256("abc"), a digest whose hex every form below writes. */
static const char abc_hex[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char abc_colons[] =
    "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
    "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";
static unsigned char	 abc[ACCESS_FP_LEN];

static char		 err[256];

static void
fill(unsigned char fp[ACCESS_FP_LEN], unsigned seed)
{
	size_t	 i;

	for (i = 0; i < ACCESS_FP_LEN; i++)
		fp[i] = (unsigned char)((seed * 2654435761u) >> (i % 4 * 8)) ^
		    (unsigned char)(i * 7);
}

static int
parses(const char *text)
{
	unsigned char	 fp[ACCESS_FP_LEN];

	memset(fp, 0, sizeof(fp));
	return access_parse_fingerprint(text, strlen(text), fp) == 0 &&
	    memcmp(fp, abc, sizeof(fp)) == 0;
}

static int
refused(const char *text, size_t len)
{
	unsigned char	 fp[ACCESS_FP_LEN], before[ACCESS_FP_LEN];

	memset(fp, 0x5a, sizeof(fp));
	memcpy(before, fp, sizeof(fp));
	return access_parse_fingerprint(text, len, fp) == -1 &&
	    memcmp(fp, before, sizeof(fp)) == 0;
}

static void
test_parse_fingerprint(void)
{
	char	 buf[256];
	size_t	 i;

	for (i = 0; i < ACCESS_FP_LEN; i++)
		abc[i] = (unsigned char)strtoul((char[]){ abc_hex[2 * i],
		    abc_hex[2 * i + 1], '\0' }, NULL, 16);
	ok(parses(abc_hex), "64 lower-case hex digits");
	ok(parses("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61"
	    "F20015AD"), "64 upper-case hex digits");
	ok(parses("Ba7816bF8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015aD"), "mixed case");
	ok(parses(abc_colons), "32 upper-case pairs with colons (openssl, "
	    "the start-up line)");
	snprintf(buf, sizeof(buf), "%s", abc_colons);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)(buf[i] >= 'A' && buf[i] <= 'F' ? buf[i] + 32 :
		    buf[i]);
	ok(parses(buf), "32 lower-case pairs with colons");
	snprintf(buf, sizeof(buf), "SHA256:%s", abc_hex);
	ok(parses(buf), "SHA256: prefix");
	snprintf(buf, sizeof(buf), "sha256:%s", abc_colons);
	ok(parses(buf), "sha256: prefix, colons");
	snprintf(buf, sizeof(buf), "Sha256: \t%s", abc_hex);
	ok(parses(buf), "blanks after the prefix");
	snprintf(buf, sizeof(buf), " \t %s\t ", abc_hex);
	ok(parses(buf), "blanks around");
	snprintf(buf, sizeof(buf), "  SHA256:%s  ", abc_colons);
	ok(parses(buf), "blanks around the prefixed form");
	ok(access_parse_fingerprint(abc_hex, 64, (unsigned char[32]){ 0 }) ==
	    0, "a slice without a NUL after it");
	snprintf(buf, sizeof(buf), "%sff", abc_hex);
	ok(access_parse_fingerprint(buf, 64, (unsigned char[32]){ 0 }) == 0,
	    "only len bytes are read");

	ok(refused("", 0), "refused: empty");
	ok(refused("   ", 3), "refused: blanks");
	ok(refused("SHA256:", 7), "refused: the prefix alone");
	ok(refused(abc_hex, 63), "refused: 63 digits");
	snprintf(buf, sizeof(buf), "%s0", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: 65 digits");
	snprintf(buf, sizeof(buf), "%.62s", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: 62 digits (31 bytes)");
	ok(refused(abc_hex, 40), "refused: a SHA-1's 40 digits");
	snprintf(buf, sizeof(buf), "%s", abc_hex);
	buf[10] = 'g';
	ok(refused(buf, 64), "refused: a 'g'");
	buf[10] = ' ';
	ok(refused(buf, 64), "refused: a blank inside");
	buf[10] = '\0';
	ok(refused(buf, 64), "refused: a NUL inside");
	snprintf(buf, sizeof(buf), "%s", abc_colons);
	buf[2] = '-';
	ok(refused(buf, strlen(buf)), "refused: a dash for a colon");
	buf[2] = ' ';
	ok(refused(buf, strlen(buf)), "refused: a blank for a colon");
	snprintf(buf, sizeof(buf), "%s:", abc_colons);
	ok(refused(buf, strlen(buf)), "refused: a trailing colon");
	snprintf(buf, sizeof(buf), ":%s", abc_colons);
	ok(refused(buf, strlen(buf)), "refused: a leading colon");
	/* 94 characters: one pair written without its colon. */
	snprintf(buf, sizeof(buf), "BA7816:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:"
	    "22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
	ok(refused(buf, strlen(buf)), "refused: mixed (a colon missing)");
	/* 95 characters, the colons one place off. */
	snprintf(buf, sizeof(buf), "B:A78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:"
	    "AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
	ok(refused(buf, strlen(buf)), "refused: colons misplaced");
	snprintf(buf, sizeof(buf), "SHA1:%s", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: another prefix");
	snprintf(buf, sizeof(buf), "SHA256%s", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: prefix without its colon");
	snprintf(buf, sizeof(buf), "SHA256:SHA256:%s", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: the prefix twice");
	snprintf(buf, sizeof(buf), "0x%.62s", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: 0x");
	snprintf(buf, sizeof(buf), "%s\n", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: a newline (not a blank)");
	snprintf(buf, sizeof(buf), "\"%s\"", abc_hex);
	ok(refused(buf, strlen(buf)), "refused: quotes");
	ok(refused("ba7816bf\xc3\xa9", 10), "refused: high bytes");
}

static void
test_format(void)
{
	char		 hex[ACCESS_FP_HEX_SIZE], col[ACCESS_FP_COLON_SIZE];
	char		 small[ACCESS_FP_COLON_SIZE - 1];
	unsigned char	 fp[ACCESS_FP_LEN];

	access_format_fingerprint(abc, hex, sizeof(hex));
	is_str(hex, abc_hex, "hex form: 64 lower-case digits");
	access_format_fingerprint_colons(abc, col, sizeof(col));
	is_str(col, abc_colons, "colon form: upper case, as openssl shows it");
	ok(access_parse_fingerprint(hex, strlen(hex), fp) == 0 &&
	    memcmp(fp, abc, sizeof(fp)) == 0, "the hex form parses back");
	ok(access_parse_fingerprint(col, strlen(col), fp) == 0 &&
	    memcmp(fp, abc, sizeof(fp)) == 0, "the colon form parses back");
	memset(small, 'x', sizeof(small));
	access_format_fingerprint(abc, small, ACCESS_FP_HEX_SIZE - 1);
	is_str(small, "", "hex form: a buffer one byte short gets \"\"");
	memset(small, 'x', sizeof(small));
	access_format_fingerprint_colons(abc, small, sizeof(small));
	is_str(small, "", "colon form: a buffer one byte short gets \"\"");
	access_format_fingerprint(abc, small, 0);
	ok(1, "a zero-sized buffer is left alone");
}

static int
parse(const char *text, struct access_list *l)
{
	memset(err, 'E', sizeof(err));
	return access_list_parse(text, strlen(text), "allow.txt", l, err,
	    sizeof(err));
}

/* The error must read "allow.txt:LINE: " and then contain want. */
static void
bad(const char *text, size_t len, int line, const char *want)
{
	struct access_list	 l;
	unsigned char		 fp[ACCESS_FP_LEN];
	char			 prefix[32];
	int			 rc;

	access_list_init(&l);
	fill(fp, 99);
	access_list_add(&l, fp);
	snprintf(prefix, sizeof(prefix), "allow.txt:%d: ", line);
	memset(err, 'E', sizeof(err));
	rc = access_list_parse(text, len, "allow.txt", &l, err, sizeof(err));
	if (!ok(rc == -1 && strncmp(err, prefix, strlen(prefix)) == 0 &&
	    strstr(err, want) != NULL, "%s...%s", prefix, want))
		fprintf(stderr, "#   returned %d, error '%s'\n", rc, err);
	ok(l.len == 1 && access_list_has(&l, fp), "  and the list is "
	    "unchanged");
	access_list_free(&l);
}

static void
test_list_parse(void)
{
	struct access_list	 l;
	unsigned char		 a[ACCESS_FP_LEN], b[ACCESS_FP_LEN];
	char			 text[4096], ha[ACCESS_FP_HEX_SIZE];
	char			 cb[ACCESS_FP_COLON_SIZE], want[8];
	char			*big;
	size_t			 i, n;

	fill(a, 1);
	fill(b, 2);
	access_format_fingerprint(a, ha, sizeof(ha));
	access_format_fingerprint_colons(b, cb, sizeof(cb));

	access_list_init(&l);
	is_int(parse("", &l), 0, "an empty file parses");
	is_int(l.len, 0, "into an empty list");
	is_int(parse("# nobody yet\n\n   \n\t\n", &l), 0, "comments and blanks");
	is_int(l.len, 0, "still empty");

	snprintf(text, sizeof(text), "# readers\n%s\n%s # Zoë's laptop\n", ha,
	    cb);
	is_int(parse(text, &l), 0, "two fingerprints, a comment after one");
	ok(l.len == 2 && access_list_has(&l, a) && access_list_has(&l, b),
	    "both found");
	is_str(err, "", "no error: err is emptied");

	snprintf(text, sizeof(text), "\xef\xbb\xbf%s\r\n\r\n  SHA256:%s\t#x\r\n"
	    "#last\r\n", ha, cb);
	is_int(parse(text, &l), 0, "BOM, CRLF, blank CRLF line, prefix");
	ok(l.len == 2 && access_list_has(&l, a) && access_list_has(&l, b),
	    "both found");

	snprintf(text, sizeof(text), "%s\n%s", ha, cb);
	is_int(parse(text, &l), 0, "no newline at the end");
	ok(l.len == 2 && access_list_has(&l, b), "the last line counts");

	snprintf(text, sizeof(text), "%s\n%s\n%s\nSHA256:%s\n", ha, cb, ha,
	    ha);
	is_int(parse(text, &l), 0, "duplicates are accepted");
	is_int(l.len, 2, "and kept once");

	snprintf(text, sizeof(text), "%s#no blank before the comment\n", ha);
	is_int(parse(text, &l), 0, "a comment right after a fingerprint");
	ok(l.len == 1 && access_list_has(&l, a), "found");

	bad("nonsense\n", 9, 1, "\"nonsense\" is not a SHA-256 fingerprint");
	snprintf(text, sizeof(text), "# ok\n%s\n\n%.60s\n%s\n", ha, ha, ha);
	bad(text, strlen(text), 4, "is not a SHA-256 fingerprint");
	snprintf(text, sizeof(text), "%s %s\n", ha, ha);
	bad(text, strlen(text), 1, "is not a SHA-256 fingerprint");
	snprintf(text, sizeof(text), "%s\n\xef\xbb\xbf%s\n", ha, ha);
	bad(text, strlen(text), 2, "\"???");
	snprintf(text, sizeof(text), "%s\r\r\n", ha);
	bad(text, strlen(text), 1, "not a SHA-256");
	snprintf(text, sizeof(text), "%s\n%s\n", ha, ha);
	text[ACCESS_FP_HEX_SIZE + 3] = '\0';
	snprintf(want, sizeof(want), "\"%.3s?", ha);
	bad(text, (size_t)2 * ACCESS_FP_HEX_SIZE, 2, want);
	snprintf(text, sizeof(text), "\n\nallow client \"%s\"\n", ha);
	bad(text, strlen(text), 3, "\"allow client \"");
	memset(text, 'z', 100);
	memcpy(text + 100, "\n", 2);
	bad(text, strlen(text), 1, "...\" is not");

	n = ACCESS_LINE_MAX + 200;
	big = malloc(n);
	memset(big, ' ', n);
	memcpy(big, ha, 64);
	big[ACCESS_LINE_MAX] = '\n';
	memcpy(big + ACCESS_LINE_MAX + 1, "# the next line\n", 16);
	is_int(access_list_parse(big, ACCESS_LINE_MAX + 17, "allow.txt", &l,
	    err, sizeof(err)), 0, "a line of ACCESS_LINE_MAX bytes is fine");
	big[ACCESS_LINE_MAX] = ' ';
	bad(big, ACCESS_LINE_MAX + 17, 1, "line longer than 1024 bytes");
	big[ACCESS_LINE_MAX - 1] = '\r';
	big[ACCESS_LINE_MAX] = '\n';
	is_int(access_list_parse(big, ACCESS_LINE_MAX + 17, "allow.txt", &l,
	    err, sizeof(err)), 0, "... its CR included");
	free(big);

	/* The bound on entries: exactly the maximum, then one more. */
	n = (size_t)(ACCESS_LIST_MAX + 1) * 65;
	big = malloc(n);
	for (i = 0; i <= ACCESS_LIST_MAX; i++) {
		unsigned char	 fp[ACCESS_FP_LEN];

		fill(fp, (unsigned)i + 10);
		access_format_fingerprint(fp, big + i * 65, 65);
		big[i * 65 + 64] = '\n';
	}
	is_int(access_list_parse(big, n - 65, "allow.txt", &l, err,
	    sizeof(err)), 0, "100000 fingerprints");
	is_int(l.len, ACCESS_LIST_MAX, "all kept");
	for (i = 1; i < l.len && memcmp(l.fp[i - 1], l.fp[i], 32) < 0; i++)
		;
	is_int(i, l.len, "sorted, each once");
	ok(access_list_has(&l, l.fp[0]) && access_list_has(&l, l.fp[l.len -
	    1]) && access_list_has(&l, l.fp[l.len / 2]), "first, last and "
	    "middle found");
	fill(a, 5);
	ok(!access_list_has(&l, a), "one not there is not found");
	memset(err, 'E', sizeof(err));
	is_int(access_list_parse(big, n, "allow.txt", &l, err, sizeof(err)), -1,
	    "100001 fingerprints are refused");
	is_str(err, "allow.txt:100001: more than 100000 fingerprints",
	    "... on the line that makes one too many");
	is_int(l.len, ACCESS_LIST_MAX, "the last good list is kept");
	free(big);

	memset(err, 'E', sizeof(err));
	is_int(access_list_parse("x\n", 2, "allow.txt", &l, err, 8), -1,
	    "a small error buffer");
	ok(memchr(err, '\0', 8) != NULL && strncmp(err, "allow.t", 7) == 0,
	    "is filled and terminated");
	is_int(access_list_parse("x\n", 2, "allow.txt", &l, NULL, 0), -1,
	    "no error buffer at all");
	is_int(access_list_parse(NULL, 0, "allow.txt", &l, err, sizeof(err)),
	    0, "NULL text of length 0 is an empty file");
	is_int(l.len, 0, "and replaces the list");
	access_list_free(&l);
}

static void
test_list_add(void)
{
	struct access_list	 l;
	unsigned char		 fp[ACCESS_FP_LEN];
	unsigned		 order[500], i, j, t;
	int			 bad = 0;

	access_list_init(&l);
	fill(fp, 7);
	ok(!access_list_has(&l, fp), "an empty list has nothing");
	is_int(access_list_add(&l, fp), 0, "add one");
	ok(access_list_has(&l, fp), "and it is there");
	is_int(access_list_add(&l, fp), 1, "adding it again says so");
	is_int(l.len, 1, "and keeps it once");
	access_list_free(&l);
	ok(l.fp == NULL && l.len == 0 && l.cap == 0, "free resets");
	access_list_free(&l);
	ok(1, "freeing twice is harmless");

	/* In a scrambled order, each added twice. */
	for (i = 0; i < 500; i++)
		order[i] = i;
	for (i = 499; i > 0; i--) {
		j = (i * 7919u + 13) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < 1000; i++) {
		fill(fp, order[i % 500] * 2);
		if (access_list_add(&l, fp) != (i < 500 ? 0 : 1))
			bad++;
	}
	is_int(bad, 0, "500 added, then each again");
	is_int(l.len, 500, "500 kept");
	for (i = 1; i < l.len && memcmp(l.fp[i - 1], l.fp[i], 32) < 0; i++)
		;
	is_int(i, 500, "sorted");
	for (i = 0; i < 1000; i++) {
		fill(fp, i);
		if (access_list_has(&l, fp) != (i % 2 == 0))
			bad++;
	}
	is_int(bad, 0, "the even seeds found, the odd ones not");
	access_list_free(&l);
}

static void
test_list_full(void)
{
	struct access_list	 l;
	unsigned char		 fp[ACCESS_FP_LEN];
	char			*big;
	size_t			 i, n = (size_t)ACCESS_LIST_MAX * 65;

	access_list_init(&l);
	big = malloc(n);
	for (i = 0; i < ACCESS_LIST_MAX; i++) {
		fill(fp, (unsigned)i + 1000000);
		access_format_fingerprint(fp, big + i * 65, 65);
		big[i * 65 + 64] = '\n';
	}
	is_int(access_list_parse(big, n, "full", &l, err, sizeof(err)), 0,
	    "a full list");
	fill(fp, 1);
	is_int(access_list_add(&l, fp), -1, "refuses one more");
	fill(fp, 1000000);
	is_int(access_list_add(&l, fp), 1, "but knows one it has");
	free(big);
	access_list_free(&l);
}

/* UTF-8 per RFC 3629 without C0, DEL or C1 controls: an independent check. */
static int
clean_utf8(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	uint32_t		 c, min;
	int			 n, i;

	while (*s != '\0') {
		if (*s < 0x80) {
			if (*s < 0x20 || *s == 0x7f)
				return 0;
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 2, c = *s & 0x1f, min = 0x80;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 3, c = *s & 0x0f, min = 0x800;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 4, c = *s & 0x07, min = 0x10000;
		} else
			return 0;
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    (c >= 0x80 && c < 0xa0))
			return 0;
		s += n;
	}
	return 1;
}

static EVP_PKEY	*ec_key;

/*
 * A certificate for key (signed by it) with the given dates and an
 * O and a CN: cn[0..cnlen) of ASN.1 type 'type', or a UTF-8 C string
 * when cnlen is -1.  The issuer is the subject unless given.
 */
static X509 *
make_cert(EVP_PKEY *key, int type, const char *cn, int cnlen, time_t nb,
    time_t na, const char *issuer)
{
	X509		*x = X509_new();
	X509_NAME	*name = X509_NAME_new(), *iss;
	int		 okay;

	okay = x != NULL && name != NULL && X509_set_version(x, 2) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
	    ASN1_TIME_set(X509_getm_notBefore(x), nb) != NULL &&
	    ASN1_TIME_set(X509_getm_notAfter(x), na) != NULL &&
	    X509_set_pubkey(x, key) &&
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"Almanac Test", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(name, "CN", cnlen == -1 ?
	    MBSTRING_UTF8 : type, (const unsigned char *)cn, cnlen, -1, 0) &&
	    X509_set_subject_name(x, name);
	if (okay && issuer != NULL) {
		iss = X509_NAME_new();
		okay = iss != NULL && X509_NAME_add_entry_by_txt(iss, "CN",
		    MBSTRING_UTF8, (const unsigned char *)issuer, -1, -1, 0) &&
		    X509_set_issuer_name(x, iss);
		X509_NAME_free(iss);
	} else if (okay)
		okay = X509_set_issuer_name(x, name);
	okay = okay && X509_sign(x, key, EVP_PKEY_get_id(key) ==
	    EVP_PKEY_ED25519 ? NULL : EVP_sha256()) > 0;
	X509_NAME_free(name);
	if (!okay) {
		ERR_print_errors_fp(stderr);
		X509_free(x);
		return NULL;
	}
	return x;
}

static X509 *
simple_cert(time_t nb, time_t na)
{
	return make_cert(ec_key, 0, "Zo\xc3\xab", -1, nb, na, NULL);
}

/* The first line a shell command prints, without its newline. */
static int
command(const char *cmd, char *out, size_t outsz)
{
	FILE	*p;
	int	 got;

	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	got = fgets(out, (int)outsz, p) != NULL;
	if (pclose(p) != 0 || !got)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* Both digests as the openssl command line computes them from a PEM. */
static void
compare_with_openssl(X509 *x, const char *what)
{
	struct access_identity	 id;
	unsigned char		 fp[ACCESS_FP_LEN];
	char			 path[] = "/tmp/test_access.XXXXXX";
	char			 cmd[512], out[512];
	const char		*eq;
	FILE			*f;
	int			 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL ||
	    !PEM_write_X509(f, x) || fclose(f) != 0) {
		ok(0, "%s: write a PEM to /tmp", what);
		return;
	}
	access_identity_of(x, NOW, &id);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -fingerprint "
	    "-sha256", path);
	memset(fp, 0, sizeof(fp));
	if (command(cmd, out, sizeof(out)) == 0 && (eq = strchr(out, '=')) !=
	    NULL)
		access_parse_fingerprint(eq + 1, strlen(eq + 1), fp);
	else
		fprintf(stderr, "#   %s: failed\n", cmd);
	ok(memcmp(fp, id.cert_sha256, sizeof(fp)) == 0, "%s: the certificate "
	    "SHA-256 is openssl x509 -fingerprint -sha256's (pasted back)",
	    what);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -pubkey | "
	    "openssl pkey -pubin -outform DER | openssl dgst -sha256 -r", path);
	memset(fp, 0, sizeof(fp));
	if (command(cmd, out, sizeof(out)) == 0 && strlen(out) > 64)
		access_parse_fingerprint(out, 64, fp);
	else
		fprintf(stderr, "#   %s: failed\n", cmd);
	ok(memcmp(fp, id.spki_sha256, sizeof(fp)) == 0, "%s: the public key "
	    "SHA-256 is openssl pkey -outform DER | dgst -sha256's", what);
	unlink(path);
}

static void
test_identity(void)
{
	struct access_identity	 id;
	unsigned char		 c[ACCESS_FP_LEN], s[ACCESS_FP_LEN];
	EVP_PKEY		*rsa, *ed;
	X509			*x, *y;
	char			 cn[1300];
	size_t			 i;

	memset(&id, 0x55, sizeof(id));
	is_int(access_identity_of(NULL, NOW, &id), 0, "no certificate");
	ok(!id.present && !id.valid_now && id.subject[0] == '\0' &&
	    id.subject_cn[0] == '\0', "  says none, strings empty");

	x = simple_cert(NOW - DAY, NOW + 365 * DAY);
	ERR_raise(ERR_LIB_USER, 42);
	is_int(access_identity_of(x, NOW, &id), 0, "a valid certificate");
	ok(ERR_GET_REASON(ERR_peek_last_error()) == 42 &&
	    ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_USER,
	    "  OpenSSL's error queue as found");
	ERR_clear_error();
	ok(id.present && id.valid_now, "  present and valid");
	is_str(id.subject_cn, "Zo\xc3\xab", "  CN in UTF-8");
	is_str(id.subject, "CN=Zo\xc3\xab,O=Almanac Test", "  subject, RFC "
	    "2253, UTF-8 unescaped");
	is_str(id.issuer, id.subject, "  self-signed: issuer is subject");
	is_str(id.not_before, "2025-06-14T15:06:40Z", "  not before, ISO 8601");
	is_str(id.not_after, "2026-06-15T15:06:40Z", "  not after, ISO 8601");
	ok(access_fingerprints(x, c, s) == 0 && memcmp(c, id.cert_sha256,
	    32) == 0 && memcmp(s, id.spki_sha256, 32) == 0,
	    "  access_fingerprints agrees");
	ok(memcmp(id.cert_sha256, id.spki_sha256, 32) != 0,
	    "  the two digests differ");
	compare_with_openssl(x, "EC P-256");

	y = simple_cert(NOW - 2 * DAY, NOW + 2 * DAY);
	access_identity_of(y, NOW, &id);
	ok(memcmp(id.spki_sha256, s, 32) == 0 && memcmp(id.cert_sha256, c,
	    32) != 0, "a new certificate for the same key: same SPKI, new "
	    "certificate digest");
	X509_free(y);

	rsa = EVP_RSA_gen(2048);
	y = make_cert(rsa, 0, "rsa", -1, NOW - DAY, NOW + DAY, NULL);
	compare_with_openssl(y, "RSA 2048");
	X509_free(y);
	EVP_PKEY_free(rsa);
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	y = make_cert(ed, 0, "ed", -1, NOW - DAY, NOW + DAY, NULL);
	compare_with_openssl(y, "Ed25519");
	X509_free(y);
	EVP_PKEY_free(ed);

	y = simple_cert(NOW - 730 * DAY, NOW - DAY);
	access_identity_of(y, NOW, &id);
	ok(id.present && !id.valid_now, "expired: not valid now");
	is_str(id.not_after, "2025-06-14T15:06:40Z", "  its not-after date");
	X509_free(y);
	y = simple_cert(NOW + DAY, NOW + 730 * DAY);
	access_identity_of(y, NOW, &id);
	ok(id.present && !id.valid_now, "not yet valid: not valid now");
	X509_free(y);
	y = simple_cert(NOW, NOW);
	access_identity_of(y, NOW, &id);
	ok(id.valid_now, "valid from and until this second: both inclusive");
	access_identity_of(y, NOW + 1, &id);
	ok(!id.valid_now, "  a second later: expired");
	access_identity_of(y, NOW - 1, &id);
	ok(!id.valid_now, "  a second before: not yet valid");
	X509_free(y);
	y = simple_cert(NOW - DAY, 4102444800);
	access_identity_of(y, NOW, &id);
	is_str(id.not_after, "2100-01-01T00:00:00Z", "a GeneralizedTime date");
	X509_free(y);

	y = make_cert(ec_key, 0, "reader", -1, NOW - DAY, NOW + DAY, "Some CA");
	access_identity_of(y, NOW, &id);
	ok(id.present && id.valid_now, "not self-signed: an identity all the "
	    "same (nothing is verified)");
	is_str(id.issuer, "CN=Some CA", "  its issuer");
	X509_free(y);

	y = make_cert(ec_key, V_ASN1_UTF8STRING, "a\nb\001c\177d\xc2\x85" "e",
	    10, NOW - DAY, NOW + DAY, NULL);
	access_identity_of(y, NOW, &id);
	is_str(id.subject_cn, "a?b?c?d?e", "controls (C0, DEL, C1) in the CN "
	    "become '?'");
	ok(clean_utf8(id.subject) && strstr(id.subject, "\\0A") != NULL,
	    "  and are escaped in the subject: %s", id.subject);
	X509_free(y);
	y = make_cert(ec_key, V_ASN1_UTF8STRING, "evil\0.example", 13,
	    NOW - DAY, NOW + DAY, NULL);
	access_identity_of(y, NOW, &id);
	is_str(id.subject_cn, "evil?.example", "a NUL in the CN becomes '?'");
	ok(clean_utf8(id.subject), "  the subject is clean: %s", id.subject);
	X509_free(y);
	y = make_cert(ec_key, V_ASN1_T61STRING, "Caf\xe9", 4, NOW - DAY,
	    NOW + DAY, NULL);
	access_identity_of(y, NOW, &id);
	is_str(id.subject_cn, "Caf\xc3\xa9", "a T61String CN comes out in "
	    "UTF-8");
	X509_free(y);
	/*
	 * A UTF8String that is not UTF-8 cannot be tested: OpenSSL refuses
	 * to encode such a name, and to decode one (x509_name_canon).
	 */
	y = make_cert(ec_key, V_ASN1_BMPSTRING, "\0Z\0o\0\xeb", 6, NOW - DAY,
	    NOW + DAY, NULL);
	access_identity_of(y, NOW, &id);
	is_str(id.subject_cn, "Zo\xc3\xab", "a BMPString CN comes out in "
	    "UTF-8");
	is_str(id.subject, "CN=Zo\xc3\xab,O=Almanac Test", "  so does the "
	    "subject");
	X509_free(y);

	for (i = 0; i + 1 < 1300; i += 2)
		memcpy(cn + i, "\xc3\xa9", 2);
	y = make_cert(ec_key, V_ASN1_UTF8STRING, cn, 1300, NOW - DAY,
	    NOW + DAY, NULL);
	access_identity_of(y, NOW, &id);
	is_int(strlen(id.subject_cn), ACCESS_CN_SIZE - 2, "a long CN of "
	    "2-byte characters is cut before the one that does not fit");
	ok(clean_utf8(id.subject_cn), "  at a character boundary");
	ok(strlen(id.subject) < ACCESS_DN_SIZE && strlen(id.subject) >=
	    ACCESS_DN_SIZE - 3 && clean_utf8(id.subject), "  so is the "
	    "subject (%zu bytes)", strlen(id.subject));
	X509_free(y);
	memset(cn, 'a', sizeof(cn));
	y = make_cert(ec_key, V_ASN1_UTF8STRING, cn, 1300, NOW - DAY,
	    NOW + DAY, NULL);
	access_identity_of(y, NOW, &id);
	is_int(strlen(id.subject_cn), ACCESS_CN_SIZE - 1, "a long ASCII CN "
	    "fills the buffer");
	X509_free(y);
	X509_free(x);
}

static void
status_is(const struct access_identity *id, int require,
    const struct access_list *const *lists, size_t n, int want,
    const char *wantmeta, const char *name)
{
	char	 meta[128];
	int	 got;

	memset(meta, 'M', sizeof(meta));
	got = access_status(id, require, lists, n, meta, sizeof(meta));
	if (!ok(got == want && strcmp(meta, wantmeta) == 0, "%s: %d", name,
	    want))
		fprintf(stderr, "#   got %d '%.*s'\n", got, 100, meta);
}

static void
test_status(void)
{
	struct access_identity		 none, valid, expired, future;
	struct access_list		 empty, by_spki, by_cert, other;
	const struct access_list	*lists[3];
	unsigned char			 fp[ACCESS_FP_LEN];
	X509				*x;
	char				 meta[8];

	access_identity_of(NULL, NOW, &none);
	x = simple_cert(NOW - DAY, NOW + DAY);
	access_identity_of(x, NOW, &valid);
	X509_free(x);
	x = simple_cert(NOW - 3 * DAY, NOW - DAY);
	access_identity_of(x, NOW, &expired);
	X509_free(x);
	x = simple_cert(NOW + DAY, NOW + 3 * DAY);
	access_identity_of(x, NOW, &future);
	X509_free(x);

	access_list_init(&empty);
	access_list_init(&by_spki);
	access_list_init(&by_cert);
	access_list_init(&other);
	fill(fp, 3);
	access_list_add(&other, fp);
	access_list_add(&by_spki, fp);
	access_list_add(&by_spki, valid.spki_sha256);
	access_list_add(&by_cert, valid.cert_sha256);
	access_list_add(&by_cert, expired.spki_sha256);

	status_is(&none, 0, NULL, 0, 0, "", "no certificate, nothing required");
	status_is(&valid, 0, NULL, 0, 0, "", "a certificate, nothing required");
	status_is(&expired, 0, NULL, 0, 0, "", "an expired certificate where "
	    "none is asked for");
	status_is(&none, 1, NULL, 0, 60, "a client certificate is required",
	    "no certificate, required");
	status_is(NULL, 1, NULL, 0, 60, "a client certificate is required",
	    "no identity at all, required");
	status_is(&expired, 1, NULL, 0, 62, "certificate expired or not yet "
	    "valid", "expired, required");
	status_is(&future, 1, NULL, 0, 62, "certificate expired or not yet "
	    "valid", "not yet valid, required");
	status_is(&valid, 1, NULL, 0, 0, "", "valid, required, no list");

	lists[0] = &other;
	status_is(&none, 0, lists, 1, 60, "a client certificate is required",
	    "no certificate, a list (which implies required)");
	status_is(&valid, 0, lists, 1, 61, "certificate not allowed",
	    "valid, not on the list");
	status_is(&valid, 1, lists, 1, 61, "certificate not allowed",
	    "valid, required, not on the list");
	status_is(&expired, 0, lists, 1, 62, "certificate expired or not yet "
	    "valid", "expired and not on the list: the dates first");
	lists[0] = &by_spki;
	status_is(&valid, 0, lists, 1, 0, "", "on the list by its public key");
	lists[0] = &by_cert;
	status_is(&valid, 0, lists, 1, 0, "", "on the list by its certificate");
	status_is(&expired, 0, lists, 1, 62, "certificate expired or not yet "
	    "valid", "expired though on the list");
	lists[0] = &other;
	lists[1] = &empty;
	lists[2] = &by_spki;
	status_is(&valid, 0, lists, 3, 0, "", "on the third of three lists");
	status_is(&valid, 0, lists, 2, 61, "certificate not allowed",
	    "on neither of two lists");
	lists[0] = &empty;
	status_is(&valid, 0, lists, 1, 61, "certificate not allowed",
	    "an empty list allows nobody");
	lists[0] = NULL;
	status_is(&valid, 0, lists, 1, 61, "certificate not allowed",
	    "a NULL list allows nobody");
	lists[1] = &by_cert;
	status_is(&valid, 0, lists, 2, 0, "", "a NULL list beside a good one");

	memset(meta, 'M', sizeof(meta));
	is_int(access_status(&none, 1, NULL, 0, meta, 5), 60, "a small meta "
	    "buffer");
	is_str(meta, "a cl", "  is cut and terminated");
	is_int(access_status(&none, 1, NULL, 0, NULL, 0), 60, "no meta buffer");

	access_list_free(&empty);
	access_list_free(&by_spki);
	access_list_free(&by_cert);
	access_list_free(&other);
}

int
main(void)
{
	if ((ec_key = EVP_EC_gen("P-256")) == NULL) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	test_parse_fingerprint();
	test_format();
	test_list_parse();
	test_list_add();
	test_list_full();
	test_identity();
	test_status();
	EVP_PKEY_free(ec_key);
	return done_testing();
}
