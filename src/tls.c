/* tls: the OpenSSL server context, and certificates loaded or generated on first start. */
#include <arpa/inet.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "access.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "ticketkeys.h"
#include "tls.h"

#define CERT_NAME	"cert.pem"
#define KEY_NAME	"key.pem"
#define CERT_DAYS	(365 * 50)	/* trust on first use wants it to last */

/*
 * Each context's ticket keys, a copy in its ex_data, freed with it.  One
 * lock guards them all: a ticket callback holds it only to copy the one
 * key it needs (a search of at most 16 names and 80 bytes), then works
 * on its copy, so tls_set_ticket_keys may overwrite the keys while
 * workers encrypt and decrypt, and no worker ever sees half of a key.
 * A context outlives every connection that uses it (SSL_new holds a
 * reference), so its keys do too.
 */
static pthread_mutex_t	 ticket_lock = PTHREAD_MUTEX_INITIALIZER;
static int		 ticket_index = -1;	/* guarded by ticket_lock */

void
tls_error_string(char *out, size_t outsz)
{
	unsigned long	 e;
	size_t		 n = 0;

	out[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		if (n > 0 && n + 2 < outsz) {
			out[n++] = ';';
			out[n++] = ' ';
			out[n] = '\0';
		}
		if (n < outsz)
			ERR_error_string_n(e, out + n, outsz - n);
		n = strlen(out);
	}
	if (n == 0)
		snprintf(out, outsz, "unknown error");
}

static void
log_tls(const char *what)
{
	char	 err[512];

	tls_error_string(err, sizeof(err));
	log_warn("%s: %s", what, err);
}

/* "DNS:a,DNS:b,IP:127.0.0.1" */
static char *
san_list(char *const *hosts, size_t nhosts)
{
	unsigned char	 addr[16];
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < nhosts; i++) {
		int ip = inet_pton(AF_INET, hosts[i], addr) == 1 ||
		    inet_pton(AF_INET6, hosts[i], addr) == 1;
		buf_printf(&b, "%s%s:%s", i ? "," : "", ip ? "IP" : "DNS",
		    hosts[i]);
	}
	return buf_steal(&b, NULL);
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int
set_serial(X509 *x)
{
	BIGNUM	*bn = BN_new();
	int	 ok;

	ok = bn != NULL && BN_rand(bn, 63, BN_RAND_TOP_ANY,
	    BN_RAND_BOTTOM_ANY) && BN_to_ASN1_INTEGER(bn,
	    X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

static X509 *
make_cert(EVP_PKEY *key, char *const *hosts, size_t nhosts)
{
	X509		*x;
	X509_NAME	*name;
	char		*san;
	int		 ok;

	if ((x = X509_new()) == NULL || (san = san_list(hosts, nhosts)) ==
	    NULL) {
		X509_free(x);
		return NULL;
	}
	name = X509_get_subject_name(x);
	ok = X509_set_version(x, 2) && set_serial(x) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) != NULL &&
	    X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL) !=
	    NULL && X509_set_pubkey(x, key) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)hosts[0], -1, -1, 0) &&
	    X509_set_issuer_name(x, name) &&
	    add_ext(x, NID_subject_alt_name, san) &&
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
	    add_ext(x, NID_key_usage, "critical,digitalSignature") &&
	    add_ext(x, NID_ext_key_usage, "serverAuth") &&
	    X509_sign(x, key, EVP_sha256()) > 0;
	free(san);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Written to a temporary name and renamed, so a crash leaves no half file. */
static int
write_pem(const char *dir, const char *name, mode_t mode, EVP_PKEY *key,
    X509 *cert)
{
	char	 tmp[PATH_MAX], path[PATH_MAX];
	FILE	*f;
	int	 fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.new", dir, name);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1) {
		log_syserr("%s", tmp);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		log_syserr("%s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_X509(f, cert);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) == -1) {
		log_syserr("cannot write %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
generate(const char *dir, char *const *hosts, size_t nhosts)
{
	EVP_PKEY	*key;
	X509		*cert = NULL;
	int		 rc = -1;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_syserr("mkdir %s", dir);
		return -1;
	}
	if ((key = EVP_EC_gen("P-256")) == NULL ||
	    (cert = make_cert(key, hosts, nhosts)) == NULL)
		log_tls("cannot generate a certificate");
	else if (write_pem(dir, KEY_NAME, 0600, key, NULL) == 0 &&
	    write_pem(dir, CERT_NAME, 0644, NULL, cert) == 0)
		rc = 0;
	X509_free(cert);
	EVP_PKEY_free(key);
	if (rc == 0)
		log_info("generated a self-signed certificate in %s/%s",
		    dir, CERT_NAME);
	return rc;
}

static int
accept_any_client_cert(int preverify, X509_STORE_CTX *ctx)
{
	(void)preverify;
	(void)ctx;
	return 1;	/* client certificates identify, they are not verified */
}

static void
warn_uncovered_names(SSL_CTX *ctx, char *const *hosts, size_t nhosts)
{
	X509	*x = SSL_CTX_get0_certificate(ctx);
	size_t	 i;

	for (i = 0; x != NULL && i < nhosts; i++)
		if (X509_check_host(x, hosts[i], 0, 0, NULL) != 1 &&
		    X509_check_ip_asc(x, hosts[i], 0) != 1)
			log_warn("the certificate does not name %s: clients "
			    "will warn (remove cert.pem and key.pem to "
			    "generate a new one)", hosts[i]);
}

static int
configure(SSL_CTX *ctx)
{
	static const unsigned char	 sid[] = "almanac";

	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE,
	    accept_any_client_cert);
	/* Tickets make resumption stateless: no server-side cache. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/*
	 * Read whatever the socket holds at once, not a record header and
	 * then its body: half the read() calls of a handshake.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	/*
	 * AES-128-GCM first: as strong as needed, and its SHA-256 key
	 * schedule costs less per handshake than AES-256's SHA-384.
	 * No ticket at the end of a TLS 1.3 handshake: the server asks for
	 * one with the answer (tls_ticket_with_answer), so that both leave
	 * in one TCP segment.
	 */
	return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
	    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384") &&
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:X448:P-384:P-521") &&
	    SSL_CTX_set_num_tickets(ctx, 0) &&
	    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
}

/*
 * One TLS 1.3 session ticket, written by the next SSL_write just ahead of
 * the answer (TLS 1.2 tickets are part of the handshake).  Without it a
 * client only loses resumption, so a failure is not an error.
 */
void
tls_ticket_with_answer(SSL *ssl)
{
	if (SSL_version(ssl) == TLS1_3_VERSION &&
	    SSL_new_session_ticket(ssl) != 1)
		ERR_clear_error();
}

static void
ticket_keys_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (ptr != NULL) {
		ticketkeys_clear(ptr);
		free(ptr);
	}
}

/*
 * A copy of the key to encrypt with (name NULL) or of the key of that
 * name, and its index: 0, or -1 when there is none.
 */
static int
ticket_key_copy(SSL *ssl, const unsigned char *name, struct ticketkey *out,
    size_t *index)
{
	const struct ticketkeys	*keys;
	const struct ticketkey	*k = NULL;

	pthread_mutex_lock(&ticket_lock);
	keys = ticket_index == -1 ? NULL :
	    SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_index);
	if (keys != NULL && keys->n > 0 && name == NULL) {
		k = &keys->key[0];
		*index = 0;
	} else if (keys != NULL)
		k = ticketkeys_find(keys, name, index);
	if (k != NULL)
		*out = *k;
	pthread_mutex_unlock(&ticket_lock);
	return k != NULL ? 0 : -1;
}

/*
 * RFC 5077's recommended construction, as OpenSSL's own keys use it:
 * AES-256-CBC with a random IV, HMAC-SHA256.  1: done (decrypting with
 * the current key); 2: decrypted with an older key, so OpenSSL issues a
 * ticket under the current one; 0: no key (a full handshake, or no
 * ticket); -1: an error.
 */
static int
ticket_cb(SSL *ssl, unsigned char name[TICKETKEY_NAME_LEN],
    unsigned char iv[EVP_MAX_IV_LENGTH], EVP_CIPHER_CTX *cctx,
    EVP_MAC_CTX *hctx, int enc)
{
	static char		 digest[] = "SHA256";
	const EVP_CIPHER	*cipher = EVP_aes_256_cbc();
	struct ticketkey	 k;
	OSSL_PARAM		 params[3];
	size_t			 index = 0;
	int			 rc = -1, ivlen;

	if (ticket_key_copy(ssl, enc ? NULL : name, &k, &index) == -1)
		return 0;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    k.hmac, sizeof(k.hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[2] = OSSL_PARAM_construct_end();
	ivlen = EVP_CIPHER_get_iv_length(cipher);
	if (enc) {
		memcpy(name, k.name, TICKETKEY_NAME_LEN);
		if (ivlen > 0 && ivlen <= EVP_MAX_IV_LENGTH &&
		    RAND_bytes(iv, ivlen) == 1 &&
		    EVP_EncryptInit_ex(cctx, cipher, NULL, k.aes, iv) == 1 &&
		    EVP_MAC_CTX_set_params(hctx, params) == 1)
			rc = 1;
	} else if (EVP_MAC_CTX_set_params(hctx, params) == 1 &&
	    EVP_DecryptInit_ex(cctx, cipher, NULL, k.aes, iv) == 1)
		rc = index == 0 ? 1 : 2;
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

int
tls_set_ticket_keys(SSL_CTX *ctx, const struct ticketkeys *keys)
{
	struct ticketkeys	*held;
	int			 rc = -1;

	if (keys->n == 0 || keys->n > TICKETKEYS_MAX)
		return -1;
	pthread_mutex_lock(&ticket_lock);
	if (ticket_index == -1)
		ticket_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    ticket_keys_free);
	if (ticket_index == -1)
		goto done;
	if ((held = SSL_CTX_get_ex_data(ctx, ticket_index)) == NULL) {
		/* The first time, before the context serves: nothing races. */
		if ((held = calloc(1, sizeof(*held))) == NULL)
			goto done;
		if (SSL_CTX_set_ex_data(ctx, ticket_index, held) != 1) {
			free(held);
			goto done;
		}
		if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb) !=
		    1) {
			SSL_CTX_set_ex_data(ctx, ticket_index, NULL);
			free(held);
			goto done;
		}
	}
	*held = *keys;
	rc = 0;
done:
	pthread_mutex_unlock(&ticket_lock);
	return rc;
}

/*
 * Only start-up may generate: a reload that found both files gone would
 * otherwise replace the certificate clients trust on first use with a
 * new one, because of a mistake made while the server runs.
 */
static SSL_CTX *
make_context(const struct host *h, int may_generate)
{
	char		 cert[PATH_MAX], key[PATH_MAX];
	char		*names[MAX_ALIASES + 1];
	size_t		 nnames = 0, i;
	SSL_CTX		*ctx;
	int		 have_cert, have_key;

	names[nnames++] = h->name;
	for (i = 0; i < h->naliases; i++)
		names[nnames++] = h->aliases[i];
	if (h->cert_file != NULL) {
		snprintf(cert, sizeof(cert), "%s", h->cert_file);
		snprintf(key, sizeof(key), "%s", h->key_file);
	} else {
		snprintf(cert, sizeof(cert), "%s/%s", h->certs, CERT_NAME);
		snprintf(key, sizeof(key), "%s/%s", h->certs, KEY_NAME);
		have_cert = access(cert, F_OK) == 0;
		if (!have_cert && errno != ENOENT) {
			log_syserr("cannot read %s", cert);
			return NULL;
		}
		have_key = access(key, F_OK) == 0;
		if (!have_key && errno != ENOENT) {
			log_syserr("cannot read %s", key);
			return NULL;
		}
		if (have_cert != have_key) {
			log_warn("%s has only one of %s and %s: add the other "
			    "or remove both", h->certs, CERT_NAME, KEY_NAME);
			return NULL;
		}
		if (!have_cert && !may_generate) {
			log_warn("%s: %s and %s are missing; a reload does not "
			    "generate them (restart to have new ones made)",
			    h->certs, CERT_NAME, KEY_NAME);
			return NULL;
		}
		if (!have_cert && generate(h->certs, names, nnames) == -1)
			return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		log_tls("SSL_CTX_new");
		return NULL;
	}
	if (!configure(ctx) ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_tls(cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	warn_uncovered_names(ctx, names, nnames);
	return ctx;
}

SSL_CTX *
tls_context(const struct host *h)
{
	return make_context(h, 1);
}

SSL_CTX *
tls_context_reload(const struct host *h)
{
	return make_context(h, 0);
}

/*
 * "AB:CD:..." as the start-up line shows them, a form that
 * access_parse_fingerprint reads back into an allow list.
 */
int
tls_fingerprints(SSL_CTX *ctx, char *cert, char *spki, size_t sz)
{
	unsigned char	 c[ACCESS_FP_LEN], s[ACCESS_FP_LEN];
	X509		*x = SSL_CTX_get0_certificate(ctx);

	if (x == NULL || sz < ACCESS_FP_COLON_SIZE ||
	    access_fingerprints(x, c, s) == -1) {
		ERR_clear_error();
		return -1;
	}
	access_format_fingerprint_colons(c, cert, sz);
	access_format_fingerprint_colons(s, spki, sz);
	return 0;
}

int
tls_file_fingerprints(const struct host *h, char *cert, char *spki,
    size_t sz)
{
	unsigned char	 c[ACCESS_FP_LEN], s[ACCESS_FP_LEN];
	char		 path[PATH_MAX];
	FILE		*f;
	X509		*x;
	int		 rc = -1;

	if (h->cert_file != NULL)
		snprintf(path, sizeof(path), "%s", h->cert_file);
	else
		snprintf(path, sizeof(path), "%s/%s", h->certs, CERT_NAME);
	if (sz < ACCESS_FP_COLON_SIZE || (f = fopen(path, "r")) == NULL)
		return -1;
	if ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL &&
	    access_fingerprints(x, c, s) == 0) {
		access_format_fingerprint_colons(c, cert, sz);
		access_format_fingerprint_colons(s, spki, sz);
		rc = 0;
	}
	X509_free(x);
	fclose(f);
	ERR_clear_error();
	return rc;
}

int
tls_read_ticket_keys(const char *path, struct ticketkeys *out)
{
	char		 text[TICKETKEYS_MAX * 160], err[512];
	ssize_t		 n;
	int		 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_syserr("ticket keys %s", path);
		return -1;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n == -1) {
		log_syserr("ticket keys %s", path);
		return -1;
	}
	if ((size_t)n == sizeof(text)) {
		log_error("ticket keys %s: larger than a file of %d keys",
		    path, TICKETKEYS_MAX);
		return -1;
	}
	if ((rc = ticketkeys_parse(text, (size_t)n, path, out, err,
	    sizeof(err))) == -1)
		log_error("ticket keys: %s", err);
	explicit_bzero(text, sizeof(text));
	return rc;
}
