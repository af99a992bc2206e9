/* search: the /search query parser, and matching and ranking over the text of a capsule's pages (no I/O). */
#ifndef ALMANAC_SEARCH_H
#define ALMANAC_SEARCH_H

#include <stddef.h>

#include "buf.h"
#include "casefold.h"

struct page;

#define SEARCH_QUERY_MAX	256	/* bytes of a decoded query */
#define SEARCH_WORDS_MAX	16	/* distinct words of a query, AND-ed */
#define SEARCH_WORD_MAX		252	/* bytes of a folded word; a longer run is cut into words */
#define SEARCH_SHOWN		25	/* best matches listed */
#define SEARCH_BUCKETS		16	/* index pieces, rebuilt one by one */

/* A parsed query: the decoded text, and its distinct words case-folded. */
struct search_query {
	char	 text[SEARCH_QUERY_MAX + 1];
	size_t	 len;
	char	 folded[CASEFOLD_MAX * SEARCH_QUERY_MAX + SEARCH_WORDS_MAX];
	size_t	 word_off[SEARCH_WORDS_MAX];
	size_t	 word_len[SEARCH_WORDS_MAX];
	size_t	 nwords;
};

enum search_parse {
	SEARCH_OK,	/* at least one word */
	SEARCH_EMPTY,	/* nothing to search for: ask for the query */
	SEARCH_BAD	/* answer 59 with 'why' */
};

/*
 * Parses a request's query as received (percent-encoded, without '?'):
 * it must decode to at most SEARCH_QUERY_MAX bytes of UTF-8 without
 * control characters, and have at most SEARCH_WORDS_MAX distinct words.
 */
enum search_parse	search_parse(const char *, size_t, struct search_query *,
			    const char **);

/*
 * One piece of a capsule's index: the folded words of its pages, each
 * with the pages that hold it.  A page belongs to the bucket its path
 * hashes to, so that publishing a page rebuilds one bucket, which the
 * snapshots that follow share until one of its pages changes.  The
 * pages must outlive the bucket (the snapshots that share it hold them).
 */
struct search_bucket;

unsigned		 search_bucket_of(const char *);
/* From the pages that have text (search_text); NULL when out of memory. */
struct search_bucket	*search_bucket_build(struct page *const *, size_t);
/* Reference counts: touched by the catalog's thread only. */
void			 search_bucket_ref(struct search_bucket *);
void			 search_bucket_unref(struct search_bucket *);
/* Bytes it takes, for the benchmark and the log. */
size_t			 search_bucket_bytes(const struct search_bucket *);

/*
 * The gemtext page of the query's matches in the buckets (NULL ones are
 * empty), best first: pages with more of the words in their title, then
 * with more and closer matches (whole words over beginnings over parts
 * of words), then newest; each with up to two of its lines that match.
 * out->failed tells of a failed allocation.
 */
void	search_render(struct buf *, const struct search_query *,
	    struct search_bucket *const *, size_t);

#endif
