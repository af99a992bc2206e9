/* proxy: relays a request to an upstream Gemini server over TLS and streams its answer back (proxy relay-to). */
#ifndef ALMANAC_PROXY_H
#define ALMANAC_PROXY_H

#include <stddef.h>

struct body_stream;
struct config;
struct proxy_conf;

/*
 * At start, before the sandbox: for every block with 'proxy relay-to',
 * resolves the upstream, and makes its TLS context with the client
 * certificate, if any.  0, or -1 with a log line.
 */
int	proxy_prepare(struct config *);
void	proxy_release(struct config *);
/*
 * A stream answering the request line[0..len) from the block's upstream:
 * connecting, the TLS handshake and the exchange all happen as the
 * stream is read, none of them blocks.  An upstream that cannot be
 * reached or answers wrong gets the client a 43.  NULL without memory.
 */
struct body_stream	*proxy_stream_new(const struct proxy_conf *,
			    const char *, size_t);

#endif
