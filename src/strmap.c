/* strmap: an open-addressing hash map from C strings to pointers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* FNV-1a: short keys, no adversary able to choose many colliding paths cheaply. */
static uint64_t
hash(const char *s)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	strmap_init(m);
}

static size_t
find_slot(const struct strmap *m, const char *key)
{
	size_t	 i = (size_t)hash(key) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t	 i;

	if (m->cap == 0)
		return NULL;
	i = find_slot(m, key);
	return m->keys[i] != NULL ? m->vals[i] : NULL;
}

static int
grow(struct strmap *m)
{
	struct strmap	 n;
	size_t		 i, j;

	n.cap = m->cap ? m->cap * 2 : 16;
	n.len = m->len;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		j = find_slot(&n, m->keys[i]);
		n.keys[j] = m->keys[i];
		n.vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

int
strmap_put(struct strmap *m, const char *key, void *val)
{
	size_t	 i;

	if ((m->len + 1) * 4 > m->cap * 3 && grow(m) == -1)
		return -1;
	i = find_slot(m, key);
	if (m->keys[i] == NULL)
		m->len++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
void *
strmap_del(struct strmap *m, const char *key)
{
	size_t	 i, j, home;
	void	*val;

	if (m->cap == 0)
		return NULL;
	i = find_slot(m, key);
	if (m->keys[i] == NULL)
		return NULL;
	val = m->vals[i];
	m->keys[i] = NULL;
	m->len--;
	for (j = (i + 1) & (m->cap - 1); m->keys[j] != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		home = (size_t)hash(m->keys[j]) & (m->cap - 1);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->keys[j] = NULL;
			i = j;
		}
	}
	return val;
}
