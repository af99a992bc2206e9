/* listen: the listening sockets: addresses bound once per worker (SO_REUSEPORT), or handed over by systemd. */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "options.h"

/* "1.2.3.4:5" or "[::1]:5" into out, and the bare address into host. */
void
listen_format(const struct sockaddr_storage *ss, char *out, size_t outsz,
    char *host, size_t hostsz)
{
	snprintf(host, hostsz, "?");
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)hostsz);
		snprintf(out, outsz, "%s:%d", host, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)hostsz);
		snprintf(out, outsz, "[%s]:%d", host, ntohs(s6->sin6_port));
	} else
		snprintf(out, outsz, "?");
}


static int
open_listener(const struct addrinfo *ai, struct listener *l)
{
	int	 one = 1, fd;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	/*
	 * Accepted sockets inherit TCP_NODELAY, which spares a setsockopt
	 * per connection.  TCP_DEFER_ACCEPT hands a connection over only
	 * once its first bytes (the ClientHello) have come, so accepting it
	 * and starting the handshake take one wake-up, not two; a client
	 * that stays silent is handed over after a second all the same.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
	    &one, sizeof(one)) == -1 || setsockopt(fd, IPPROTO_TCP,
	    TCP_DEFER_ACCEPT, &one, sizeof(one)) == -1 ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) || bind(fd, ai->ai_addr,
	    ai->ai_addrlen) == -1 || listen(fd, 1024) == -1) {
		close(fd);
		return -1;
	}
	l->h.kind = H_LISTENER;
	l->fd = fd;
	memset(&l->addr, 0, sizeof(l->addr));
	memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
	return 0;
}

int
listen_port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int
is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
	    htonl(INADDR_ANY);
}

/*
 * Every worker's socket sets SO_REUSEPORT, which would also let a second
 * almanac of the same user join the group and take half the connections
 * without a word.  A plain bind first tells whether anything else holds
 * the address: if it does, this is not ours to share.
 */
static int
in_use_elsewhere(const struct addrinfo *ai)
{
	int	 one = 1, fd, busy;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) == -1)
		return 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	busy = bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno == EADDRINUSE;
	close(fd);
	return busy;
}

/*
 * One socket per worker for each address (SO_REUSEPORT spreads the
 * connections).  Port 0 is resolved by the first bind and reused by the
 * others, so that all of them share one port.  -1 with errno set.
 */
static int
bind_address(struct listen_set *const *sets, int nsets, struct addrinfo *ai,
    const char *text, int proxy)
{
	struct listener	*l = NULL;
	socklen_t	 len;
	int		 i, port = 0, err;

	if (listen_port_of((const struct sockaddr_storage *)ai->ai_addr) != 0 &&
	    in_use_elsewhere(ai)) {
		log_error("cannot listen on %s: address already in use by "
		    "another process", text);
		errno = EADDRINUSE;
		return -1;
	}
	for (i = 0; i < nsets; i++) {
		if (sets[i]->n == LISTEN_MAX) {
			errno = EMFILE;
			return -1;
		}
		l = &sets[i]->l[sets[i]->n];
		if (port != 0)
			((struct sockaddr_in *)ai->ai_addr)->sin_port =
			    htons((uint16_t)port);
		if (open_listener(ai, l) == -1)
			return -1;
		len = sizeof(l->addr);
		if (getsockname(l->fd, (struct sockaddr *)&l->addr, &len) ==
		    -1) {
			err = errno;
			close(l->fd);
			errno = err;
			return -1;
		}
		l->port = port = listen_port_of(&l->addr);
		l->wildcard = is_wildcard(&l->addr);
		l->proxy = proxy;
		sets[i]->n++;
	}
	return l == NULL ? -1 : 0;
}

/* The exact address of ai, "127.0.0.1:1965" or "[::1]:1965". */
static void
address_text(const struct addrinfo *ai, char *out, size_t outsz)
{
	struct sockaddr_storage	 ss;
	char			 host[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	listen_format(&ss, out, outsz, host, sizeof(host));
}

/* An IPv6 loopback the machine lacks (containers often do): not fatal. */
static int
missing_loopback(const struct addrinfo *ai, int err)
{
	return ai->ai_family == AF_INET6 && (err == EADDRNOTAVAIL ||
	    err == EAFNOSUPPORT) && IN6_IS_ADDR_LOOPBACK(
	    &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
}

/*
 * "localhost" is the loopback in both families (RFC 6761), whatever
 * /etc/hosts says: clients that resolve it to ::1 must find us there.
 */
static int
resolve_listen(const char *host, const char *port, struct addrinfo **res)
{
	struct addrinfo	 hints, *v4 = NULL, *v6 = NULL, *ai;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (strcasecmp(host, "localhost") != 0)
		return getaddrinfo(host[0] ? host : NULL, port, &hints, res);
	hints.ai_flags |= AI_NUMERICHOST;
	if ((rc = getaddrinfo("127.0.0.1", port, &hints, &v4)) != 0)
		return rc;
	if (getaddrinfo("::1", port, &hints, &v6) != 0)
		v6 = NULL;
	for (ai = v4; ai->ai_next != NULL; ai = ai->ai_next)
		;
	ai->ai_next = v6;
	*res = v4;
	return 0;
}

/*
 * Every address a listen spec names is fatal when it cannot be listened
 * on, and named exactly; only an IPv6 loopback the machine lacks is a
 * warning ("localhost" still serves IPv4).
 */
int
listen_bind(struct listen_set *const *sets, int nsets, const char *spec, int proxy)
{
	struct addrinfo	*res, *ai;
	char		 host[256], port[16], text[INET6_ADDRSTRLEN + 8];
	int		 rc, bound = 0, first_port = 0, err;

	if (options_split_listen(spec, host, sizeof(host), port,
	    sizeof(port)) == -1) {
		log_error("listen %s: expected HOST:PORT", spec);
		return -1;
	}
	if ((rc = resolve_listen(host, port, &res)) != 0) {
		log_error("listen %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res, rc = 0; ai != NULL && rc == 0; ai = ai->ai_next) {
		if (bound > 0 && strcmp(port, "0") == 0)
			((struct sockaddr_in *)ai->ai_addr)->sin_port =
			    htons((uint16_t)first_port);
		address_text(ai, text, sizeof(text));
		if (bind_address(sets, nsets, ai, text, proxy) == 0) {
			const struct listener *l = &sets[0]->l[sets[0]->n - 1];
			if (bound++ == 0)
				first_port = l->port;
			listen_format(&l->addr, text, sizeof(text), host,
			    sizeof(host));
			log_info("listening on %s%s", text, proxy ?
			    " (a PROXY header first)" : "");
			continue;
		}
		err = errno;
		if (missing_loopback(ai, err))
			log_warn("not listening on %s: this machine has no "
			    "IPv6 loopback (%s)", text, strerror(err));
		else {
			if (err != EADDRINUSE || !in_use_elsewhere(ai))
				log_error("cannot listen on %s: %s", text,
				    strerror(err));
			rc = -1;
		}
	}
	freeaddrinfo(res);
	return rc == 0 && bound > 0 ? 0 : -1;
}


/*
 * Sockets handed over (socket activation) are shared by the workers, each
 * holding its own descriptor of the same socket: the kernel gives each
 * connection to one of them.
 */
int
listen_adopt(struct listen_set *const *sets, int nsets, const int *fds, size_t n)
{
	struct listener	*l;
	char		 text[INET6_ADDRSTRLEN + 8], host[INET6_ADDRSTRLEN];
	socklen_t	 len;
	size_t		 k;
	int		 i, one = 1;

	for (k = 0; k < n; k++) {
		/* Inherited by accepted sockets, as for our own listeners. */
		(void)setsockopt(fds[k], IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		(void)setsockopt(fds[k], IPPROTO_TCP, TCP_DEFER_ACCEPT, &one,
		    sizeof(one));
		for (i = 0; i < nsets; i++) {
			if (sets[i]->n == LISTEN_MAX)
				return -1;
			l = &sets[i]->l[sets[i]->n];
			l->h.kind = H_LISTENER;
			l->fd = i == 0 ? fds[k] :
			    fcntl(fds[k], F_DUPFD_CLOEXEC, 0);
			len = sizeof(l->addr);
			if (l->fd == -1 || getsockname(l->fd,
			    (struct sockaddr *)&l->addr, &len) == -1) {
				log_syserr("socket activation");
				return -1;
			}
			l->port = listen_port_of(&l->addr);
			l->wildcard = is_wildcard(&l->addr);
			sets[i]->n++;
		}
		listen_format(&sets[0]->l[sets[0]->n - 1].addr, text,
		    sizeof(text), host, sizeof(host));
		log_info("listening on %s (a socket handed over by systemd)",
		    text);
	}
	return 0;
}

void
listen_close(struct listen_set *set)
{
	size_t	 i;

	for (i = 0; i < set->n; i++) {
		if (set->l[i].fd == -1)
			continue;
		close(set->l[i].fd);
		set->l[i].fd = -1;
	}
}
