/* listen: the listening sockets: addresses bound once per worker (SO_REUSEPORT), or handed over by systemd. */
#ifndef ALMANAC_LISTEN_H
#define ALMANAC_LISTEN_H

#include <sys/socket.h>

#include <stddef.h>

#define LISTEN_MAX	64	/* sockets per worker */
#define LISTEN_ADDR_SIZE	(46 + 8)	/* "[v6]:port" */

/* The first member of everything a worker registers with epoll. */
enum listen_handler_kind { H_LISTENER, H_WAKE, H_CONN, H_STREAM };
struct handler {
	enum listen_handler_kind	 kind;
};

struct listener {
	struct handler		 h;
	int			 fd;
	int			 port;
	struct sockaddr_storage	 addr;	/* the bound address */
	int			 wildcard;
	int			 proxy;	/* a PROXY header comes first */
};

/* One worker's listening sockets. */
struct listen_set {
	struct listener	 l[LISTEN_MAX];
	size_t		 n;
};

/*
 * Binds what a listen spec ("HOST:PORT") names, once into each of the
 * 'nsets' sets, logging each address: 0, or -1 after logging why.
 */
int	listen_bind(struct listen_set *const *, int, const char *, int);
/*
 * Serves sockets handed over (socket activation): each set gets its own
 * descriptor of every socket.  0 or -1.
 */
int	listen_adopt(struct listen_set *const *, int, const int *, size_t);
void	listen_close(struct listen_set *);
/* "1.2.3.4:5" or "[::1]:5" into out, and the bare address into host. */
void	listen_format(const struct sockaddr_storage *, char *, size_t, char *,
	    size_t);
int	listen_port_of(const struct sockaddr_storage *);

#endif
