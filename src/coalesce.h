/* coalesce: the write side of a TLS connection, sending an answer's small records together. */
#ifndef ALMANAC_COALESCE_H
#define ALMANAC_COALESCE_H

#include <stddef.h>
#include <openssl/bio.h>

/*
 * A BIO that writes to the socket fd (which it does not close), for
 * SSL_set0_wbio.  It passes every write straight through until
 * coalesce_hold().  NULL when out of memory.
 */
BIO	*coalesce_bio(int fd);
/*
 * From now on writes of up to COALESCE_SMALL bytes (a session ticket, an
 * alert, a short record) are kept in buf, up to cap bytes, and leave with
 * the next larger write (one writev) or with coalesce_flush(); OpenSSL's
 * own flushes no longer send.  Every send carries MSG_MORE, so the last
 * segment waits for the FIN that follows the answer.
 */
void	 coalesce_hold(BIO *, char *buf, size_t cap);
/*
 * Sends what is kept and stops holding: 1 when all is sent, 0 when the
 * socket is full (call again once it is writable), -1 on an error.
 */
int	 coalesce_flush(BIO *);

/* Below this, copying a write costs less than a system call. */
#define COALESCE_SMALL	4096

#endif
