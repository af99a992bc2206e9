/* test_ticketkeys: key files parsed and refused (src/ticketkeys.c), and real resumptions across contexts sharing them (tls_set_ticket_keys in src/tls.c). */
#include <sys/stat.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "config.h"
#include "log.h"
#include "tap.h"
#include "ticketkeys.h"
#include "tls.h"

#define NAME		"tickets.keys"
#define B64_LEN		108	/* base64 of 80 bytes */
#define ANSWER		"20 text/gemini\r\n"
#define ALPHABET	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789+/"
#define THREADS		2
#define ROUNDS		40

static char	 err[512];

/* The 80 bytes of key i: distinct names, every byte set. */
static void
raw_key(unsigned i, unsigned char raw[TICKETKEY_LEN])
{
	size_t	 j;

	for (j = 0; j < TICKETKEY_LEN; j++)
		raw[j] = (unsigned char)((size_t)i * 37 + j * 11 + 1);
}

/* Key i as `openssl rand 80 | base64 -w0` prints it (OpenSSL's encoder). */
static const char *
b64_key(unsigned i)
{
	static char	 out[8][B64_LEN + 1];
	static int	 next;
	unsigned char	 raw[TICKETKEY_LEN];
	char		*o = out[next++ % 8];

	raw_key(i, raw);
	if (EVP_EncodeBlock((unsigned char *)o, raw, TICKETKEY_LEN) != B64_LEN)
		abort();
	return o;
}

static struct ticketkey
key_of(unsigned i)
{
	struct ticketkey	 k;
	unsigned char		 raw[TICKETKEY_LEN];

	raw_key(i, raw);
	memcpy(k.name, raw, 16);
	memcpy(k.hmac, raw + 16, 32);
	memcpy(k.aes, raw + 48, 32);
	return k;
}

static struct ticketkeys
keys_of(const unsigned *idx, size_t n)
{
	struct ticketkeys	 k;
	size_t			 i;

	memset(&k, 0, sizeof(k));
	for (i = 0; i < n; i++)
		k.key[i] = key_of(idx[i]);
	k.n = n;
	return k;
}

static int
parse(const char *text, struct ticketkeys *out)
{
	return ticketkeys_parse(text, strlen(text), NAME, out, err,
	    sizeof(err));
}

/* text parses to keys idx[0..n), in that order. */
static int
parses_to(const char *text, const unsigned *idx, size_t n)
{
	struct ticketkeys	 got, want = keys_of(idx, n);

	memset(&got, 0x5a, sizeof(got));
	if (parse(text, &got) != 0) {
		fprintf(stderr, "#   refused: %s\n", err);
		return 0;
	}
	return err[0] == '\0' && got.n == n &&
	    memcmp(got.key, want.key, n * sizeof(want.key[0])) == 0;
}

/* text is refused with exactly want, and the keys held are untouched. */
static int
refused(const char *text, size_t len, const char *want)
{
	struct ticketkeys	 held = keys_of((unsigned[]){ 90, 91 }, 2),
				 before = held;

	if (ticketkeys_parse(text, len, NAME, &held, err, sizeof(err)) !=
	    -1 || memcmp(&held, &before, sizeof(held)) != 0) {
		fprintf(stderr, "#   not refused, or the keys changed\n");
		return 0;
	}
	if (strcmp(err, want) == 0)
		return 1;
	fprintf(stderr, "#   error: %s\n#    wanted: %s\n", err, want);
	return 0;
}

static int
refused_str(const char *text, const char *want)
{
	return refused(text, strlen(text), want);
}

/* Keys from..TICKETKEYS_MAX are all zero bytes. */
static int
all_clear_after(const struct ticketkeys *k, size_t from)
{
	const unsigned char	*p = (const unsigned char *)&k->key[from];
	size_t			 i, len = (TICKETKEYS_MAX - from) *
				    sizeof(k->key[0]);

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
test_parse_good(void)
{
	struct ticketkeys	 k;
	unsigned char		 raw[TICKETKEY_LEN];
	char			 text[4096];
	unsigned		 idx[TICKETKEYS_MAX];
	size_t			 i, n;

	snprintf(text, sizeof(text), "%s\n", b64_key(1));
	ok(parses_to(text, (unsigned[]){ 1 }, 1), "one key");
	raw_key(1, raw);
	memset(&k, 0, sizeof(k));
	ok(parse(text, &k) == 0 && memcmp(k.key[0].name, raw, 16) == 0 &&
	    memcmp(k.key[0].hmac, raw + 16, 32) == 0 &&
	    memcmp(k.key[0].aes, raw + 48, 32) == 0, "its layout: 16 bytes "
	    "name, 32 HMAC secret, 32 AES key (nginx's order)");
	ok(parses_to(b64_key(1), (unsigned[]){ 1 }, 1),
	    "no newline at the end");
	snprintf(text, sizeof(text), "# rotated 2025-06-01\n\n%s\n  \t\n"
	    "\t# the previous one\n%s\n%s\n", b64_key(2), b64_key(1),
	    b64_key(3));
	ok(parses_to(text, (unsigned[]){ 2, 1, 3 }, 3), "three keys, in order, "
	    "with comments and blank lines");
	snprintf(text, sizeof(text), "%s\r\n%s\r\n", b64_key(2), b64_key(1));
	ok(parses_to(text, (unsigned[]){ 2, 1 }, 2), "CRLF");
	snprintf(text, sizeof(text), "\xef\xbb\xbf%s\n", b64_key(4));
	ok(parses_to(text, (unsigned[]){ 4 }, 1), "a byte order mark");
	snprintf(text, sizeof(text), "  %s\t \r\n", b64_key(4));
	ok(parses_to(text, (unsigned[]){ 4 }, 1), "blanks around a key");
	for (i = 0, n = 0; i < TICKETKEYS_MAX; i++) {
		idx[i] = (unsigned)i + 10;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n",
		    b64_key(idx[i]));
	}
	ok(parses_to(text, idx, TICKETKEYS_MAX), "16 keys");
	memset(&k, 0x5a, sizeof(k));
	snprintf(text, sizeof(text), "%s\n", b64_key(5));
	ok(parse(text, &k) == 0 && k.n == 1 && all_clear_after(&k, 1),
	    "the keys held before are replaced, not added to");
}

/* A good key line with one character changed at position at (from 0). */
static const char *
key_with(unsigned i, size_t at, char c)
{
	static char	 line[B64_LEN + 1];

	snprintf(line, sizeof(line), "%s", b64_key(i));
	line[at] = c;
	return line;
}

static void
test_parse_refused(void)
{
	struct ticketkeys	 k;
	unsigned char		 raw[81];
	char			 text[8192], b64[200], *small;
	size_t			 i, n;

	ok(refused_str("", NAME ":1: no key: one a line, the base64 of 80 "
	    "random bytes (openssl rand 80 | base64 -w0)"), "refused: empty");
	ok(refused_str("# keys\n\n# none yet\n", NAME ":3: no key: one a "
	    "line, the base64 of 80 random bytes (openssl rand 80 | base64 "
	    "-w0)"), "refused: only comments, on the last line");
	memset(raw, 7, sizeof(raw));
	EVP_EncodeBlock((unsigned char *)b64, raw, 48);
	snprintf(text, sizeof(text), "%s\n%s\n", b64_key(1), b64);
	ok(refused_str(text, NAME ":2: a key of 48 bytes, not 80 (openssl "
	    "rand 80 | base64 -w0)"), "refused: nginx's 48-byte key, on line "
	    "2, the keys kept");
	EVP_EncodeBlock((unsigned char *)b64, raw, 81);
	ok(refused_str(b64, NAME ":1: a key of 81 bytes, not 80 (openssl "
	    "rand 80 | base64 -w0)"), "refused: 81 bytes");
	EVP_EncodeBlock((unsigned char *)b64, raw, 79);
	ok(refused_str(b64, NAME ":1: a key of 79 bytes, not 80 (openssl "
	    "rand 80 | base64 -w0)"), "refused: 79 bytes");
	ok(refused_str("AAAA", NAME ":1: a key of 3 bytes, not 80 (openssl "
	    "rand 80 | base64 -w0)"), "refused: 3 bytes");
	snprintf(b64, sizeof(b64), "%.107s", b64_key(1));
	ok(refused_str(b64, NAME ":1: base64 without its '=' padding (RFC "
	    "4648)"), "refused: the padding left out");
	snprintf(b64, sizeof(b64), "%.105s", b64_key(1));
	ok(refused_str(b64, NAME ":1: 105 base64 characters, not a multiple "
	    "of 4"), "refused: 105 characters");
	ok(refused_str(key_with(1, 4, '-'), NAME ":1: '-' at column 5 is not "
	    "base64"), "refused: base64url's '-', by its column");
	ok(refused_str(key_with(1, 0, '_'), NAME ":1: '_' at column 1 is not "
	    "base64"), "refused: base64url's '_'");
	ok(refused_str(key_with(1, 50, ' '), NAME ":1: a blank inside the "
	    "key, at column 51"), "refused: a space inside");
	ok(refused_str(key_with(1, 50, '\t'), NAME ":1: a blank inside the "
	    "key, at column 51"), "refused: a tab inside");
	ok(refused_str(key_with(1, 50, '='), NAME ":1: '=' inside the key, "
	    "at column 51"), "refused: '=' inside");
	ok(refused_str(key_with(1, 106, '='), NAME ":1: a key of 79 bytes, "
	    "not 80 (openssl rand 80 | base64 -w0)"), "refused: '==' for '='");
	ok(refused_str("AA===", NAME ":1: more than two '=' at the end"),
	    "refused: three '='");
	ok(refused(key_with(1, 20, '\0'), B64_LEN, NAME ":1: \\x00 at column "
	    "21 is not base64"), "refused: a NUL, shown escaped");
	ok(refused_str(key_with(1, 20, '\x7f'), NAME ":1: \\x7f at column 21 "
	    "is not base64"), "refused: DEL");
	snprintf(text, sizeof(text), "   %s", key_with(1, 3, '.'));
	ok(refused_str(text, NAME ":1: '.' at column 7 is not base64"),
	    "refused: columns count the blanks before the key");
	snprintf(text, sizeof(text), "%s # the current one", b64_key(1));
	ok(refused_str(text, NAME ":1: a blank inside the key, at column 109"),
	    "refused: a comment after a key ('#' starts only a line)");
	/* 80 bytes end in 2 of a group: the last character's low 2 bits: 0. */
	snprintf(b64, sizeof(b64), "%s", b64_key(1));
	b64[106] = ALPHABET[(strchr(ALPHABET, b64[106]) - ALPHABET) | 1];
	ok(refused_str(b64, NAME ":1: not canonical base64: bits set after "
	    "the last byte"), "refused: bits past the last byte");
	ok(refused_str("AB==", NAME ":1: a key of 1 byte, not 80 (openssl "
	    "rand 80 | base64 -w0)"), "refused: 1 byte");
	snprintf(text, sizeof(text), "%s\n# x\n%s\n", b64_key(1), b64_key(1));
	ok(refused_str(text, NAME ":3: the same key name (first 16 bytes) as "
	    "line 1"), "refused: a key twice");
	raw_key(1, raw);
	raw[15] ^= 1;
	EVP_EncodeBlock((unsigned char *)b64, raw, TICKETKEY_LEN);
	snprintf(text, sizeof(text), "%s\n%s\n", b64_key(1), b64);
	ok(ticketkeys_parse(text, strlen(text), NAME, &k, err, sizeof(err)) ==
	    0 && k.n == 2, "names that differ in their 16th byte only: two "
	    "keys");
	for (i = 0, n = 0; i <= TICKETKEYS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n",
		    b64_key((unsigned)i + 10));
	ok(refused_str(text, NAME ":17: more than 16 keys"),
	    "refused: 17 keys, on the 17th");
	memset(text, 'A', 1025);
	text[1025] = '\0';
	ok(refused_str(text, NAME ":1: line longer than 1024 bytes"),
	    "refused: a line of 1025 bytes");
	snprintf(text, sizeof(text), "%s\n\n%s\n", b64_key(1),
	    key_with(2, 0, '!'));
	ok(refused_str(text, NAME ":3: '!' at column 1 is not base64"),
	    "refused: a bad line after a good one, the keys kept");
	ok(refused_str("\xef\xbb\xbf\xef\xbb\xbf", NAME ":1: \\xef at column "
	    "1 is not base64"), "refused: a second byte order mark");

	small = malloc(8);
	memset(small, 'E', 8);
	ok(ticketkeys_parse("!", 1, NAME, &(struct ticketkeys){ 0 }, small,
	    8) == -1 && strcmp(small, "tickets") == 0, "an error cut to an "
	    "8-byte buffer, terminated");
	ok(ticketkeys_parse("!", 1, NAME, &(struct ticketkeys){ 0 }, small,
	    0) == -1 && small[0] == 't', "no buffer: nothing written");
	free(small);
}


static void
test_find_clear(void)
{
	struct ticketkeys	 k = keys_of((unsigned[]){ 4, 5, 6 }, 3);
	struct ticketkey	 five = key_of(5), none = key_of(7);
	const struct ticketkey	*found;
	size_t			 i = 99;

	found = ticketkeys_find(&k, five.name, &i);
	ok(found == &k.key[1] && i == 1, "ticketkeys_find: the second key");
	ok(ticketkeys_find(&k, none.name, &i) == NULL && i == 1,
	    "ticketkeys_find: an unknown name, index untouched");
	ok(ticketkeys_find(&k, five.name, NULL) == &k.key[1],
	    "ticketkeys_find: index may be NULL");
	ticketkeys_clear(&k);
	ok(k.n == 0 && all_clear_after(&k, 0), "ticketkeys_clear: all zero");
}

/* The server side: a host whose certificate tls_context makes once. */
struct env {
	char		 dir[64];
	struct config	 cfg;
	struct host	*h;
};

static SSL_CTX *
server(struct env *e, const unsigned *idx, size_t n)
{
	struct ticketkeys	 k = keys_of(idx, n);
	SSL_CTX			*ctx;

	if ((ctx = tls_context(e->h)) == NULL ||
	    (n > 0 && tls_set_ticket_keys(ctx, &k) == -1)) {
		fprintf(stderr, "# cannot make a server context\n");
		exit(1);
	}
	return ctx;
}

static SSL_CTX *
client(int max_version)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_max_proto_version(ctx, max_version) != 1)
		exit(1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

struct outcome {
	int		 client_reused, server_reused;
	SSL_SESSION	*sess;	/* the client's, with the ticket it holds */
};

/* Both handshakes over the BIO pair, to the end of each. */
static int
pump(SSL *c, SSL *s)
{
	int	 i, rc_c = 0, rc_s = 0, e;

	for (i = 0; i < 100 && (rc_c != 1 || rc_s != 1); i++) {
		if (rc_c != 1 && (rc_c = SSL_do_handshake(c)) != 1 &&
		    (e = SSL_get_error(c, rc_c)) != SSL_ERROR_WANT_READ &&
		    e != SSL_ERROR_WANT_WRITE)
			return -1;
		if (rc_s != 1 && (rc_s = SSL_do_handshake(s)) != 1 &&
		    (e = SSL_get_error(s, rc_s)) != SSL_ERROR_WANT_READ &&
		    e != SSL_ERROR_WANT_WRITE)
			return -1;
	}
	return rc_c == 1 && rc_s == 1 ? 0 : -1;
}

/*
 * A connection as almanac serves one: the handshake, then the answer
 * with a TLS 1.3 ticket ahead of it (tls_ticket_with_answer), read by
 * the client, which offers resume's ticket when given one.
 */
static int
connect_once(SSL_CTX *sctx, SSL_CTX *cctx, const char *sni,
    SSL_SESSION *resume, struct outcome *o)
{
	BIO	*cb, *sb;
	SSL	*c, *s;
	char	 buf[64], why[512];
	int	 ok = 0;

	memset(o, 0, sizeof(*o));
	if (BIO_new_bio_pair(&cb, 0, &sb, 0) != 1 ||
	    (c = SSL_new(cctx)) == NULL || (s = SSL_new(sctx)) == NULL)
		exit(1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	if (sni != NULL)
		SSL_set_tlsext_host_name(c, sni);
	if (resume != NULL)
		SSL_set_session(c, resume);
	if (pump(c, s) == 0) {
		tls_ticket_with_answer(s);
		if (SSL_write(s, ANSWER, sizeof(ANSWER) - 1) ==
		    (int)sizeof(ANSWER) - 1 && SSL_read(c, buf, sizeof(buf)) ==
		    (int)sizeof(ANSWER) - 1) {
			o->client_reused = SSL_session_reused(c);
			o->server_reused = SSL_session_reused(s);
			o->sess = SSL_get1_session(c);
			/* Freed without a close_notify, a session is spoilt. */
			ok = o->sess != NULL && SSL_shutdown(c) >= 0 &&
			    SSL_shutdown(s) >= 0;
		}
	}
	if (!ok) {
		tls_error_string(why, sizeof(why));
		fprintf(stderr, "#   connection failed: %s\n", why);
	}
	SSL_free(c);
	SSL_free(s);
	return ok;
}

/* The client's ticket is under key i: its first 16 bytes are the name. */
static int
ticket_under(const SSL_SESSION *sess, unsigned i)
{
	struct ticketkey	 k = key_of(i);
	const unsigned char	*t;
	size_t			 len;

	if (sess == NULL)
		return 0;
	SSL_SESSION_get0_ticket(sess, &t, &len);
	return len > TICKETKEY_NAME_LEN &&
	    memcmp(t, k.name, TICKETKEY_NAME_LEN) == 0;
}

static int
same_ticket(const SSL_SESSION *a, const SSL_SESSION *b)
{
	const unsigned char	*ta, *tb;
	size_t			 la, lb;

	SSL_SESSION_get0_ticket(a, &ta, &la);
	SSL_SESSION_get0_ticket(b, &tb, &lb);
	return la > 0 && la == lb && memcmp(ta, tb, la) == 0;
}

static int
resumed(const struct outcome *o)
{
	return o->client_reused && o->server_reused;
}

static int
full(const struct outcome *o)
{
	return !o->client_reused && !o->server_reused;
}

static void
done_with(struct outcome *o)
{
	SSL_SESSION_free(o->sess);
	o->sess = NULL;
}

static void
test_resumption(struct env *e, int version, const char *v)
{
	SSL_CTX		*cctx = client(version);
	SSL_CTX		*a1 = server(e, (unsigned[]){ 1 }, 1);
	SSL_CTX		*a2 = server(e, (unsigned[]){ 1 }, 1);
	SSL_CTX		*b = server(e, (unsigned[]){ 3 }, 1);
	SSL_CTX		*rot = server(e, (unsigned[]){ 2, 1 }, 2);
	SSL_CTX		*plain = server(e, NULL, 0);
	struct ticketkeys k;
	struct outcome	 first, o;

	ok(connect_once(a1, cctx, "localhost", NULL, &first) && full(&first) &&
	    ticket_under(first.sess, 1) && SSL_SESSION_is_resumable(first.sess),
	    "%s: a full handshake with one instance, a ticket under key 1", v);
	ok(connect_once(a2, cctx, "localhost", first.sess, &o) &&
	    resumed(&o) && ticket_under(o.sess, 1), "%s: resumed with another "
	    "instance given the same keys", v);
	if (version == TLS1_2_VERSION)
		ok(same_ticket(o.sess, first.sess), "%s: ... and no new ticket "
		    "(the callback said 1: current key)", v);
	else
		ok(!same_ticket(o.sess, first.sess), "%s: ... and a fresh "
		    "ticket with the answer", v);
	done_with(&o);
	ok(connect_once(b, cctx, "localhost", first.sess, &o) && full(&o) &&
	    ticket_under(o.sess, 3), "%s: other keys: a full handshake, a "
	    "ticket under their first", v);
	done_with(&o);
	ok(connect_once(plain, cctx, "localhost", first.sess, &o) &&
	    full(&o), "%s: OpenSSL's own keys: a full handshake", v);
	done_with(&o);
	ok(connect_once(rot, cctx, "localhost", first.sess, &o) &&
	    resumed(&o) && ticket_under(o.sess, 2), "%s: keys rotated (2, "
	    "then 1): resumed, and a new ticket under key 2", v);
	done_with(&o);

	k = keys_of((unsigned[]){ 3 }, 1);
	ok(tls_set_ticket_keys(a1, &k) == 0 &&
	    connect_once(a1, cctx, "localhost", first.sess, &o) && full(&o) &&
	    ticket_under(o.sess, 3), "%s: keys swapped to 3 alone: key 1's "
	    "ticket refused", v);
	done_with(&o);
	k = keys_of((unsigned[]){ 4, 1 }, 2);
	ok(tls_set_ticket_keys(a1, &k) == 0 &&
	    connect_once(a1, cctx, "localhost", first.sess, &o) &&
	    resumed(&o) && ticket_under(o.sess, 4), "%s: swapped again to 4, "
	    "1: resumed, a ticket under 4", v);
	done_with(&o);
	k.n = 0;
	ok(tls_set_ticket_keys(a1, &k) == -1 &&
	    connect_once(a1, cctx, "localhost", first.sess, &o) &&
	    resumed(&o) && ticket_under(o.sess, 4), "%s: no key refused, the "
	    "keys kept", v);
	done_with(&o);

	done_with(&first);
	SSL_CTX_free(a1);
	SSL_CTX_free(a2);
	SSL_CTX_free(b);
	SSL_CTX_free(rot);
	SSL_CTX_free(plain);
	SSL_CTX_free(cctx);
}

/* As server.c's choose_certificate: the SNI picks the context. */
static int
choose(SSL *ssl, int *alert, void *arg)
{
	const char	*name = SSL_get_servername(ssl,
			    TLSEXT_NAMETYPE_host_name);

	(void)alert;
	if (name != NULL && strcmp(name, "vhost.example") == 0 &&
	    SSL_set_SSL_CTX(ssl, arg) == NULL)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	return SSL_TLSEXT_ERR_OK;
}

/*
 * OpenSSL calls the callback of the context SSL_new was given (server.c:
 * the first host's), which takes the keys of the connection's context:
 * still the first when it decrypts, the SNI's when it encrypts.  Hence
 * the rule: every context the same keys.
 */
static void
test_vhost(struct env *e, int version, const char *v)
{
	SSL_CTX			*cctx = client(version);
	SSL_CTX			*first = server(e, (unsigned[]){ 1 }, 1);
	SSL_CTX			*vhost = server(e, (unsigned[]){ 1 }, 1);
	struct ticketkeys	 k = keys_of((unsigned[]){ 2, 1 }, 2);
	struct outcome		 o, r;

	SSL_CTX_set_tlsext_servername_callback(first, choose);
	SSL_CTX_set_tlsext_servername_arg(first, vhost);
	ok(connect_once(first, cctx, "vhost.example", NULL, &o) && full(&o) &&
	    ticket_under(o.sess, 1), "%s: a virtual host chosen by SNI: a "
	    "ticket under the keys all contexts share", v);
	ok(connect_once(first, cctx, "vhost.example", o.sess, &r) &&
	    resumed(&r), "%s: ... resumed through the first context", v);
	done_with(&r);
	done_with(&o);
	ok(tls_set_ticket_keys(vhost, &k) == 0 &&
	    connect_once(first, cctx, "vhost.example", NULL, &o) &&
	    ticket_under(o.sess, 2), "%s: the virtual host's own first key "
	    "encrypts", v);
	ok(connect_once(first, cctx, "vhost.example", o.sess, &r) && full(&r),
	    "%s: ... but the first context's keys decrypt: not resumed", v);
	done_with(&r);
	done_with(&o);
	SSL_CTX_free(first);
	SSL_CTX_free(vhost);
	SSL_CTX_free(cctx);
}

struct worker {
	pthread_t	 t;
	SSL_CTX		*sctx, *cctx;
	SSL_SESSION	*sess;
	int		 resumed;
};

static void *
work(void *arg)
{
	struct worker	*w = arg;
	struct outcome	 o;
	int		 i;

	for (i = 0; i < ROUNDS; i++) {
		if (connect_once(w->sctx, w->cctx, "localhost", w->sess, &o) &&
		    resumed(&o))
			w->resumed++;
		done_with(&o);
	}
	return NULL;
}

/* Workers resume while the keys are swapped under them, key 1 always in. */
static void
test_swap_under_load(struct env *e)
{
	struct worker	 w[THREADS];
	struct ticketkeys k[2] = { keys_of((unsigned[]){ 1 }, 1),
			    keys_of((unsigned[]){ 5, 1, 6 }, 3) };
	SSL_CTX		*sctx = server(e, (unsigned[]){ 1 }, 1);
	SSL_CTX		*cctx = client(TLS1_3_VERSION);
	struct outcome	 first;
	int		 i, all = 1, swaps = 0;

	if (!connect_once(sctx, cctx, "localhost", NULL, &first))
		exit(1);
	for (i = 0; i < THREADS; i++) {
		w[i].sctx = sctx;
		w[i].cctx = cctx;
		w[i].sess = SSL_SESSION_dup(first.sess);
		w[i].resumed = 0;
		if (pthread_create(&w[i].t, NULL, work, &w[i]) != 0)
			exit(1);
	}
	for (i = 0; i < ROUNDS * THREADS * 4; i++) {
		if (tls_set_ticket_keys(sctx, &k[i % 2]) == 0)
			swaps++;
		usleep(100);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		all &= w[i].resumed == ROUNDS;
		SSL_SESSION_free(w[i].sess);
	}
	ok(all && swaps == ROUNDS * THREADS * 4, "%d threads resume %d times "
	    "each while the keys are swapped %d times", THREADS, ROUNDS,
	    swaps);
	done_with(&first);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static void
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/test_ticketkeys.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		exit(1);
	/* The line saying a certificate was generated: not TAP's business. */
	if (log_open("/dev/null", 0, LOG_FORMAT_ALMANAC) == -1)
		exit(1);
	config_init(&e->cfg);
	if ((e->h = config_add_host(&e->cfg, "localhost")) == NULL)
		exit(1);
	free(e->h->certs);
	if ((e->h->certs = strdup(e->dir)) == NULL)
		exit(1);
}

static void
env_free(struct env *e)
{
	char	 path[128];

	snprintf(path, sizeof(path), "%s/cert.pem", e->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/key.pem", e->dir);
	unlink(path);
	rmdir(e->dir);
	config_free(&e->cfg);
	log_close();
}

int
main(void)
{
	struct env	 e;

	test_parse_good();
	test_parse_refused();
	test_find_clear();
	env_init(&e);
	test_resumption(&e, TLS1_3_VERSION, "TLS 1.3");
	test_resumption(&e, TLS1_2_VERSION, "TLS 1.2");
	test_vhost(&e, TLS1_3_VERSION, "TLS 1.3");
	test_vhost(&e, TLS1_2_VERSION, "TLS 1.2");
	test_swap_under_load(&e);
	env_free(&e);
	return done_testing();
}
