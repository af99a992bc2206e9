/* buf: a growable byte buffer for building generated pages and log lines. */
#ifndef ALMANAC_BUF_H
#define ALMANAC_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A failed allocation sets 'failed' and turns later appends into no-ops,
 * so a renderer can append freely and check once at the end.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

void	buf_init(struct buf *);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);
int	buf_reserve(struct buf *, size_t);
void	buf_append(struct buf *, const void *, size_t);
void	buf_puts(struct buf *, const char *);
void	buf_putc(struct buf *, char);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Hands the bytes over to the caller (NUL-terminated) and resets b. */
char	*buf_steal(struct buf *, size_t *);

#endif
