/* route_stub: weak stand-in for route_find_host (src/route.c), so fuzz_conffile links without route.c's catalog, MIME and log. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "route.h"

/* Weak: a real route_find_host linked in (say, moved to config.c) wins. */
int	route_find_host(const struct config *, const char *, size_t)
	    __attribute__((weak));

/* As route.c: host names compare without case and without a final dot. */
static int
same_name(const char *a, size_t alen, const char *b)
{
	size_t	 blen = strlen(b);

	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

int
route_find_host(const struct config *cfg, const char *name, size_t len)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		if (same_name(name, len, h->name))
			return (int)i;
		for (j = 0; j < h->naliases; j++)
			if (same_name(name, len, h->aliases[j]))
				return (int)i;
	}
	return -1;
}
