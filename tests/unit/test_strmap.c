/* test_strmap: the open-addressing string map, its growth and backward-shift deletion (src/strmap.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tap.h"

#define NKEYS	10000

static char	 keys[NKEYS][16];
static int	 present[NKEYS];

static void *
val(size_t i)
{
	return (void *)(uintptr_t)(i + 1);
}

/* The map's own hash, to aim keys at chosen slots. */
static uint64_t
fnv1a(const char *s)
{
	return strmap_hash(s);
}

/*
 * Every key must be reachable: no empty slot between its home slot and
 * where it sits, and the count must match.
 */
static int
invariant(const struct strmap *m)
{
	size_t	 i, j, home, n = 0;

	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		n++;
		home = (size_t)fnv1a(m->keys[i]) & (m->cap - 1);
		for (j = home; j != i; j = (j + 1) & (m->cap - 1))
			if (m->keys[j] == NULL)
				return 0;
	}
	return n == m->len;
}

/* Every key in keys[0..n) is found exactly when present[] says so. */
static int
all_consistent(const struct strmap *m, size_t n)
{
	size_t	 i;
	void	*v;

	for (i = 0; i < n; i++) {
		v = strmap_get(m, keys[i]);
		if (present[i] ? v != val(i) : v != NULL) {
			fprintf(stderr, "#   key %s: got %p, present %d\n",
			    keys[i], v, present[i]);
			return 0;
		}
	}
	return 1;
}

static void
test_empty(void)
{
	struct strmap	 m;

	strmap_init(&m);
	ok(m.cap == 0 && m.len == 0 && m.keys == NULL, "init: empty");
	ok(strmap_get(&m, "a") == NULL, "get on an empty map");
	ok(strmap_get(&m, "") == NULL, "get '' on an empty map");
	ok(strmap_del(&m, "a") == NULL, "del on an empty map");
	strmap_free(&m);
	ok(m.cap == 0 && m.keys == NULL, "free of an empty map");
	strmap_free(&m);
	ok(1, "double free of an empty map is harmless");
}

static void
test_basic(void)
{
	struct strmap	 m;
	char		 copy[] = "alpha";
	int		 x, y, z;

	strmap_init(&m);
	is_int(strmap_put(&m, "alpha", &x), 0, "put alpha");
	is_int(m.len, 1, "len 1");
	ok(m.cap >= 2 && (m.cap & (m.cap - 1)) == 0, "cap is a power of two");
	ok(strmap_get(&m, "alpha") == &x, "get alpha");
	ok(strmap_get(&m, copy) == &x, "get with an equal key at another address");
	ok(strmap_get(&m, "beta") == NULL, "get missing key");
	ok(strmap_get(&m, "alph") == NULL, "prefix is not the key");
	ok(strmap_get(&m, "alphab") == NULL, "longer key is not the key");

	is_int(strmap_put(&m, "beta", &y), 0, "put beta");
	is_int(strmap_put(&m, "", &z), 0, "put empty key");
	is_int(m.len, 3, "len 3");
	ok(strmap_get(&m, "") == &z, "get empty key");

	is_int(strmap_put(&m, copy, &y), 0, "replace alpha");
	is_int(m.len, 3, "replace keeps len");
	ok(strmap_get(&m, "alpha") == &y, "replaced value");

	ok(strmap_del(&m, "alpha") == &y, "del returns the value");
	is_int(m.len, 2, "len 2 after del");
	ok(strmap_get(&m, "alpha") == NULL, "deleted key gone");
	ok(strmap_del(&m, "alpha") == NULL, "second del returns NULL");
	ok(strmap_del(&m, "gamma") == NULL, "del of a missing key");
	is_int(m.len, 2, "len unchanged by failed del");
	ok(strmap_get(&m, "beta") == &y && strmap_get(&m, "") == &z,
	    "other keys kept");
	is_int(strmap_put(&m, "alpha", &x), 0, "put alpha again");
	ok(strmap_get(&m, "alpha") == &x, "alpha back");
	ok(invariant(&m), "probe invariant holds");
	strmap_free(&m);
	ok(m.keys == NULL && m.cap == 0 && m.len == 0, "free resets");
}

/* Simple deterministic generator, so failures reproduce. */
static uint32_t	 rng_state = 12345;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void
test_many(void)
{
	struct strmap	 m;
	size_t		 i, k, live = 0, expect;
	int		 failed_put = 0, bad_del = 0, consistent = 1;

	for (i = 0; i < NKEYS; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%zu", i);
		present[i] = 0;
	}
	strmap_init(&m);
	/* Inserts with deletions interleaved. */
	for (i = 0; i < NKEYS; i++) {
		if (strmap_put(&m, keys[i], val(i)) != 0)
			failed_put++;
		present[i] = 1;
		live++;
		if (i % 3 == 2) {
			k = rng() % (i + 1);
			if (strmap_del(&m, keys[k]) != (present[k] ? val(k) :
			    NULL))
				bad_del++;
			if (present[k])
				live--;
			present[k] = 0;
		}
	}
	is_int(failed_put, 0, "10000 puts succeed");
	is_int(bad_del, 0, "interleaved dels return the right values");
	is_int(m.len, live, "len matches the live count");
	ok(all_consistent(&m, NKEYS), "after interleaving: every key right");
	ok(invariant(&m), "after interleaving: probe invariant holds");
	ok(m.len * 4 <= m.cap * 3, "load factor at most 3/4");

	/* Random deletions, checking everything as it shrinks. */
	for (i = 0; i < NKEYS / 2; i++) {
		k = rng() % NKEYS;
		expect = present[k];
		if ((strmap_del(&m, keys[k]) != NULL) != (expect != 0))
			bad_del++;
		if (present[k])
			live--;
		present[k] = 0;
		if (i % 500 == 0 && !all_consistent(&m, NKEYS))
			consistent = 0;
	}
	is_int(bad_del, 0, "random dels agree with the reference");
	ok(consistent, "consistent throughout random deletions");
	is_int(m.len, live, "len after random deletions");
	ok(invariant(&m), "after random deletions: probe invariant holds");

	/* Put everything back, then take everything out in order. */
	for (i = 0; i < NKEYS; i++) {
		strmap_put(&m, keys[i], val(i));
		present[i] = 1;
	}
	is_int(m.len, NKEYS, "all keys back");
	ok(all_consistent(&m, NKEYS), "all keys found");
	for (i = 0; i < NKEYS; i++) {
		if (strmap_del(&m, keys[i]) != val(i))
			bad_del++;
		present[i] = 0;
		if (i % 1000 == 999 && !all_consistent(&m, NKEYS))
			consistent = 0;
	}
	is_int(bad_del, 0, "deleting all in order returns every value");
	ok(consistent, "consistent while deleting all");
	is_int(m.len, 0, "empty after deleting all");
	ok(invariant(&m), "empty map: invariant holds");
	strmap_free(&m);
}

/*
 * Keys aimed at the last slots of a 16-slot table, so that probe chains
 * wrap around the end: the hard case for backward-shift deletion.
 */
static void
test_wraparound(void)
{
	static char	 pool[11][16];
	static const size_t homes[11] = { 13, 14, 15, 15, 15, 0, 0, 1, 14, 15,
			    2 };
	struct strmap	 m;
	int		 in[11] = { 0 };
	size_t		 i, k, found = 0, n;
	int		 bad = 0, inv = 1;
	char		 cand[16];

	for (i = 0; i < 11; i++) {
		for (n = 0; ; n++) {
			snprintf(cand, sizeof(cand), "w%zu", n);
			if ((fnv1a(cand) & 15) != homes[i])
				continue;
			for (k = 0; k < i; k++)
				if (strcmp(pool[k], cand) == 0)
					break;
			if (k == i)
				break;
		}
		memcpy(pool[i], cand, sizeof(cand));
		found++;
	}
	is_int(found, 11, "eleven keys aimed around the wrap");

	strmap_init(&m);
	for (i = 0; i < 11; i++) {
		strmap_put(&m, pool[i], pool[i]);
		in[i] = 1;
	}
	is_int(m.cap, 16, "eleven keys fit a 16-slot table");
	ok(invariant(&m), "full clustered table: invariant holds");
	for (i = 0; i < 11; i++)
		if (strmap_get(&m, pool[i]) != pool[i])
			bad++;
	is_int(bad, 0, "every clustered key found");

	/* Many random operations on the small table against a reference. */
	for (n = 0; n < 200000; n++) {
		k = rng() % 11;
		if (rng() % 2) {
			strmap_put(&m, pool[k], pool[k]);
			in[k] = 1;
		} else {
			if (strmap_del(&m, pool[k]) != (in[k] ? pool[k] : NULL))
				bad++;
			in[k] = 0;
		}
		for (i = 0; i < 11; i++)
			if (strmap_get(&m, pool[i]) != (in[i] ? pool[i] : NULL))
				bad++;
		if (!invariant(&m))
			inv = 0;
	}
	is_int(bad, 0, "200000 random put/del on a wrapping cluster agree");
	ok(inv, "invariant held after every operation");
	is_int(m.cap, 16, "table never grew");
	strmap_free(&m);
}

int
main(void)
{
	test_empty();
	test_basic();
	test_many();
	test_wraparound();
	return done_testing();
}
