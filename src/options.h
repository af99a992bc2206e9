/* options: the one table of settings, used by the command line and the configuration file alike, each value checked once (no I/O). */
#ifndef ALMANAC_OPTIONS_H
#define ALMANAC_OPTIONS_H

#include <stddef.h>

struct config;
struct host;
struct rules;

/* Where a setting may stand: a set of these. */
#define OPT_GLOBAL	1
#define OPT_SERVER	2
#define OPT_LOCATION	4

/* What a setter works on, and where its error goes. */
struct options_ctx {
	struct config	*cfg;
	struct host	*host;		/* the server block, or the first host */
	struct rules	*rules;		/* the host's or a location's */
	int		 from_cli;	/* the command line, over the file */
	int		 cli_listen;	/* --listen given: the file's are dropped */
	int		 cli_hostname;	/* --hostname given */
	const char	*name;		/* of the option being set */
	char		*err;		/* the reason, without file or line */
	size_t		 errsz;
};

struct options_spec {
	const char	*name;		/* in the file, words separated by one space; NULL: command line only */
	const char	*cli;		/* --cli, or NULL: file only */
	int		 shortopt;	/* -x, or 0 */
	int		 scope;
	size_t		 nmin, nmax;	/* values it takes */
	int		 number;	/* written as bare digits in the file */
	const char	*flag_value;	/* a command-line flag without argument sets this */
	int		(*set)(struct options_ctx *, const char *const *, size_t);
	const char	*help;		/* "ARG  what it does", for --help */
};

/* Every option, for the command line's getopt table and for --help. */
const struct options_spec	*options_all(size_t *);
/*
 * The option whose name's words are the first of words[0..n), the one with
 * the most words; '*used' tells how many.  NULL when none is.
 */
const struct options_spec	*options_find(const char *const *, size_t,
				    size_t *);
/* Sets the option from its values: 0, or -1 with ctx->err filled in. */
int	options_set(struct options_ctx *, const struct options_spec *,
	    const char *const *, size_t);
/*
 * A listen address: "host:port", "[v6]:port", "*:port" or ":port" ("" is
 * every address), port 0-65535 as digits.  0, or -1 when malformed.
 */
int	options_split_listen(const char *, char *, size_t, char *, size_t);
/* A name for certificates and URLs: a DNS name or an IP address. */
int	options_valid_hostname(const char *);
/*
 * A new server's name ('what' says which, for the error): valid, and used
 * by no host yet.  0, or -1 with ctx->err filled in.
 */
int	options_new_name(struct options_ctx *, const char *, const char *);

#endif
