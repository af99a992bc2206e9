/* quota: per-address connection counts and request rates, shared by the workers. */
#ifndef ALMANAC_QUOTA_H
#define ALMANAC_QUOTA_H

#include <stdint.h>

struct quota;

/* max_per_addr and rate_per_addr of 0 mean no limit. */
struct quota	*quota_new(int, int);
void		 quota_free(struct quota *);
/* New limits (SIGHUP), for connections admitted from now on. */
void		 quota_set(struct quota *, int, int);
/*
 * Admits one more connection from 'addr' (a printable address) at time
 * 'now_ms': returns 0, or the seconds the client should wait (for a 44).
 * *counted says whether the connection was counted against its address:
 * if so, and only then, it is released with quota_release when it closes,
 * whatever the limits are by then.
 */
int		 quota_admit(struct quota *, const char *, uint64_t, int *);
void		 quota_release(struct quota *, const char *, uint64_t);

#endif
