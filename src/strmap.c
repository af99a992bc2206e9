/* strmap: an open-addressing hash map from C strings to pointers. */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/*
 * FNV-1a, then a 64-bit finaliser (MurmurHash3's fmix64): FNV's low bits,
 * which pick the slot, mix poorly for keys that differ in a few digits.
 */
uint64_t
strmap_hash(const char *s)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
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
	free(m->hashes);
	strmap_init(m);
}

static size_t
find_slot(const struct strmap *m, const char *key, uint64_t h)
{
	size_t	 i = (size_t)h & (m->cap - 1);

	while (m->keys[i] != NULL && (m->hashes[i] != h ||
	    strcmp(m->keys[i], key) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t	 i;

	if (m->cap == 0)
		return NULL;
	i = find_slot(m, key, strmap_hash(key));
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
	n.hashes = calloc(n.cap, sizeof(*n.hashes));
	if (n.keys == NULL || n.vals == NULL || n.hashes == NULL) {
		free(n.keys);
		free(n.vals);
		free(n.hashes);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		j = (size_t)m->hashes[i] & (n.cap - 1);
		while (n.keys[j] != NULL)
			j = (j + 1) & (n.cap - 1);
		n.keys[j] = m->keys[i];
		n.vals[j] = m->vals[i];
		n.hashes[j] = m->hashes[i];
	}
	free(m->keys);
	free(m->vals);
	free(m->hashes);
	m->keys = n.keys;
	m->vals = n.vals;
	m->hashes = n.hashes;
	m->cap = n.cap;
	return 0;
}

int
strmap_put(struct strmap *m, const char *key, void *val)
{
	uint64_t	 h = strmap_hash(key);
	size_t		 i;

	if ((m->len + 1) * 4 > m->cap * 3 && grow(m) == -1)
		return -1;
	i = find_slot(m, key, h);
	if (m->keys[i] == NULL)
		m->len++;
	m->keys[i] = key;
	m->vals[i] = val;
	m->hashes[i] = h;
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
	i = find_slot(m, key, strmap_hash(key));
	if (m->keys[i] == NULL)
		return NULL;
	val = m->vals[i];
	m->keys[i] = NULL;
	m->len--;
	for (j = (i + 1) & (m->cap - 1); m->keys[j] != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		home = (size_t)m->hashes[j] & (m->cap - 1);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->hashes[i] = m->hashes[j];
			m->keys[j] = NULL;
			i = j;
		}
	}
	return val;
}
