/* watch: inotify events on the capsule, or what polling it finds, turned into catalog updates. */
#ifndef ALMANAC_WATCH_H
#define ALMANAC_WATCH_H

#include <stddef.h>

#include "config.h"

struct catalog;
struct watch;

/*
 * How a capsule at 'root' is watched, given what the configuration asks
 * (CONFIG_WATCH_AUTO: polling on a network or user-space file system):
 * 1 polling, 0 inotify; 'how' gets it in words for the log and almanac -n
 * ("on nfs: watched by polling every 2 s").
 */
int		 watch_plan(const char *, enum config_watch, int, char *,
		    size_t);
/* Scans the root into the catalog and starts watching it as planned. */
struct watch	*watch_open(struct catalog *, const char *, enum config_watch,
		    int);
void		 watch_close(struct watch *);
/* The descriptor to poll for readability; -1 when the capsule is polled. */
int		 watch_fd(const struct watch *);
/* Applies every pending event, then publishes one new snapshot. */
void		 watch_process(struct watch *);
/*
 * Called at least every watch_wait_ms(): polls a polled capsule when its
 * interval is up, notices a root that was removed
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
