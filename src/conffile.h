/* conffile: read the configuration file into a struct config, with errors as "file:line: why". */
#ifndef ALMANAC_CONFFILE_H
#define ALMANAC_CONFFILE_H

#include <stddef.h>

struct config;

/* Parses text[0..len) (no I/O); 'name' is used in error messages.  0 or -1. */
int	conffile_parse(const char *, size_t, const char *, struct config *,
	    char *, size_t);
/* Reads the file and parses it. */
int	conffile_load(const char *, struct config *, char *, size_t);

#endif
