/* server: the listening sockets, the workers and what they share: contexts, catalogs, limits. */
#ifndef ALMANAC_SERVER_H
#define ALMANAC_SERVER_H

#include <stddef.h>

#include <openssl/ssl.h>

struct catalog;
struct config;
struct server;

struct server	*server_new(const struct config *);
/*
 * The TLS contexts, one per configured host in the order of cfg->hosts:
 * before server_start, and again to swap in new ones (SIGHUP).
 * Connections under way keep the context they started with; the caller
 * may free the old ones at once.
 */
void		 server_set_contexts(struct server *, SSL_CTX *const *);
/*
 * New timeouts and limits (SIGHUP) from cfg, for what happens from now on;
 * the rest of cfg is read only at start.
 */
void		 server_set_limits(struct server *, const struct config *);
/*
 * Binds every --listen address once per worker (logging each): 0 or -1.
 * The sockets outlive a fork, so that every server process the
 * supervisor starts serves them.
 */
int		 server_listen(struct server *);
/*
 * Serves listening sockets handed over instead (socket activation), in
 * place of every listen address: 0 or -1.
 */
int		 server_adopt(struct server *, const int *, size_t);
/* Opens what the workers need (epoll, libmagic): 0 or -1. */
int		 server_prepare(struct server *);
/* The port of the first listener (useful when it was 0). */
int		 server_port(const struct server *);
/* Starts the workers; requests are answered from the hosts' catalogs. */
int		 server_start(struct server *, struct catalog *const *);
/*
 * Stops accepting, lets answers in flight finish for up to 'grace_ms',
 * then closes what is left and joins the workers.
 */
void		 server_stop(struct server *, int);
/*
 * The host a connection's TLS server name chose during the handshake
 * (an index into cfg->hosts), or -1 when it sent none or an unknown one.
 */
int		 server_sni_host(SSL *);
void		 server_free(struct server *);

#endif
