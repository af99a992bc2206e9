/* test_mime: media types from the extension table and from libmagic on real files (src/mime.c). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"
#include "tap.h"

static char	 dir[] = "/tmp/almanac-test-mime-XXXXXX";

/* The smallest PNG: a 1x1 transparent image. */
static const unsigned char	 png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
	0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49,
	0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

static const unsigned char	 blob[] = {
	0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x80, 0x90, 0xa0, 0x00, 0x00,
	0x07, 0x13, 0x42, 0x99,
};

/* Writes a file into the temporary directory and opens it for reading. */
static int
make_file(const char *name, const void *data, size_t len)
{
	char	 path[256];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return open(path, O_RDONLY);
}

static void
remove_file(const char *name)
{
	char	 path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* mime_for_file on a fresh file; 'out' receives the META. */
static int
type_of(struct mime *m, const char *name, const void *data, size_t len,
    char *out, size_t outsz)
{
	struct stat	 st;
	int		 fd, rc;

	memset(out, 0, outsz);
	if ((fd = make_file(name, data, len)) == -1 || fstat(fd, &st) == -1) {
		fprintf(stderr, "# cannot create %s/%s\n", dir, name);
		return -2;
	}
	rc = mime_for_file(m, name, fd, &st, "en", out, outsz);
	if (lseek(fd, 0, SEEK_CUR) != 0)
		rc = -3;	/* the offset must be back at the start */
	close(fd);
	remove_file(name);
	return rc;
}

static void
test_extension(void)
{
	is_str(mime_from_extension("a.gmi"), "text/gemini", ".gmi");
	is_str(mime_from_extension("a.gemini"), "text/gemini", ".gemini");
	is_str(mime_from_extension("style.css"), "text/css", ".css");
	is_str(mime_from_extension("STYLE.CSS"), "text/css", ".CSS");
	is_str(mime_from_extension("a.Svg"), "image/svg+xml", ".Svg");
	is_str(mime_from_extension("logo.svg"), "image/svg+xml", ".svg");
	is_str(mime_from_extension("a.txt"), "text/plain", ".txt");
	is_str(mime_from_extension("atom.xml"), "application/xml", ".xml");
	is_str(mime_from_extension("a.atom"), "application/atom+xml", ".atom");
	is_str(mime_from_extension("a.json"), "application/json", ".json");
	is_str(mime_from_extension("site.webmanifest"),
	    "application/manifest+json", ".webmanifest");
	is_str(mime_from_extension("dir/sub/a.md"), "text/markdown",
	    ".md in a subdirectory");
	is_str(mime_from_extension("a.gmi.png"), NULL,
	    "last extension counts (.png not in table)");
	is_str(mime_from_extension("a.png"), NULL, ".png: NULL (libmagic)");
	is_str(mime_from_extension("README"), NULL, "no extension: NULL");
	is_str(mime_from_extension("dir.css/file"), NULL,
	    "dot in a directory name only: NULL");
	is_str(mime_from_extension("a."), NULL, "empty extension: NULL");
	is_str(mime_from_extension("a.cssx"), NULL, ".cssx: NULL");
	is_str(mime_from_extension("a.tar.gz"), NULL, ".gz: NULL");
	is_str(mime_from_extension(""), NULL, "empty name: NULL");
}

static void
test_files(struct mime *m)
{
	static const char	 ascii[] = "Hello, plain text.\n";
	static const char	 utf8[] = "Caf\xc3\xa9 \xe6\x97\xa5\xe8\xa8\x98\n";
	static const char	 latin1[] = "caf\xe9 au lait, cr\xe8me br\xfbl\xe9"
	    "e, na\xefve r\xe9sum\xe9 with enough text\n";
	static const char	 css[] = "body { color: red; }\n";
	static const char	 svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\""
	    " width=\"1\" height=\"1\"></svg>\n";
	static const char	 gmi[] = "# Title\n\nText.\n";
	static const char	 json[] = "{\"a\": 1}\n";
	char			 out[256];

	is_int(type_of(m, "page.gmi", gmi, strlen(gmi), out, sizeof(out)), 0,
	    ".gmi: rc 0");
	is_str(out, "text/gemini; charset=utf-8; lang=en",
	    ".gmi -> text/gemini with lang");
	is_int(type_of(m, "page.gemini", gmi, strlen(gmi), out, sizeof(out)),
	    0, ".gemini: rc 0");
	is_str(out, "text/gemini; charset=utf-8; lang=en",
	    ".gemini -> text/gemini with lang");
	is_int(type_of(m, "PAGE.GMI", gmi, strlen(gmi), out, sizeof(out)), 0,
	    ".GMI: rc 0");
	is_str(out, "text/gemini; charset=utf-8; lang=en",
	    ".GMI -> text/gemini (case-insensitive)");
	is_int(type_of(m, "old.gmi", latin1, strlen(latin1), out,
	    sizeof(out)), 0, "latin-1 .gmi: rc 0");
	is_str(out, "text/gemini; charset=iso-8859-1; lang=en",
	    "a .gmi that is not UTF-8: libmagic's charset, not utf-8");
	is_int(type_of(m, "odd.gmi", "# \x93odd\x94 \x81\x82 text\n", 16,
	    out, sizeof(out)), 0, "unnamed 8-bit .gmi: rc 0");
	is_str(out, "text/gemini; charset=unknown-8bit; lang=en",
	    "a .gmi in no charset libmagic names: unknown-8bit");

	is_int(type_of(m, "style.css", css, strlen(css), out, sizeof(out)), 0,
	    ".css: rc 0");
	ok(strncmp(out, "text/css", 8) == 0 && (out[8] == '\0' ||
	    out[8] == ';'), ".css -> text/css ('%s')", out);
	is_str(out, "text/css; charset=utf-8", ".css: us-ascii reads utf-8");
	is_int(type_of(m, "STYLE.CSS", css, strlen(css), out, sizeof(out)), 0,
	    ".CSS: rc 0");
	is_str(out, "text/css; charset=utf-8", ".CSS -> text/css");

	is_int(type_of(m, "logo.svg", svg, strlen(svg), out, sizeof(out)), 0,
	    ".svg: rc 0");
	ok(strncmp(out, "image/svg+xml", 13) == 0 && (out[13] == '\0' ||
	    out[13] == ';'), ".svg -> image/svg+xml ('%s')", out);

	is_int(type_of(m, "a.txt", ascii, strlen(ascii), out, sizeof(out)), 0,
	    ".txt ASCII: rc 0");
	is_str(out, "text/plain; charset=utf-8",
	    ".txt ASCII -> text/plain; charset=utf-8");
	is_int(type_of(m, "u.txt", utf8, strlen(utf8), out, sizeof(out)), 0,
	    ".txt UTF-8: rc 0");
	is_str(out, "text/plain; charset=utf-8", ".txt UTF-8 -> charset=utf-8");
	is_int(type_of(m, "l.txt", latin1, strlen(latin1), out, sizeof(out)),
	    0, ".txt Latin-1: rc 0");
	is_str(out, "text/plain; charset=iso-8859-1",
	    ".txt Latin-1 keeps libmagic's charset");
	is_int(type_of(m, "README", ascii, strlen(ascii), out, sizeof(out)), 0,
	    "no extension, text: rc 0");
	is_str(out, "text/plain; charset=utf-8",
	    "no extension, text -> text/plain from libmagic");

	is_int(type_of(m, "data.json", json, strlen(json), out, sizeof(out)),
	    0, ".json: rc 0");
	is_str(out, "application/json; charset=utf-8",
	    ".json -> application/json with charset");

	is_int(type_of(m, "pixel.png", png, sizeof(png), out, sizeof(out)), 0,
	    "PNG: rc 0");
	is_str(out, "image/png", "PNG -> image/png, no charset");
	is_int(type_of(m, "pixel", png, sizeof(png), out, sizeof(out)), 0,
	    "PNG without extension: rc 0");
	is_str(out, "image/png", "PNG without extension -> image/png");

	is_int(type_of(m, "blob.bin", blob, sizeof(blob), out, sizeof(out)), 0,
	    "binary: rc 0");
	is_str(out, "application/octet-stream",
	    "unknown binary -> application/octet-stream");
	ok(strstr(out, "charset=binary") == NULL, "no charset=binary");

	is_int(type_of(m, "empty.dat", "", 0, out, sizeof(out)), 0,
	    "empty file: rc 0");
	ok(out[0] != '\0' && strstr(out, "charset=binary") == NULL,
	    "empty file: a type, no charset=binary ('%s')", out);

	is_int(type_of(m, "a.txt", ascii, strlen(ascii), out, 11), 0,
	    "small output buffer: rc 0");
	is_str(out, "text/plain", "small output buffer truncates");
}

/* mime_for_file on an open file, with the stat of another ('as'). */
static const char *
type_as(struct mime *m, const char *name, int fd, int as)
{
	static char	 out[256];
	struct stat	 st;

	if (fstat(as, &st) == -1 ||
	    mime_for_file(m, name, fd, &st, "en", out, sizeof(out)) == -1)
		return "(failed)";
	return out;
}

/*
 * libmagic's answers are remembered for files unchanged for two seconds,
 * by their identity: handed the stat of a remembered file, mime_for_file
 * answers without reading (white box).  A change is seen at once.
 */
static void
test_cache(struct mime *m)
{
	char	 text[] = "plain words, nothing else, in a file\n";
	char	 path[256];
	int	 settled, fresh, pic, w;

	settled = make_file("settled", text, strlen(text));
	pic = make_file("pic", png, sizeof(png));
	if (settled == -1 || pic == -1) {
		ok(0, "cannot create files in %s", dir);
		return;
	}
	sleep(3);
	fresh = make_file("fresh", text, strlen(text));
	is_str(type_as(m, "settled", settled, settled),
	    "text/plain; charset=utf-8", "settled file: libmagic's type");
	is_str(type_as(m, "settled", pic, settled),
	    "text/plain; charset=utf-8", "settled file: answer remembered");
	is_str(type_as(m, "fresh", fresh, fresh), "text/plain; charset=utf-8",
	    "fresh file: libmagic's type");
	is_str(type_as(m, "fresh", pic, fresh), "image/png",
	    "fresh file: not remembered (times too coarse to trust)");
	is_str(type_as(m, "settled.css", settled, settled),
	    "text/css; charset=utf-8", "another name's extension counts");

	/* Same size, new content: the change time moves. */
	snprintf(path, sizeof(path), "%s/settled", dir);
	if ((w = open(path, O_WRONLY)) == -1 ||
	    pwrite(w, png, sizeof(png), 0) != (ssize_t)sizeof(png) ||
	    ftruncate(w, (off_t)strlen(text)) == -1)
		ok(0, "cannot rewrite the settled file");
	if (w != -1)
		close(w);
	is_str(type_as(m, "settled", settled, settled), "image/png",
	    "rewritten in place: the new type at once");
	close(settled);
	close(fresh);
	close(pic);
	remove_file("settled");
	remove_file("fresh");
	remove_file("pic");
}

int
main(void)
{
	struct mime	*m;

	test_extension();
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp %s", dir);
		return done_testing();
	}
	m = mime_open();
	ok(m != NULL, "mime_open");
	if (m != NULL) {
		test_files(m);
		test_cache(m);
	}
	mime_close(m);
	mime_close(NULL);
	ok(1, "mime_close(NULL) is harmless");
	ok(rmdir(dir) == 0, "temporary files all removed");
	return done_testing();
}
