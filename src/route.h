/* route: decide the answer to one request line: status, meta and body source. */
#ifndef ALMANAC_ROUTE_H
#define ALMANAC_ROUTE_H

#include <sys/socket.h>
#include <sys/types.h>

#include <openssl/x509.h>

#include "body.h"
#include "catalog.h"
#include "location.h"
#include "path.h"

struct config;
struct fcgistream_apps;
struct filecache;
struct mime;
struct snapshot;
struct titan_upload;

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
	struct fcgistream_apps	*fastcgi;	/* the applications, counted */
};

struct response {
	const struct host	*host;	/* the capsule that answers, or NULL */
	struct path_rules	 rules;	/* how the path is served */
	struct snapshot	*snap;		/* held until the response is cleared */
	int		 status;
	char		 meta[META_MAX + 1];
	struct body	 body;		/* BODY_UPLOAD: footer, what an editor
					   may send back */
	struct titan_upload *upload;	/* BODY_UPLOAD: where the body goes */
	struct catalog	*cat;		/* told of an upload before the answer */
	char		 target[PATH_MAX_LEN + 1];	/* the page uploaded */
	char		 who[32];	/* "token 2" or "certificate" */
	char		 note[96];	/* what a Titan request did, for the log */
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
/*
 * A BODY_UPLOAD answer waits for the body: the bytes still expected; the
 * bytes as they come (0, or -1 when the upload failed: too long, or not
 * written, and the answer says why); then, once all have come, the page
 * put in place and the catalog told before the answer (30) is set.
 */
long long	route_upload_left(const struct response *);
int	route_upload_data(struct response *, const void *, size_t);
void	route_upload_finish(struct response *);


#endif
