/* location: the rules that apply to a path: the first location whose pattern matches, over its server block's. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "location.h"

static const struct location *
find(const struct host *h, const char *path)
{
	size_t	 i;

	for (i = 0; i < h->nlocations; i++)
		if (fnmatch(h->locations[i].pattern, path, 0) == 0)
			return &h->locations[i];
	return NULL;
}

static const char *
either(const char *mine, const char *theirs)
{
	return mine != NULL ? mine : theirs;
}

static int
either_int(int mine, int theirs)
{
	return mine != -1 ? mine : theirs;
}

static const struct fastcgi_app *
either_app(const struct fastcgi_app *mine, const struct fastcgi_app *theirs)
{
	return mine != NULL ? mine : theirs;
}

void
location_rules(const struct host *h, const char *path, struct path_rules *pr)
{
	const struct location	*l = find(h, path);
	const struct rules	*s = &h->r, *r = l != NULL ? &l->r : &h->r;

	pr->location = l;
	pr->lang = either(r->lang, s->lang);
	pr->default_type = either(r->default_type, s->default_type);
	pr->index = either(r->index, s->index);
	pr->auto_index = either_int(r->auto_index, s->auto_index);
	pr->block_code = r->block_code != 0 ? r->block_code : s->block_code;
	pr->block_meta = r->block_code != 0 ? r->block_meta : s->block_meta;
	pr->allow = r->nallow > 0 || r->nallow_files > 0 ? r : s;
	pr->proxy = r->proxy.relay_to != NULL ? &r->proxy :
	    s->proxy.relay_to != NULL ? &s->proxy : NULL;
	pr->require_cert = either_int(r->require_cert, s->require_cert) ||
	    pr->allow->nallow > 0 || pr->allow->nallow_files > 0;
	pr->fastcgi = r->fastcgi_off ? NULL : either_app(r->fastcgi,
	    s->fastcgi);
	pr->titan = either_int(r->titan, s->titan);
	pr->titan_tokens = r->ntitan_tokens > 0 ? r : s;
	pr->titan_max_size = r->titan_max_size != -1 ? r->titan_max_size :
	    s->titan_max_size;
}

int
location_is_private(const struct host *h, const char *path)
{
	struct path_rules	 pr;

	location_rules(h, path, &pr);
	return pr.require_cert || pr.block_code != 0 || pr.fastcgi != NULL;
}

/* Appends s[0..len) to out[*n..outsz - 1). */
static void
put(char *out, size_t outsz, size_t *n, const char *s, size_t len)
{
	size_t	 room = outsz - 1 - *n;

	if (len > room)
		len = room;
	memcpy(out + *n, s, len);
	*n += len;
}

void
location_expand(const char *fmt, const struct location_vars *v, char *out,
    size_t outsz)
{
	char	 port[16];
	size_t	 n = 0;

	if (outsz == 0)
		return;
	for (; *fmt != '\0'; fmt++) {
		if (fmt[0] != '%' || fmt[1] == '\0') {
			put(out, outsz, &n, fmt, 1);
			continue;
		}
		switch (*++fmt) {
		case 'p':
			put(out, outsz, &n, v->path, v->path_len);
			break;
		case 'q':
			if (v->query != NULL)
				put(out, outsz, &n, v->query, v->query_len);
			break;
		case 'P':
			snprintf(port, sizeof(port), "%d", v->port);
			put(out, outsz, &n, port, strlen(port));
			break;
		case 'N':
			put(out, outsz, &n, v->server, strlen(v->server));
			break;
		case '%':
			put(out, outsz, &n, "%", 1);
			break;
		default:	/* not an escape: sent as written */
			put(out, outsz, &n, fmt - 1, 2);
		}
	}
	out[n] = '\0';
}
