/* conffile: read the configuration file into a struct config, with errors as "file:line: why". */
#include <stdio.h>

#include "conffile.h"
#include "config.h"

int
conffile_parse(const char *text, size_t len, const char *name,
    struct config *cfg, char *err, size_t errsz)
{
	(void)text; (void)len; (void)cfg;
	snprintf(err, errsz, "%s: configuration files are not read yet", name);
	return -1;
}

int
conffile_load(const char *path, struct config *cfg, char *err, size_t errsz)
{
	return conffile_parse("", 0, path, cfg, err, errsz);
}
