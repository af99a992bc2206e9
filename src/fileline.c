/* fileline: the "file:line: why" message a parser leaves for its caller (no I/O). */
#include <stdio.h>

#include "fileline.h"

int
fileline_vfail(char *err, size_t errsz, const char *name, int line,
    const char *fmt, va_list ap)
{
	int	 n;

	if (errsz == 0)
		return -1;
	n = snprintf(err, errsz, "%s:%d: ", name, line);
	if (n >= 0 && (size_t)n < errsz)
		vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	return -1;
}
