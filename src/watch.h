/* watch: inotify events on the capsule turned into catalog updates. */
#ifndef ALMANAC_WATCH_H
#define ALMANAC_WATCH_H

struct catalog;
struct watch;

/* Scans the root into the catalog and starts watching it. */
struct watch	*watch_open(struct catalog *, const char *);
void		 watch_close(struct watch *);
/* The descriptor to poll for readability. */
int		 watch_fd(const struct watch *);
/* Applies every pending event, then publishes one new snapshot. */
void		 watch_process(struct watch *);
/*
 * Called at least every watch_wait_ms(): notices a root that was removed
 * or replaced (and one that comes back), takes in the files that were
 * still being written, and retries what failed for want of descriptors
 * or memory.
 */
void		 watch_tick(struct watch *);
int		 watch_wait_ms(const struct watch *);
/*
 * 1 when the root came back as a new directory this process cannot open
 * (the sandbox's rules name the old one): only a new process can serve it.
 */
int		 watch_root_unreachable(const struct watch *);

#endif
