/* tap.h: a tiny header-only TAP producer for the unit tests (ok, is_int, is_str, is_mem, done_testing). */
#ifndef ALMANAC_TAP_H
#define ALMANAC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	tap_count;	/* tests run so far */
static int	tap_failures;	/* of which failed */

/* Prints s[0..len) on one diagnostic line, escaping what is not printable. */
static inline void
tap_escaped(const char *label, const char *s, size_t len)
{
	size_t	 i;

	fprintf(stderr, "#   %8s: ", label);
	if (s == NULL) {
		fputs("(null)\n", stderr);
		return;
	}
	fputc('\'', stderr);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", stderr);
		else if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fprintf(stderr, "' (%zu bytes)\n", len);
}

static inline int	tap_vok(const char *, int, int, const char *, va_list)
			    __attribute__((format(printf, 4, 0)));

static inline int
tap_vok(const char *file, int line, int pass, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failures++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	if (!pass)
		fprintf(stderr, "#   Failed test %d at %s line %d.\n",
		    tap_count, file, line);
	return pass;
}

static inline int	tap_ok(const char *, int, int, const char *, ...)
			    __attribute__((format(printf, 4, 5)));

static inline int
tap_ok(const char *file, int line, int pass, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	tap_vok(file, line, pass, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int
tap_is_int(const char *file, int line, long long got, long long want,
    const char *name)
{
	if (tap_ok(file, line, got == want, "%s", name))
		return 1;
	fprintf(stderr, "#        got: %lld\n#   expected: %lld\n", got, want);
	return 0;
}

static inline int
tap_is_str(const char *file, int line, const char *got, const char *want,
    const char *name)
{
	int	 pass;

	if (got == NULL || want == NULL)
		pass = got == want;
	else
		pass = strcmp(got, want) == 0;
	if (tap_ok(file, line, pass, "%s", name))
		return 1;
	tap_escaped("got", got, got ? strlen(got) : 0);
	tap_escaped("expected", want, want ? strlen(want) : 0);
	return 0;
}

/* got[0..gotlen) against the NUL-terminated 'want'. */
static inline int
tap_is_mem(const char *file, int line, const void *got, size_t gotlen,
    const char *want, const char *name)
{
	int	 pass;

	if (got == NULL || want == NULL)
		pass = got == NULL && want == NULL;
	else
		pass = gotlen == strlen(want) &&
		    memcmp(got, want, gotlen) == 0;
	if (tap_ok(file, line, pass, "%s", name))
		return 1;
	tap_escaped("got", got, gotlen);
	tap_escaped("expected", want, want ? strlen(want) : 0);
	return 0;
}

/* Prints the plan; the value is the exit status for main. */
static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failures > 0)
		fprintf(stderr, "# Looks like you failed %d test%s of %d.\n",
		    tap_failures, tap_failures == 1 ? "" : "s", tap_count);
	fflush(stdout);
	return tap_failures > 0 ? 1 : 0;
}

#define ok(cond, ...)	tap_ok(__FILE__, __LINE__, (cond) ? 1 : 0, __VA_ARGS__)
#define is_int(got, want, name) \
	tap_is_int(__FILE__, __LINE__, (long long)(got), (long long)(want), (name))
#define is_str(got, want, name) \
	tap_is_str(__FILE__, __LINE__, (got), (want), (name))
#define is_mem(got, gotlen, want, name) \
	tap_is_mem(__FILE__, __LINE__, (got), (gotlen), (want), (name))

#endif
