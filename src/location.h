/* location: the rules that apply to a path: the first location whose pattern matches, over its server block's. */
#ifndef ALMANAC_LOCATION_H
#define ALMANAC_LOCATION_H

#include <stddef.h>

struct fastcgi_app;
struct host;
struct rules;

/* Every rule resolved for one path: nothing is unset here. */
struct path_rules {
	const struct location	*location;	/* the one that matched, or NULL */
	const char		*lang;
	const char		*default_type;	/* NULL: none */
	const char		*index;
	int			 auto_index;
	int			 block_code;	/* 0: not blocked */
	const char		*block_meta;
	int			 require_cert;
	const struct rules	*allow;		/* whose allow lists apply */
	const struct fastcgi_app *fastcgi;	/* answered by it, or NULL */
	const struct proxy_conf	*proxy;		/* relayed there, or NULL */
	int			 titan;		/* uploads accepted */
	const struct rules	*titan_tokens;	/* whose 'titan token' list applies */
	long long		 titan_max_size;
};

/* The values a block return META may name. */
struct location_vars {
	const char	*path;		/* %p: the request's path as sent */
	size_t		 path_len;
	const char	*query;		/* %q: its query, without '?' */
	size_t		 query_len;
	int		 port;		/* %P */
	const char	*server;	/* %N */
};

/*
 * The rules for 'path', decoded and normalised with its leading slash
 * ("/notes/a.gmi"): locations are tried in order, the first whose
 * pattern matches (fnmatch(3), '*' matching '/' too, as in gmid) applies,
 * and what it leaves unset comes from the server block.
 */
void	location_rules(const struct host *, const char *, struct path_rules *);
/*
 * 1 when a request for 'path' would need a client certificate, or is
 * blocked, or goes to a FastCGI application (its file is never served),
 * so that the page is kept out of what every client sees (index, feeds,
 * footers).
 */
int	location_is_private(const struct host *, const char *);
/* META with %p %q %P %N and %% expanded into out (NUL-terminated, cut to fit). */
void	location_expand(const char *, const struct location_vars *, char *,
	    size_t);

#endif
