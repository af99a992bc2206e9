/* limits: per-address connection counts and request rates, shared by the workers. */
#ifndef ALMANAC_LIMITS_H
#define ALMANAC_LIMITS_H

#include <stdint.h>

struct limits;

/* max_per_addr and rate_per_addr of 0 mean no limit. */
struct limits	*limits_new(int, int);
void		 limits_free(struct limits *);
/*
 * Admits one more connection from 'addr' (a printable address) at time
 * 'now_ms': returns 0, or the seconds the client should wait (for a 44).
 * An admitted connection is released with limits_release.
 */
int		 limits_admit(struct limits *, const char *, uint64_t);
void		 limits_release(struct limits *, const char *, uint64_t);

#endif
