/* fuzz_render: libFuzzer harness for every render_* function (src/render.c) on pages derived from the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "meta.h"
#include "path.h"
#include "render.h"
#include "request.h"

#define CHECK(c)	do { if (!(c)) fail(#c, __LINE__); } while (0)
#define MAXPAGES	24
#define HEAD		200	/* bytes of a page read for its title, as HEAD_BYTES */
#define RS		'\x1e'	/* separates the records of the input */
#define ENC_MAX		(3 * PATH_MAX_LEN + 2)

/*
 * Input: records separated by RS.  The first is the site:
 * "feed_max\nhost\nintro text" (no second '\n': no intro.gmi).  Each
 * further record is a file: "path\nmtime\ngemtext".  Files are kept as
 * the catalog keeps them: those whose base name carries a date are the
 * chronicle, the others are pages outside it, each with how its text
 * ends (its last link, an open preformatted block, a missing line end).
 */
struct input {
	struct render_site	 site;
	char			*host, *base_url, *intro;
	char			 title[TITLE_MAX];
	struct page		 pages[MAXPAGES];
	char			*texts[MAXPAGES];
	size_t			 lens[MAXPAGES];
	struct page		*chron[MAXPAGES], *recent[MAXPAGES];
	size_t			 npages;
	struct page		*others[MAXPAGES];
	size_t			 nothers;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_render.c:%d: invariant broken: %s\n", line, what);
	abort();
}

static char *
dup_bytes(const char *p, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* Cuts the next line off rec[0..*len); NULL when there is no '\n'. */
static const char *
next_line(const char **rec, size_t *len, size_t *linelen)
{
	const char	*line = *rec, *nl = memchr(*rec, '\n', *len);

	if (nl == NULL)
		return NULL;
	*linelen = (size_t)(nl - line);
	*len -= *linelen + 1;
	*rec = nl + 1;
	return line;
}

/* Host names come from the configuration: reg-name bytes only, else the default. */
static char *
host_name(const char *s, size_t len)
{
	static const char	 ok[] = "-._~!$&'()*+,;=:";
	size_t			 i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] != '\0' && strchr(ok, s[i]) != NULL)))
			break;
	if (len == 0 || i < len || len > 255)
		return dup_bytes("example.org", 11);
	return dup_bytes(s, len);
}

static void
parse_site(struct input *in, const char *rec, size_t len)
{
	const char	*line;
	char		*num;
	size_t		 n;
	int		 crlf;

	in->host = dup_bytes("example.org", 11);
	in->site.feed_max = 100;
	if ((line = next_line(&rec, &len, &n)) != NULL) {
		num = dup_bytes(line, n);
		in->site.feed_max = (size_t)strtoull(num, NULL, 10);
		free(num);
		free(in->host);
		if ((line = next_line(&rec, &len, &n)) == NULL) {
			line = rec;
			n = len;
		} else {
			in->intro = malloc(len ? len : 1);	/* exactly: no NUL */
			if (in->intro == NULL)
				abort();
			memcpy(in->intro, rec, len);
			in->site.intro = in->intro;
			in->site.intro_len = len;
		}
		in->host = host_name(line, n);
	}
	if ((in->base_url = malloc(strlen(in->host) + 12)) == NULL)
		abort();
	snprintf(in->base_url, strlen(in->host) + 12, "gemini://%s/", in->host);
	in->site.base_url = in->base_url;
	in->site.title = in->title;
	/* As load_intro: the first heading of intro.gmi, else the host name. */
	if (in->intro == NULL || meta_title(in->intro, in->site.intro_len,
	    in->site.intro_len >= HEAD, "intro.gmi", in->title,
	    sizeof(in->title), &crlf) != TITLE_HEADING)
		snprintf(in->title, sizeof(in->title), "%s", in->host);
}

/* As load_page: how the text ends, and where its last line links. */
static void
read_end(struct input *in, struct page *p, const char *text, size_t len)
{
	struct meta_end	 end;
	char		 link[PATH_MAX_LEN + 1];
	size_t		 half = len / 2;

	meta_end_init(&end);
	meta_end_feed(&end, text, half);
	meta_end_feed(&end, text + half, len - half);
	meta_end_finish(&end);
	p->open_pre = end.pre != 0;
	p->no_newline = !end.newline;
	if (end.link && end.target_ok && meta_link_path(p->path, end.target,
	    in->host, 1965, link))
		p->last_link = dup_bytes(link, strlen(link));
}

/* The catalog has one page per path: a later record of the same path is left out. */
static int
known_path(const struct input *in, const char *path)
{
	size_t	 i;

	for (i = 0; i < in->npages + in->nothers; i++)
		if (strcmp(in->pages[i].path, path) == 0)
			return 1;
	return 0;
}

/* As load_page: the date from the base name, the title from the head of the text. */
static void
parse_page(struct input *in, const char *rec, size_t len)
{
	struct page	*p = &in->pages[in->npages + in->nothers];
	const char	*line, *base;
	char		 title[TITLE_MAX], *num;
	size_t		 n;
	int		 dated;

	if ((line = next_line(&rec, &len, &n)) == NULL || n == 0)
		return;
	p->path = dup_bytes(line, n);
	base = strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path;
	if (memchr(line, '\0', n) != NULL || known_path(in, p->path)) {
		free(p->path);
		p->path = NULL;
		return;
	}
	dated = meta_parse_date(base, &p->date) != 0;
	if ((line = next_line(&rec, &len, &n)) != NULL) {
		num = dup_bytes(line, n);
		p->mtime = (time_t)strtoll(num, NULL, 0);
		/* As a catalog without a state directory publishes it. */
		p->published = p->mtime;
		free(num);
	} else {
		rec = "";
		len = 0;
	}
	if (meta_title(rec, len > HEAD ? HEAD : len, len >= HEAD, p->path,
	    title, sizeof(title), &p->crlf) == TITLE_NOT_UTF8)
		p->text = (unsigned char)rec[0] == 0xff ? PAGE_UTF16 :
		    PAGE_8BIT;
	p->title = dup_bytes(title, strlen(title));
	read_end(in, p, rec, len);
	in->texts[in->npages + in->nothers] = dup_bytes(rec, len);
	in->lens[in->npages + in->nothers] = len;
	p->refs = 1;
	p->in_chronicle = dated;
	if (dated)
		in->npages++;
	else
		in->nothers++;
}

static int
chron_cmp(const void *a, const void *b)
{
	const struct page	*pa = *(struct page *const *)a;
	const struct page	*pb = *(struct page *const *)b;
	int			 c = meta_date_cmp(&pa->date, &pb->date);

	return c != 0 ? c : strcmp(pa->path, pb->path);
}

static int
recent_cmp(const void *a, const void *b)
{
	const struct page	*pa = *(struct page *const *)a;
	const struct page	*pb = *(struct page *const *)b;

	if (pa->published != pb->published)
		return pa->published > pb->published ? -1 : 1;
	return chron_cmp(b, a);
}

static void
parse_input(struct input *in, const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *rs;
	int		 first = 1;
	size_t		 i, n = 0, o = 0;

	memset(in, 0, sizeof(*in));
	for (; in->npages + in->nothers < MAXPAGES; p = rs + 1) {
		if ((rs = memchr(p, RS, (size_t)(end - p))) == NULL)
			rs = end;
		if (first)
			parse_site(in, p, (size_t)(rs - p));
		else
			parse_page(in, p, (size_t)(rs - p));
		first = 0;
		if (rs == end)
			break;
	}
	for (i = 0; i < in->npages + in->nothers; i++) {
		if (in->pages[i].in_chronicle)
			in->chron[n++] = &in->pages[i];
		else
			in->others[o++] = &in->pages[i];
	}
	memcpy(in->recent, in->chron, n * sizeof(*in->chron));
	qsort(in->chron, in->npages, sizeof(*in->chron), chron_cmp);
	qsort(in->recent, in->npages, sizeof(*in->recent), recent_cmp);
}

static void
free_input(struct input *in)
{
	size_t	 i;

	for (i = 0; i < in->npages + in->nothers; i++) {
		free(in->pages[i].path);
		free(in->pages[i].title);
		free(in->pages[i].last_link);
		free(in->texts[i]);
	}
	free(in->host);
	free(in->base_url);
	free(in->intro);
}

/* Lines of s[0..len) that begin with 'prefix'. */
static size_t
count_lines(const char *s, size_t len, const char *prefix)
{
	size_t	 i, n = 0, plen = strlen(prefix);

	for (i = 0; i < len; i++)
		if ((i == 0 || s[i - 1] == '\n') && len - i >= plen &&
		    memcmp(s + i, prefix, plen) == 0)
			n++;
	return n;
}

/* Generated gemtext: terminated, UTF-8, and no control byte but the line ends. */
static void
check_gemtext(const struct buf *b, int crlf)
{
	size_t	 i;

	CHECK(!b->failed && b->data != NULL && b->data[b->len] == '\0');
	CHECK(strlen(b->data) == b->len);
	CHECK(utf8_valid(b->data, b->len));
	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		CHECK(c >= 0x20 || c == '\n' || (crlf && c == '\r'));
		CHECK(c != 0x7f);
		if (crlf && c == '\n')
			CHECK(i > 0 && b->data[i - 1] == '\r');
	}
}

/* Year links "=> /0999/ ..." have four digits: the catalog serves no other. */
static void
check_year_links(const struct buf *b)
{
	size_t	 i, d;

	for (i = 0; i + 4 < b->len; i++) {
		if ((i > 0 && b->data[i - 1] != '\n') ||
		    memcmp(b->data + i, "=> /", 4) != 0)
			continue;
		for (d = 0; i + 4 + d < b->len && b->data[i + 4 + d] >= '0' &&
		    b->data[i + 4 + d] <= '9'; d++)
			;
		if (d > 0 && i + 5 + d < b->len &&
		    b->data[i + 4 + d] == '/' && b->data[i + 5 + d] == ' ')
			CHECK(d == 4);
	}
}

static void
check_spans(struct page *const *chron, size_t n, const struct year_span *ys,
    size_t nys)
{
	size_t	 y, i, next = 0;

	CHECK(nys <= n && (n == 0) == (nys == 0));
	for (y = 0; y < nys; y++) {
		CHECK(ys[y].first == next && ys[y].count > 0);
		CHECK(y == 0 || ys[y - 1].year < ys[y].year);
		for (i = ys[y].first; i < ys[y].first + ys[y].count; i++)
			CHECK(chron[i]->date.year == ys[y].year);
		next += ys[y].count;
	}
	CHECK(next == n);
}

/* The target of the link on the line at s, or NULL for any other line. */
static const char *
link_target(const char *s, size_t *len)
{
	if (strncmp(s, "=> ", 3) != 0)
		return NULL;
	*len = strcspn(s + 3, " \r\n");
	return s + 3;
}

/*
 * A page and what was appended to it, read as a client reads them: no
 * two link lines in a row (blank lines and headings between them aside)
 * lead to the same place, what was appended is outside any preformatted
 * block, and a page outside the chronicle ends with a link to the index.
 */
static void
check_served(const struct input *in, size_t i, const struct buf *footer)
{
	const struct page	*p = &in->pages[i];
	struct buf		 all;
	char			 prev[PATH_MAX_LEN + 1], cur[PATH_MAX_LEN + 1];
	const char		*s, *t, *nl;
	size_t			 tlen;
	int			 pre = 0, have_prev = 0, last_is_index = 0;

	if (p->text != PAGE_UTF8 || memchr(in->texts[i], '\0', in->lens[i]))
		return;		/* read as C strings below */
	buf_init(&all);
	buf_append(&all, in->texts[i], in->lens[i]);
	buf_append(&all, footer->data ? footer->data : "", footer->len);
	CHECK(!all.failed);
	for (s = all.data; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (strncmp(s, "```", 3) == 0) {
			pre = !pre;
			have_prev = 0;
			continue;
		}
		if (pre || *s == '\n' || *s == '\r' ||
		    (*s == '#' && s >= all.data + in->lens[i]))
			continue;
		if ((t = link_target(s, &tlen)) == NULL || tlen >= sizeof(cur)) {
			have_prev = last_is_index = 0;
			continue;
		}
		snprintf(cur, sizeof(cur), "%.*s", (int)tlen, t);
		if (!meta_link_path(p->path, cur, in->host, 1965, cur))
			cur[0] = '\x01';
		CHECK(!have_prev || strcmp(prev, cur) != 0 ||
		    s < all.data + in->lens[i]);
		memcpy(prev, cur, sizeof(cur));
		have_prev = 1;
		last_is_index = cur[0] == '\0';
	}
	CHECK(!pre || footer->len == 0);
	if (!p->in_chronicle)
		CHECK(footer->len == 0 ? p->last_link != NULL &&
		    p->last_link[0] == '\0' : last_is_index);
	buf_free(&all);
}

static void
render_gemtext_pages(struct input *in, struct buf *b)
{
	struct year_span	 ys[MAXPAGES];
	size_t			 nys, y, i, n = in->npages, shown, links, bom;
	const struct page	*p;

	nys = render_year_spans(in->chron, n, ys);
	check_spans(in->chron, n, ys, nys);

	buf_reset(b);
	render_index(b, &in->site, in->chron, n, ys, nys);
	CHECK(!b->failed && b->data[b->len] == '\0');
	/* The timeline, two feeds and search, then the years and pages. */
	CHECK(count_lines(b->data, b->len, "=> ") == n + 4 + nys +
	    (in->intro ? count_lines(in->intro, in->site.intro_len, "=> ") : 0));
	/* No year headings: any "## <digit>" comes from intro.gmi (after its BOM). */
	bom = in->intro ? meta_bom_length(in->intro, in->site.intro_len) : 0;
	CHECK(count_lines(b->data, b->len, "## 0") +
	    count_lines(b->data, b->len, "## 1") +
	    count_lines(b->data, b->len, "## 2") <= (in->intro ?
	    count_lines(in->intro + bom, in->site.intro_len - bom, "## ") : 0));
	if (in->intro == NULL)
		check_gemtext(b, 0);
	check_year_links(b);

	for (y = 0; y < nys; y++) {
		buf_reset(b);
		render_year(b, in->chron, ys, nys, y);
		check_gemtext(b, 0);
		check_year_links(b);
		CHECK(count_lines(b->data, b->len, "=> ") == ys[y].count + 2 +
		    (size_t)(y > 0) + (size_t)(y + 1 < nys));
	}

	buf_reset(b);
	render_timeline(b, in->chron, n, ys, nys);
	check_gemtext(b, 0);
	check_year_links(b);
	CHECK(count_lines(b->data, b->len, "=> ") == nys + 1);
	CHECK(count_lines(b->data, b->len, "* ") == n);

	for (i = 0; i < n; i++) {
		p = in->chron[i];
		buf_reset(b);
		render_footer(b, p, i > 0 ? in->chron[i - 1] : NULL,
		    i + 1 < n ? in->chron[i + 1] : NULL);
		if (p->text == PAGE_UTF16) {
			CHECK(b->len == 0);
			continue;
		}
		check_gemtext(b, p->crlf);
		check_year_links(b);
		links = count_lines(b->data, b->len, "=> ");
		CHECK(links + 1 >= 2 + (size_t)(i > 0) + (size_t)(i + 1 < n) &&
		    links <= 2 + (size_t)(i > 0) + (size_t)(i + 1 < n));
		check_served(in, (size_t)(p - in->pages), b);
	}
	for (i = 0; i < in->nothers; i++) {
		p = in->others[i];
		buf_reset(b);
		render_end(b, p);
		if (b->len > 0)
			check_gemtext(b, p->crlf);
		check_served(in, (size_t)(p - in->pages), b);
	}

	buf_reset(b);
	render_gemfeed(b, &in->site, in->recent, n);
	check_gemtext(b, 0);
	shown = n < in->site.feed_max ? n : in->site.feed_max;
	CHECK(count_lines(b->data, b->len, "=> ") == shown + 1);
}

static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbf &&
		    ((unsigned char)s[2] & 0xfe) == 0xbe) {
			buf_puts(b, "\xef\xbf\xbd");	/* U+FFFE, U+FFFF */
			s += 2;
		} else if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else if (*s == '"')
			buf_puts(b, "&quot;");
		else if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' ||
		    *s == '\r')
			buf_putc(b, *s);
	}
}

/* XML 1.0 Char: tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD, U+10000 and up. */
static size_t
xml_char(const unsigned char *s, size_t len)
{
	unsigned int	 cp;
	size_t		 n;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ||
		    s[0] == '\r';
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n > len || !utf8_valid((const char *)s, n))
		return 0;
	cp = n == 2 ? (s[0] & 0x1fu) << 6 | (s[1] & 0x3f) :
	    n == 3 ? (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3f) :
	    (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 |
	    (s[3] & 0x3f);
	if (cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

static int
entity_ok(const char *s)
{
	return strncmp(s, "&amp;", 5) == 0 || strncmp(s, "&lt;", 4) == 0 ||
	    strncmp(s, "&gt;", 4) == 0 || strncmp(s, "&quot;", 6) == 0;
}

/* One tag at s[0] == '<': its name, attributes with quoted values; returns past '>'. */
static const char *
xml_tag(const char *s, const char **stack, size_t *depth)
{
	const char	*name, *e;
	size_t		 nlen;
	int		 close = s[1] == '/';

	name = s + 1 + close;
	nlen = strcspn(name, " />");
	CHECK(nlen > 0);
	for (e = name + nlen; *e == ' ';) {
		for (e++; *e != '=' && *e != '\0'; e++)
			CHECK(*e != '<' && *e != '>' && *e != '"' && *e != ' ');
		CHECK(e[0] == '=' && e[1] == '"' && !close);
		for (e += 2; *e != '"' && *e != '\0'; e++)
			CHECK(*e != '<' && (*e != '&' || entity_ok(e)));
		CHECK(*e++ == '"');
	}
	if (close) {
		CHECK(*depth > 0 && *e == '>');
		(*depth)--;
		CHECK(strncmp(stack[*depth], name, nlen) == 0 &&
		    strcspn(stack[*depth], " />") == nlen);
	} else if (e[0] == '/') {
		CHECK(e[1] == '>');
		e++;
	} else {
		CHECK(*e == '>' && *depth < 16);
		stack[(*depth)++] = name;
	}
	return e + 1;
}

/* Well-formed enough: declared, one <feed> root, tags nested, text and attributes escaped, XML Chars only. */
static void
check_xml(const char *x, size_t len)
{
	static const char	 decl[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed ";
	const char		*stack[16], *s, *end = x + len;
	size_t			 depth = 0, n;

	CHECK(strlen(x) == len && strncmp(x, decl, sizeof(decl) - 1) == 0);
	for (s = x; s < end; s += n) {
		if ((n = xml_char((const unsigned char *)s,
		    (size_t)(end - s))) == 0)
			fprintf(stderr, "atom.xml byte %zu (0x%02x): not an XML "
			    "1.0 Char, in: %.*s\n", (size_t)(s - x),
			    (unsigned char)*s, (int)strcspn(s, "\n"), s);
		CHECK(n > 0);
	}
	for (s = strchr(x, '\n') + 1; *s != '\0';) {
		if (*s == '<') {
			s = xml_tag(s, stack, &depth);
			CHECK(depth > 0 || *s == '\n');
		} else {
			CHECK(*s != '>' && (*s != '&' || entity_ok(s)));
			s++;
		}
	}
	CHECK(depth == 0 && len > 8 && strcmp(end - 8, "</feed>\n") == 0);
}

static void
render_feeds(struct input *in, struct buf *b)
{
	struct buf	 want;
	char		 enc[ENC_MAX];
	const char	*at;
	size_t		 i, shown = in->npages < in->site.feed_max ?
			    in->npages : in->site.feed_max;

	buf_reset(b);
	render_atom(b, &in->site, in->recent, in->npages);
	CHECK(!b->failed && b->data != NULL);
	check_xml(b->data, b->len);
	/* Every entry in order, with its title and link escaped. */
	buf_init(&want);
	for (i = 0, at = b->data; i < shown; i++) {
		buf_reset(&want);
		buf_puts(&want, "  <entry>\n    <title>");
		put_escaped(&want, in->recent[i]->title);
		buf_puts(&want, "</title>\n    <link href=\"");
		put_escaped(&want, in->site.base_url);
		path_encode(in->recent[i]->path, enc, sizeof(enc));
		put_escaped(&want, enc);
		buf_puts(&want, "\"/>\n");
		CHECK(!want.failed);
		CHECK((at = strstr(at, want.data)) != NULL);
		at += want.len;
	}
	CHECK(strstr(at, "<entry>") == NULL);
	buf_free(&want);
}

/* A listing of the first page's directory: every page's base name and a subdirectory. */
static void
render_dir_listing(struct input *in, struct buf *b)
{
	static char		 subdir[] = "sub dir/";
	char			*names[MAXPAGES + 1], *dir = NULL, *slash;
	struct listing_entry	 entries[MAXPAGES + 1];
	size_t			 n, all = in->npages + in->nothers;

	for (n = 0; n < all; n++) {
		slash = strrchr(in->pages[n].path, '/');
		names[n] = slash ? slash + 1 : in->pages[n].path;
		entries[n].name = names[n];
		entries[n].page = &in->pages[n];
	}
	entries[n].name = names[n] = subdir;
	entries[n++].page = NULL;
	if (all > 0 && (slash = strrchr(in->pages[0].path, '/')))
		dir = dup_bytes(in->pages[0].path,
		    (size_t)(slash - in->pages[0].path) + 1);
	buf_reset(b);
	render_listing(b, dir ? dir : "", names, n);
	check_gemtext(b, 0);
	CHECK(count_lines(b->data, b->len, "=> ./") == n);
	CHECK(count_lines(b->data, b->len, "=> / Index") == (dir != NULL));
	buf_reset(b);
	render_listing_pages(b, dir ? dir : "", entries, n);
	check_gemtext(b, 0);
	CHECK(count_lines(b->data, b->len, "=> ./") == n);
	free(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct input	 in;
	struct buf		 b;

	parse_input(&in, data, size);
	buf_init(&b);
	render_gemtext_pages(&in, &b);
	render_feeds(&in, &b);
	render_dir_listing(&in, &b);
	buf_free(&b);
	free_input(&in);
	return 0;
}
