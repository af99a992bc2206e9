/* quota: per-address connection counts and request rates, shared by the workers. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "quota.h"
#include "strmap.h"

/*
 * A token bucket per address: 'tokens' (in thousandths) refill at 'rate'
 * per second up to one second's worth, and each connection takes one.
 */
struct client {
	char		*addr;
	int		 open;
	int64_t		 tokens;
	uint64_t	 refilled;
};

#define SWEEP_AT	4096	/* addresses remembered before a clean-up */

struct quota {
	pthread_mutex_t	 lock;
	struct strmap	 clients;
	size_t		 sweep_at;
	/* Changed under the lock; read without it to skip it when unlimited. */
	atomic_int	 max_open;
	atomic_int	 rate;
};

void
quota_set(struct quota *l, int max_open, int rate)
{
	pthread_mutex_lock(&l->lock);
	l->max_open = max_open;
	l->rate = rate;
	pthread_mutex_unlock(&l->lock);
}

struct quota *
quota_new(int max_open, int rate)
{
	struct quota	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		free(l);
		return NULL;
	}
	strmap_init(&l->clients);
	l->sweep_at = SWEEP_AT;
	l->max_open = max_open;
	l->rate = rate;
	return l;
}

void
quota_free(struct quota *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->clients.cap; i++) {
		struct client *c = l->clients.vals[i];
		if (l->clients.keys[i] == NULL)
			continue;
		free(c->addr);
		free(c);
	}
	strmap_free(&l->clients);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static void
refill(const struct quota *l, struct client *c, uint64_t now)
{
	int64_t	 full = (int64_t)l->rate * 1000;

	c->tokens += (int64_t)(now - c->refilled) * l->rate;
	if (c->tokens > full)
		c->tokens = full;
	c->refilled = now;
}

/* An address with nothing open and a full bucket need not be remembered. */
static void
forget_if_idle(struct quota *l, struct client *c, uint64_t now)
{
	if (c->open > 0)
		return;
	if (l->rate > 0) {
		refill(l, c, now);
		if (c->tokens < (int64_t)l->rate * 1000)
			return;
	}
	strmap_del(&l->clients, c->addr);
	free(c->addr);
	free(c);
}

/* Without it, a stream of distinct addresses would grow the table for ever. */
static void
sweep(struct quota *l, uint64_t now)
{
	struct client	**idle;
	size_t		  i, n = 0;

	if (l->clients.len < l->sweep_at ||
	    (idle = calloc(l->clients.len, sizeof(*idle))) == NULL)
		return;
	for (i = 0; i < l->clients.cap; i++) {
		struct client *c = l->clients.vals[i];
		if (l->clients.keys[i] == NULL || c->open > 0)
			continue;
		if (l->rate > 0)
			refill(l, c, now);
		if (l->rate == 0 || c->tokens >= (int64_t)l->rate * 1000)
			idle[n++] = c;
	}
	for (i = 0; i < n; i++)
		forget_if_idle(l, idle[i], now);
	free(idle);
	/* Busy addresses stay: wait until the table doubles to look again. */
	l->sweep_at = l->clients.len * 2 > SWEEP_AT ? l->clients.len * 2 :
	    SWEEP_AT;
}

static struct client *
lookup(struct quota *l, const char *addr, uint64_t now)
{
	struct client	*c;

	if ((c = strmap_get(&l->clients, addr)) != NULL)
		return c;
	sweep(l, now);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->addr = strdup(addr)) == NULL ||
	    strmap_put(&l->clients, c->addr, c) == -1) {
		if (c != NULL)
			free(c->addr);
		free(c);
		return NULL;
	}
	c->tokens = (int64_t)l->rate * 1000;
	c->refilled = now;
	return c;
}

int
quota_admit(struct quota *l, const char *addr, uint64_t now, int *counted)
{
	struct client	*c;
	int		 wait = 0;

	*counted = 0;
	if (l->max_open == 0 && l->rate == 0)
		return 0;
	pthread_mutex_lock(&l->lock);
	/* Out of memory (no entry) sheds load like a full address. */
	if ((c = lookup(l, addr, now)) == NULL ||
	    (l->max_open > 0 && c->open >= l->max_open))
		wait = 1;
	else if (l->rate > 0) {
		refill(l, c, now);
		if (c->tokens < 1000)
			wait = (int)((1000 - c->tokens) / l->rate / 1000) + 1;
		else
			c->tokens -= 1000;
	}
	if (c != NULL && wait == 0) {
		c->open++;
		*counted = 1;
	} else if (c != NULL)
		forget_if_idle(l, c, now);
	pthread_mutex_unlock(&l->lock);
	return wait;
}

/*
 * Whatever the limits are now: with them switched off since, skipping
 * this would leave the address counted for ever.
 */
void
quota_release(struct quota *l, const char *addr, uint64_t now)
{
	struct client	*c;

	pthread_mutex_lock(&l->lock);
	if ((c = strmap_get(&l->clients, addr)) != NULL) {
		c->open--;
		forget_if_idle(l, c, now);
	}
	pthread_mutex_unlock(&l->lock);
}
