/* route: decide the answer to one request line: status, meta and body source. */
#ifndef ALMANAC_ROUTE_H
#define ALMANAC_ROUTE_H

#include <sys/socket.h>
#include <sys/types.h>

#include <openssl/x509.h>

#include "body.h"
#include "catalog.h"
#include "location.h"

struct config;
struct filecache;
struct mime;
struct snapshot;

#define META_MAX	1024

struct route_env {
	const struct config	*cfg;
	struct catalog *const	*cats;		/* one per cfg->hosts[] */
	struct mime		*mime;
	struct filecache	*files;		/* NULL: no small-file cache */
	const struct sockaddr	*local;		/* where the client connected */
	int			 local_port;
	const char		*sni;		/* NULL when the client sent none */
	int			 sni_host;	/* the host it chose, or -1 */
	int			 slow_down;	/* over the limits: 44 with this wait */
	X509			*peer;		/* the client's certificate, or NULL */
	const char		*remote_addr;	/* the client's address, for FastCGI */
	const char		*tls_version;	/* SSL_get_version() */
	const char		*tls_cipher;	/* SSL_get_cipher_name() */
	const char		*software;	/* "almanac/VERSION" */
};

struct response {
	const struct host	*host;	/* the capsule that answers, or NULL */
	struct path_rules	 rules;	/* how the path is served */
	struct snapshot	*snap;		/* held until the response is cleared */
	int		 status;
	char		 meta[META_MAX + 1];
	struct body	 body;
};

void	response_init(struct response *);
/*
 * Closes the file, releases the snapshot and empties the buffers; the
 * response can then be reused.
 */
void	response_clear(struct response *);
void	response_free(struct response *);
/*
 * The answer to a request line of 'len' bytes (without its CRLF; more
 * than REQUEST_MAX when it had none within the limit).
 */
void	route_request(const struct route_env *, const char *, size_t,
	    struct response *);


#endif
