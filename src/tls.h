/* tls: the OpenSSL server context, and certificates loaded or generated on first start. */
#ifndef ALMANAC_TLS_H
#define ALMANAC_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

struct host;
struct ticketkeys;

/*
 * At start-up: the host's cert_file and key_file, else cert.pem and key.pem
 * in its certs directory, created there (ECDSA P-256, self-signed, the
 * host's names in the SAN) when neither exists.  Returns a server context,
 * or NULL after logging why.
 */
SSL_CTX	*tls_context(const struct host *);
/*
 * On SIGHUP: the same files loaded again, never generated: NULL, after
 * logging why, when both are missing.
 */
SSL_CTX	*tls_context_reload(const struct host *);
/*
 * The SHA-256 of the context's certificate and of its public key (SPKI:
 * what Lagrange and Amfora pin), each "AB:CD:..." into a buffer of that
 * many bytes, at least ACCESS_FP_COLON_SIZE.  0 or -1.
 */
int	 tls_fingerprints(SSL_CTX *, char *, char *, size_t);
/* The same, of the host's certificate file as it is now (for almanac -n). */
int	 tls_file_fingerprints(const struct host *, char *, char *, size_t);
/* Sends a TLS 1.3 session ticket with the next SSL_write. */
void	 tls_ticket_with_answer(SSL *);
/*
 * Session tickets under keys shared with other instances, as
 * ticketkeys_parse read them (a copy is kept): keys->key[0] encrypts new
 * tickets, every key decrypts, and a ticket under another than the first
 * resumes and is replaced by one under the first.  Without it, OpenSSL's
 * own keys, random in each process, are used.  Called again (SIGHUP),
 * the context's keys are replaced at once, safely while workers use it;
 * the first call must come before the context serves, like the rest of
 * its set-up.  Give every context the same keys: OpenSSL calls the
 * callback of the context SSL_new was given, which takes the keys of the
 * context the connection has at the time: still that one when a ticket
 * is decrypted, the one the SNI chose when a ticket is encrypted.  0, or
 * -1 with the context's keys unchanged.
 */
int	 tls_set_ticket_keys(SSL_CTX *, const struct ticketkeys *);
/*
 * Reads a ticket-keys file into out (ticketkeys_parse): 0, or -1 after
 * logging why, with out unchanged.
 */
int	 tls_read_ticket_keys(const char *, struct ticketkeys *);
/* OpenSSL's error queue as one string, emptied. */
void	 tls_error_string(char *, size_t);

#endif
