/* check: what almanac -n finds: whether start-up will have what it needs, and what each host serves. */
#ifndef ALMANAC_CHECK_H
#define ALMANAC_CHECK_H

#include <stdio.h>

struct config;

/*
 * Looks at every path start-up needs (roots, certificates or where they
 * will be made, the log's directory, allow-list files) and prints, per
 * host, its URL, root, certificate source and fingerprints, and its
 * locations.  0 when start-up would find everything, else -1 after
 * printing each reason to 'err'.
 */
int	check_config(const struct config *, FILE *out, FILE *err);

#endif
