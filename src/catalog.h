/* catalog: the capsule's dated pages, kept current, and immutable snapshots of them. */
#ifndef ALMANAC_CATALOG_H
#define ALMANAC_CATALOG_H

#include <stddef.h>

#include "buf.h"

struct host;
struct search_query;

struct catalog_config {
	const struct host *host;	/* its locations keep private pages out */
	const char	*hostname;	/* for absolute URLs and the default title */
	int		 port;
	size_t		 feed_max;
	const char	*state_dir;	/* first-seen dates kept there, or NULL */
};

struct catalog;
struct snapshot;

/* Which served gemtext files end with navigation (a server block's 'navigation'). */
enum catalog_navigation {
	CATALOG_NAV_ON,		/* every one: the default */
	CATALOG_NAV_DATED,	/* only the pages of the chronicle */
	CATALOG_NAV_OFF		/* none: files are served as they are */
};

/* A piece of a generated page; a page is served as an array of them. */
struct segment {
	const char	*data;
	size_t		 len;
};

/*
 * The catalog is changed only by the thread that watches the capsule;
 * the serving threads read snapshots, which never change once published.
 */
struct catalog	*catalog_new(const struct catalog_config *);
/*
 * Around every change by another thread (a Titan upload that must be seen
 * before its answer) and by the watching thread's rounds: one at a time.
 */
void		 catalog_writer_lock(struct catalog *);
void		 catalog_writer_unlock(struct catalog *);
void		 catalog_free(struct catalog *);
/* CATALOG_NAV_ON unless set; in force from the next snapshot. */
void		 catalog_set_navigation(struct catalog *,
		    enum catalog_navigation);
/* Takes ownership of a directory descriptor for the root (-1: no root). */
void		 catalog_set_root(struct catalog *, int);
int		 catalog_root(const struct catalog *);
enum catalog_update {
	CATALOG_DONE,	/* the catalog holds what the file now says */
	CATALOG_BUSY,	/* a process has it open for writing: ask again later */
	CATALOG_RETRY	/* out of descriptors or memory: the old entry stays */
};

/*
 * Re-reads one file (path relative to the root); drops it if it no
 * longer qualifies.  A file still open for writing is left as it was.
 */
enum catalog_update catalog_file_changed(struct catalog *, const char *);
void		 catalog_file_removed(struct catalog *, const char *);
/* Drops every page under a directory ("a/b/"). */
void		 catalog_dir_removed(struct catalog *, const char *);
void		 catalog_clear(struct catalog *);
/*
 * Brackets a full scan: pages are sorted once at the end, not one by one.
 * A complete scan then drops the pages it did not see; an incomplete one
 * (a directory could not be read) drops nothing.
 */
void		 catalog_scan_begin(struct catalog *);
void		 catalog_scan_end(struct catalog *, int);
size_t		 catalog_count(const struct catalog *);
/*
 * Publishes a new snapshot if anything changed since the last one: 0, or
 * -1 when it could not be built (it is then built by a later call).
 */
int		 catalog_publish(struct catalog *);
/* 1 while a change waits to be published. */
int		 catalog_dirty(const struct catalog *);
/* Frees retired snapshots that no request holds any more. */
void		 catalog_reap(struct catalog *);
/*
 * Writes the log line for the rebuilds that were not logged one by one
 * (at most one line a second is): called at least once a second.
 */
void		 catalog_log_rebuilds(struct catalog *);

/* Thread-safe: a reference to the current snapshot, and its release. */
struct snapshot	*catalog_acquire(struct catalog *);
void		 snapshot_release(struct snapshot *);

int		 snapshot_rootfd(const struct snapshot *);
/*
 * The generated page at a normalised path ("" or "index.gmi", "feed.gmi",
 * "atom.xml", "timeline.gmi", "2013/"): 1 with its segments, or 0.
 */
int		 snapshot_generated(const struct snapshot *, const char *,
		    const struct segment **, size_t *);
/*
 * Appends the navigation that ends a served gemtext file: a page of the
 * chronicle gets its previous, next, year and index links, any other file
 * a link to the index (unless it ends with one, or is a directory's
 * index file).  1 when something was appended.
 */
int		 snapshot_footer(const struct snapshot *, const char *,
		    struct buf *);
/*
 * A listing of directory 'dir' ("" or "a/b/") from its entries' names
 * (directories end in '/'), with the titles and dates of its pages.
 */
void		 snapshot_listing(const struct snapshot *, const char *,
		    char *const *, size_t, struct buf *);
/* The /search page of a parsed query over the snapshot's public pages. */
void		 snapshot_search(const struct snapshot *,
		    const struct search_query *, struct buf *);

#endif
