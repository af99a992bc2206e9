/* fileline: the "file:line: why" message a parser leaves for its caller (no I/O). */
#ifndef ALMANAC_FILELINE_H
#define ALMANAC_FILELINE_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Writes "name:line: " and the formatted reason into err[0..errsz),
 * cut to fit.  Returns -1, for a parser to pass on.
 */
int	fileline_vfail(char *, size_t, const char *, int, const char *,
	    va_list) __attribute__((format(printf, 5, 0)));

#endif
