/* timer: a worker's deadlines, one list per class, each kept in order because a class shares one duration. */
#ifndef ALMANAC_TIMER_H
#define ALMANAC_TIMER_H

#include <stdint.h>

enum timer_class {
	T_REQUEST,	/* accepted, until the whole request line */
	T_REFUSED,	/* answered 44: a short deadline */
	T_WRITE,	/* answering, between two writes the client took */
	T_LINGER,	/* after close_notify, until the client closes */
	T_COUNT
};

/* Embedded in what it times; 'since' is when it was set. */
struct timer {
	struct timer		*prev, *next;
	enum timer_class	 cls;
	uint64_t		 since;
	int			 linked;
};

struct timer_lists {
	struct timer	*head[T_COUNT], *tail[T_COUNT];
};

/* Milliseconds of the monotonic clock. */
uint64_t	 timer_now(void);
/* Moves t to the end of its class's list, set at 'since'. */
void		 timer_set(struct timer_lists *, struct timer *,
		    enum timer_class, uint64_t);
void		 timer_unlink(struct timer_lists *, struct timer *);
/* The earliest of a class, or NULL. */
struct timer	*timer_first(const struct timer_lists *, enum timer_class);

#endif
