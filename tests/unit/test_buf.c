/* test_buf: the growable byte buffer: append, printf, growth, steal and failure (src/buf.c). */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static void	vwrap(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Reaches buf_vprintf the way a logger would. */
static void
vwrap(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* A long string of distinct characters: "0123456789abc...". */
static char *
pattern(size_t n)
{
	static const char	 alnum[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char			*s = malloc(n + 1);
	size_t			 i;

	for (i = 0; i < n; i++)
		s[i] = alnum[i % (sizeof(alnum) - 1)];
	s[n] = '\0';
	return s;
}

static int
terminated(const struct buf *b)
{
	return b->data != NULL && b->cap > b->len && b->data[b->len] == '\0';
}

static void
test_append(void)
{
	struct buf	 b;
	char		*big;
	size_t		 i;
	int		 same = 1;

	buf_init(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed,
	    "init: empty");
	buf_puts(&b, "hello");
	is_mem(b.data, b.len, "hello", "puts");
	ok(terminated(&b), "puts: NUL-terminated");
	buf_putc(&b, ',');
	buf_putc(&b, ' ');
	buf_append(&b, "world!!!", 5);
	is_str(b.data, "hello, world", "putc and append");
	is_int(b.len, 12, "length 12");
	buf_append(&b, "", 0);
	is_int(b.len, 12, "empty append keeps length");
	buf_append(&b, "a\0b", 3);
	is_int(b.len, 15, "embedded NUL counted");
	ok(memcmp(b.data + 12, "a\0b", 4) == 0, "embedded NUL kept, then NUL");

	/* Growth well past the initial capacity, byte by byte. */
	buf_reset(&b);
	is_int(b.len, 0, "reset: length 0");
	ok(b.data != NULL && b.cap >= 256, "reset keeps the storage");
	big = pattern(5000);
	for (i = 0; i < 5000; i++)
		buf_putc(&b, big[i]);
	is_int(b.len, 5000, "5000 putc");
	ok(b.cap > 5000, "capacity grew past 5000");
	ok((b.cap & (b.cap - 1)) == 0, "capacity stays a power of two");
	is_mem(b.data, b.len, big, "5000 putc content");
	ok(terminated(&b), "5000 putc: NUL-terminated");
	for (i = 0; i < 5000; i++)
		if (b.data[i] != big[i])
			same = 0;
	ok(same, "every byte in place");

	buf_reset(&b);
	buf_append(&b, big, 300);
	ok(b.len == 300 && memcmp(b.data, big, 300) == 0,
	    "one append of 300 bytes past 256");
	buf_append(&b, big, 5000);
	ok(b.len == 5300 && memcmp(b.data + 300, big, 5000) == 0 &&
	    memcmp(b.data, big, 300) == 0, "append of 5000 keeps the first 300");
	ok(terminated(&b), "big appends: NUL-terminated");
	free(big);
	buf_free(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "free resets");

	buf_init(&b);
	buf_append(&b, "", 0);
	ok(b.data != NULL && b.len == 0 && b.data[0] == '\0',
	    "empty append on a new buffer gives an empty string");
	buf_free(&b);
}

static void
test_printf(void)
{
	struct buf	 b;
	char		*s300, *s100, *s5000, *want;

	buf_init(&b);
	buf_printf(&b, "%d-%s-%c", 42, "x", 'y');
	is_str(b.data, "42-x-y", "printf small");
	is_int(b.len, 6, "printf small length");
	buf_printf(&b, "%s", "");
	is_int(b.len, 6, "printf of '' adds nothing");
	buf_printf(&b, "|%05.1f|", 3.14159);
	is_str(b.data, "42-x-y|003.1|", "printf appends");

	s100 = pattern(100);
	s300 = pattern(300);
	s5000 = pattern(5000);
	buf_reset(&b);
	buf_printf(&b, "<%s>", s100);
	ok(b.len == 102 && b.data[0] == '<' && b.data[101] == '>' &&
	    memcmp(b.data + 1, s100, 100) == 0, "printf of 100 bytes (> 64)");
	ok(terminated(&b), "printf 100: NUL-terminated");

	buf_reset(&b);
	buf_printf(&b, "%s", s300);
	is_mem(b.data, b.len, s300, "printf of 300 bytes (> 256)");
	ok(terminated(&b), "printf 300: NUL-terminated");

	buf_free(&b);
	buf_init(&b);
	buf_printf(&b, "%s", s300);
	is_mem(b.data, b.len, s300, "printf of 300 bytes into a new buffer");

	/* A printf that starts just short of the end of the storage. */
	buf_free(&b);
	buf_init(&b);
	buf_append(&b, s300, 250);
	buf_printf(&b, "[%s]", s100);
	want = malloc(250 + 102 + 1);
	memcpy(want, s300, 250);
	want[250] = '[';
	memcpy(want + 251, s100, 100);
	strcpy(want + 351, "]");
	is_mem(b.data, b.len, want, "printf across the capacity boundary");
	free(want);

	buf_reset(&b);
	buf_puts(&b, "head:");
	buf_printf(&b, "%s|%zu", s5000, (size_t)5000);
	ok(b.len == 5 + 5000 + 5 && memcmp(b.data, "head:", 5) == 0 &&
	    memcmp(b.data + 5, s5000, 5000) == 0 &&
	    strcmp(b.data + 5005, "|5000") == 0, "printf of 5000 bytes");
	ok(terminated(&b), "printf 5000: NUL-terminated");

	buf_reset(&b);
	vwrap(&b, "%s/%s", s100, s300);
	ok(b.len == 401 && memcmp(b.data, s100, 100) == 0 &&
	    b.data[100] == '/' && memcmp(b.data + 101, s300, 300) == 0,
	    "buf_vprintf through a va_list, long");
	buf_free(&b);
	free(s100);
	free(s300);
	free(s5000);
}

static void
test_steal(void)
{
	struct buf	 b;
	char		*p;
	size_t		 len = 99;

	buf_init(&b);
	buf_puts(&b, "stolen bytes");
	p = buf_steal(&b, &len);
	is_str(p, "stolen bytes", "steal returns the data");
	is_int(len, 12, "steal reports the length");
	ok(p != NULL && p[12] == '\0', "steal: NUL-terminated");
	ok(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed,
	    "steal resets the buffer");
	buf_puts(&b, "again");
	is_str(b.data, "again", "buffer usable after steal");
	ok(b.data != p, "new storage after steal");
	free(p);

	p = buf_steal(&b, NULL);
	is_str(p, "again", "steal with NULL length");
	free(p);

	/* BUG: buf_steal's promise of a NUL-terminated result is broken here. */
	buf_init(&b);
	p = buf_steal(&b, &len);
	ok(p != NULL && p[0] == '\0', "steal of an empty buffer gives \"\"");
	is_int(len, 0, "steal of an empty buffer: length 0");
	free(p);

	buf_init(&b);
	buf_puts(&b, "old text");
	buf_reset(&b);
	p = buf_steal(&b, &len);
	is_int(len, 0, "steal after reset: length 0");
	is_str(p, "", "steal after reset gives \"\", not the old text");
	free(p);
	buf_free(&b);
}

static void
test_failure(void)
{
	struct buf	 b;
	size_t		 len = 7;
	char		*p;

	buf_init(&b);
	buf_puts(&b, "ok");
	is_int(buf_reserve(&b, SIZE_MAX), -1, "impossible reserve fails");
	ok(b.failed, "failed flag set");
	buf_puts(&b, "more");
	buf_printf(&b, "%d", 5);
	buf_putc(&b, 'x');
	is_int(b.len, 2, "appends after failure are no-ops");
	is_int(buf_reserve(&b, 1), -1, "reserve after failure fails");
	p = buf_steal(&b, &len);
	ok(p == NULL, "steal after failure returns NULL");
	ok(b.data == NULL && b.len == 0 && !b.failed,
	    "steal after failure frees and resets");
	buf_puts(&b, "fresh");
	is_str(b.data, "fresh", "usable after a failed steal");

	buf_reset(&b);
	is_int(buf_reserve(&b, SIZE_MAX / 2), -1, "half of SIZE_MAX fails too");
	buf_reset(&b);
	ok(!b.failed, "reset clears the failed flag");
	buf_puts(&b, "back");
	is_str(b.data, "back", "appends work after reset");
	is_int(buf_reserve(&b, 1000), 0, "reserve 1000");
	ok(b.cap >= b.len + 1000 + 1, "reserve leaves room for 1000 and a NUL");
	buf_free(&b);
}

int
main(void)
{
	test_append();
	test_printf();
	test_steal();
	test_failure();
	return done_testing();
}
