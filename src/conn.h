/* conn: one connection's state machine: PROXY header, ClientHello, handshake, request, answer, shutdown, linger. */
#ifndef ALMANAC_CONN_H
#define ALMANAC_CONN_H

#include <sys/socket.h>

#include <stdint.h>

#define CONN_LINGER_MS	2000	/* after close_notify, for the client's FIN */
#define CONN_REFUSED_MS	2000	/* deadline of a connection answered 44 */

struct conn_pool;
struct handler;
struct listener;
struct timer;
struct worker;

/* A worker's recycled answer and request buffers. */
struct conn_pool	*conn_pool_new(void);
void			 conn_pool_free(struct conn_pool *);
/* Frees the connections closed during the wake-up that has ended. */
void			 conn_reap(struct conn_pool *);

/* Takes over an accepted socket. */
void	conn_new(struct worker *, struct listener *, int,
	    const struct sockaddr_storage *);
/* Readiness of a connection's socket or of its answer's stream. */
void	conn_event(struct worker *, struct handler *, uint32_t);
/* The connection whose timer this is ran out of time. */
void	conn_expire(struct worker *, struct timer *);
/* The server stops: the connection whose timer this is closes. */
void	conn_stop(struct worker *, struct timer *);

#endif
