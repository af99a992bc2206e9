/* access: client-certificate identities: fingerprints in both forms, allow lists, and the status a certificate earns. */
#ifndef ALMANAC_ACCESS_H
#define ALMANAC_ACCESS_H

#include <stddef.h>
#include <time.h>

#include <openssl/types.h>

#define ACCESS_FP_LEN		32	/* bytes of a SHA-256 */
#define ACCESS_FP_HEX_SIZE	65	/* "ab12...": 64 digits and a NUL */
#define ACCESS_FP_COLON_SIZE	96	/* "AB:12:...": 32 pairs, 31 colons, a NUL */
#define ACCESS_LIST_MAX		100000	/* fingerprints in one list */
#define ACCESS_LINE_MAX		1024	/* bytes in a line of a list file */
#define ACCESS_CN_SIZE		256
#define ACCESS_DN_SIZE		512
#define ACCESS_DATE_SIZE	32	/* "2024-01-31T12:00:00Z" and room */

/*
 * A SHA-256 fingerprint, of a certificate or of its public key, written
 * as 64 hex digits or as 32 pairs separated by colons (mixing the two,
 * or any other separator, is refused), in any case, after an optional
 * "SHA256:" (any case).  Blanks (spaces, tabs) around the whole and
 * after the prefix are ignored.  0, or -1 with out unchanged.
 */
int	access_parse_fingerprint(const char *, size_t,
	    unsigned char [ACCESS_FP_LEN]);
/*
 * "ab12...": 64 lower-case hex digits, the form the access log carries
 * and access_parse_fingerprint reads back.  An empty string if outsz is
 * below ACCESS_FP_HEX_SIZE.
 */
void	access_format_fingerprint(const unsigned char [ACCESS_FP_LEN], char *,
	    size_t);
/* "AB:12:...", for display; an empty string below ACCESS_FP_COLON_SIZE. */
void	access_format_fingerprint_colons(const unsigned char [ACCESS_FP_LEN],
	    char *, size_t);
/* The SHA-256 of x's DER and of its SubjectPublicKeyInfo's.  0 or -1. */
int	access_fingerprints(X509 *, unsigned char [ACCESS_FP_LEN],
	    unsigned char [ACCESS_FP_LEN]);

/* Fingerprints, sorted and each once, for binary search. */
struct access_list {
	unsigned char	(*fp)[ACCESS_FP_LEN];
	size_t		  len;
	size_t		  cap;
};

void	access_list_init(struct access_list *);
void	access_list_free(struct access_list *);
/* 0 when added, 1 when already there, -1 out of memory or full. */
int	access_list_add(struct access_list *, const unsigned char [ACCESS_FP_LEN]);
int	access_list_has(const struct access_list *,
	    const unsigned char [ACCESS_FP_LEN]);
/*
 * Parses the text of an allow-list file (no I/O): one fingerprint a line,
 * '#' starting a comment, blank lines, CRLF and a UTF-8 BOM allowed, a
 * fingerprint listed twice kept once.  At most ACCESS_LIST_MAX
 * fingerprints and ACCESS_LINE_MAX bytes a line.  On success, 0 and the
 * old contents of *out (initialised) are replaced; else -1, "name:line:
 * why" in err, and *out unchanged, so that the caller keeps its last
 * good list.
 */
int	access_list_parse(const char *, size_t, const char *,
	    struct access_list *, char *, size_t);

/*
 * What a client's certificate says, for access_status, the access log
 * and FastCGI parameters.  The strings are UTF-8 without control
 * characters (an invalid sequence or a control becomes '?'), cut at a
 * character boundary to fit, and empty when the certificate lacks them.
 */
struct access_identity {
	int		 present;	/* a certificate was presented */
	unsigned char	 cert_sha256[ACCESS_FP_LEN];
	unsigned char	 spki_sha256[ACCESS_FP_LEN];
	int		 valid_now;	/* 0: expired, not yet valid or bad dates */
	char		 subject_cn[ACCESS_CN_SIZE];	/* the first CN */
	char		 subject[ACCESS_DN_SIZE];	/* RFC 2253 */
	char		 issuer[ACCESS_DN_SIZE];
	char		 not_before[ACCESS_DATE_SIZE];	/* ISO 8601, UTC */
	char		 not_after[ACCESS_DATE_SIZE];
};

/*
 * Fills id from the peer's certificate (NULL: none presented), its dates
 * checked against now; neither its chain nor its signature is verified,
 * since Gemini identities are self-signed.  0, or -1 when memory ran out
 * (id then says no certificate).  OpenSSL's error queue is left as found.
 */
int	access_identity_of(X509 *, time_t, struct access_identity *);
/*
 * The status a request earns: 0 when allowed, else 60 (no certificate),
 * 62 (expired or not yet valid) or 61 (on none of the lists), with a
 * short reason for the answer's meta in meta[0..metasz) ("" for 0).  A
 * certificate is required when require_cert is set or any list is given;
 * it is allowed when either of its fingerprints is on any of the lists.
 * An empty list, or a NULL one, allows nobody.
 */
int	access_status(const struct access_identity *, int,
	    const struct access_list *const *, size_t, char *, size_t);

#endif
