/* proxyhdr: the PROXY protocol header (HAProxy's, versions 1 and 2) a load balancer sends ahead of a connection. */
#ifndef ALMANAC_PROXYHDR_H
#define ALMANAC_PROXYHDR_H

#include <sys/socket.h>

#include <stddef.h>

#define PROXYHDR_V1_MAX	107	/* the spec's longest line, CRLF included */
/*
 * The longest version 2 header taken, its 16 fixed bytes included: room
 * for every TLV HAProxy sends (ALPN, authority, unique id, SSL with its
 * sub-TLVs, namespace, CRC32C: a few hundred bytes) many times over.
 */
#define PROXYHDR_V2_MAX	4096
/* What a caller needs to peek: no header is longer. */
#define PROXYHDR_MAX	PROXYHDR_V2_MAX

enum proxyhdr_result {
	PROXYHDR_NEED_MORE,	/* a valid header may yet follow: read on */
	PROXYHDR_OK,		/* a whole header, in *out */
	PROXYHDR_BAD		/* no header can start so: close */
};

struct proxyhdr {
	size_t			 len;		/* bytes the header takes */
	int			 version;	/* 1 or 2 */
	/*
	 * The connection's own addresses stand (src and dst are zero,
	 * AF_UNSPEC): a version 2 LOCAL (the proxy's health check), a
	 * version 1 UNKNOWN, or a version 2 PROXY of a family or protocol
	 * other than TCP over IPv4 or IPv6 (UNSPEC, UDP, UNIX), which the
	 * spec lets a receiver fall back on that way.
	 */
	int			 local;
	struct sockaddr_storage	 src, dst;	/* the client's, the proxy's */
};

/*
 * Reads a PROXY header from the first n bytes of a connection (those
 * received so far: the caller peeks, and consumes exactly out->len bytes
 * on PROXYHDR_OK; the bytes after it are the client's).  Each byte is
 * checked as it comes, so that a connection without a header (a TLS
 * ClientHello's 0x16) is refused on its first byte, and NEED_MORE never
 * answers PROXYHDR_MAX bytes or more.  The answer for a prefix holds for
 * any longer input: BAD stays BAD, OK stays the same OK.
 *
 * Version 1 is taken as the spec writes it: "PROXY TCP4|TCP6 SRC DST
 * SPORT DPORT\r\n" with single spaces, addresses inet_pton reads for
 * the family (IPv4 without leading zeros), ports 0-65535 in decimal
 * without a sign or leading zeros, at most PROXYHDR_V1_MAX bytes; or
 * "PROXY UNKNOWN" then anything but CR or LF up to the CRLF.
 * Version 2: the signature, version 2, command LOCAL or PROXY, for PROXY
 * a family and protocol the spec defines, a length of at most
 * PROXYHDR_V2_MAX - 16 that holds the family's addresses, then TLVs that
 * each fit (values unread, but a CRC32C checks out).  A LOCAL's block is
 * skipped unread unless its family is UNSPEC (then all TLVs), since the
 * spec has the receiver ignore a LOCAL's family.
 *
 * out is written only on PROXYHDR_OK.  *why (why may be NULL) is a
 * short static reason on PROXYHDR_BAD, else NULL.
 */
enum proxyhdr_result	proxyhdr_parse(const unsigned char *, size_t,
			    struct proxyhdr *, const char **);

#endif
