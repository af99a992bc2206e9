/* ticketkeys: TLS session-ticket keys read from a file that several instances share. */
#ifndef ALMANAC_TICKETKEYS_H
#define ALMANAC_TICKETKEYS_H

#include <stddef.h>

#define TICKETKEYS_MAX		16	/* keys in a file */
#define TICKETKEY_LEN		80	/* bytes a line decodes to */
#define TICKETKEY_NAME_LEN	16	/* OpenSSL's key_name */
#define TICKETKEY_HMAC_LEN	32	/* HMAC-SHA256 secret */
#define TICKETKEY_AES_LEN	32	/* AES-256-CBC key */

/*
 * The 80 bytes in the order of nginx's ssl_session_ticket_key files of
 * that size: name, HMAC secret, AES key.  The name travels in the clear
 * at the start of every ticket, for the server to find the key.
 */
struct ticketkey {
	unsigned char	 name[TICKETKEY_NAME_LEN];
	unsigned char	 hmac[TICKETKEY_HMAC_LEN];
	unsigned char	 aes[TICKETKEY_AES_LEN];
};

/* key[0] encrypts new tickets; every key decrypts. */
struct ticketkeys {
	size_t		 n;
	struct ticketkey key[TICKETKEYS_MAX];
};

/*
 * Parses the text of a key file (no I/O): one key a line, each the
 * base64 (RFC 4648, standard alphabet, '=' padding, canonical, nothing
 * inside) of 80 random bytes, as `openssl rand 80 | base64 -w0` prints;
 * blanks around a line, blank lines, lines whose first non-blank is '#',
 * CRLF and a UTF-8 byte order mark allowed.  At least one key, at most
 * TICKETKEYS_MAX, no name twice.  On success, 0 and *out replaced; else
 * -1, "name:line: why" in err, and *out unchanged, so that the caller
 * keeps its current keys.
 */
int	ticketkeys_parse(const char *, size_t, const char *,
	    struct ticketkeys *, char *, size_t);
/* The key of that name and its index in *index, or NULL. */
const struct ticketkey	*ticketkeys_find(const struct ticketkeys *,
			    const unsigned char [TICKETKEY_NAME_LEN], size_t *);
/* Zeroes the keys in a way the compiler keeps. */
void	ticketkeys_clear(struct ticketkeys *);

#endif
