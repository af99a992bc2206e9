/* timer: a worker's deadlines, one list per class, each kept in order because a class shares one duration. */
#include <stddef.h>
#include <time.h>

#include "timer.h"

/*
 * A timer keeps when it was set, not its deadline, which its owner takes
 * from the class's duration as it is now: all the members of a class
 * share one duration, so appending keeps each list sorted by deadline,
 * and a timeout changed by SIGHUP applies at once to those waiting.
 */

uint64_t
timer_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
timer_unlink(struct timer_lists *l, struct timer *t)
{
	if (!t->linked)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		l->head[t->cls] = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		l->tail[t->cls] = t->prev;
	t->prev = t->next = NULL;
	t->linked = 0;
}

void
timer_set(struct timer_lists *l, struct timer *t, enum timer_class cls,
    uint64_t since)
{
	timer_unlink(l, t);
	t->cls = cls;
	t->since = since;
	t->prev = l->tail[cls];
	t->next = NULL;
	if (l->tail[cls])
		l->tail[cls]->next = t;
	else
		l->head[cls] = t;
	l->tail[cls] = t;
	t->linked = 1;
}

struct timer *
timer_first(const struct timer_lists *l, enum timer_class cls)
{
	return l->head[cls];
}
