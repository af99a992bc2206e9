/* fcgistream: one request to a FastCGI application, its answer relayed as a body stream (the I/O around src/fastcgi.c). */
#ifndef ALMANAC_FCGISTREAM_H
#define ALMANAC_FCGISTREAM_H

struct body_stream;
struct buf;
struct config;
struct fastcgi_app;
struct fcgistream_apps;

/*
 * The applications of every location, their addresses resolved and
 * their open requests counted over all workers: NULL after logging why.
 */
struct fcgistream_apps	*fcgistream_apps_new(const struct config *);
void			 fcgistream_apps_free(struct fcgistream_apps *);
/*
 * A stream that sends 'records' (taken over) to 'app' and relays its
 * answer, header checked; NULL with *why when the application has all
 * the requests it may have open, or memory ran out.
 */
struct body_stream	*fcgistream_new(struct fcgistream_apps *,
			    const struct fastcgi_app *, struct buf *,
			    const char **);

#endif
