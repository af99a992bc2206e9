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
/* Called about once a second: picks up a root that was removed and recreated. */
void		 watch_tick(struct watch *);

#endif
