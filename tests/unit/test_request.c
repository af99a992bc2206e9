/* test_request: request_parse and utf8_valid (src/request.c) on good and hostile request lines. */
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "tap.h"

static struct request	 r;
static const char	*why;

static enum request_verdict
parse_len(const char *line, size_t len)
{
	return request_parse(line, len, &r, &why);
}

static enum request_verdict
parse(const char *line)
{
	return parse_len(line, strlen(line));
}

/* A REQ_BAD verdict must come with a reason. */
static void
bad(const char *line, size_t len, const char *name)
{
	is_int(parse_len(line, len), REQ_BAD, name);
	ok(why != NULL && why[0] != '\0', "%s: has a reason", name);
}

static void
test_normal(void)
{
	is_int(parse("gemini://example.org/chapters/x.gmi"), REQ_OK,
	    "normal URL is OK");
	ok(why == NULL, "normal URL: no reason set");
	is_mem(r.scheme, r.scheme_len, "gemini", "normal URL: scheme");
	is_mem(r.host, r.host_len, "example.org", "normal URL: host");
	is_int(r.port, -1, "normal URL: no port is -1");
	is_mem(r.path, r.path_len, "/chapters/x.gmi", "normal URL: path");
	ok(r.query == NULL, "normal URL: query is NULL");

	is_int(parse("gemini://example.org:1965/a"), REQ_OK, "URL with port");
	is_mem(r.host, r.host_len, "example.org", "URL with port: host");
	is_int(r.port, 1965, "URL with port: port");
	is_mem(r.path, r.path_len, "/a", "URL with port: path");

	is_int(parse("gemini://[::1]:1965/x"), REQ_OK, "IPv6 literal host");
	is_mem(r.host, r.host_len, "::1", "IPv6: host without brackets");
	is_int(r.port, 1965, "IPv6: port");
	is_mem(r.path, r.path_len, "/x", "IPv6: path");

	is_int(parse("gemini://[::1]/"), REQ_OK, "IPv6 literal without port");
	is_mem(r.host, r.host_len, "::1", "IPv6 without port: host");
	is_int(r.port, -1, "IPv6 without port: port -1");

	is_int(parse("gemini://[::ffff:127.0.0.1]/"), REQ_OK,
	    "IPv4-mapped IPv6 literal");
	is_mem(r.host, r.host_len, "::ffff:127.0.0.1", "IPv4-mapped: host");

	bad("gemini://[::1/", strlen("gemini://[::1/"),
	    "unterminated IPv6 literal");
	bad("gemini://[]/", strlen("gemini://[]/"), "empty IPv6 literal");
	bad("gemini://[::g]/", strlen("gemini://[::g]/"),
	    "non-hex IPv6 literal");
	bad("gemini://[::1]x/", strlen("gemini://[::1]x/"),
	    "junk after IPv6 literal");

	is_int(parse("GEMINI://example.org/"), REQ_OK, "uppercase scheme OK");
	is_mem(r.scheme, r.scheme_len, "GEMINI", "uppercase scheme slice");
	is_int(parse("Gemini://example.org/"), REQ_OK, "mixed-case scheme OK");

	is_int(parse("gemini://127.0.0.1/"), REQ_OK, "IPv4 host");
	is_mem(r.host, r.host_len, "127.0.0.1", "IPv4 host slice");
}

static void
test_lengths(void)
{
	char	*line;
	size_t	 prefix = strlen("gemini://h/");

	line = malloc(REQUEST_MAX + 2);
	memcpy(line, "gemini://h/", prefix);
	memset(line + prefix, 'a', REQUEST_MAX + 1 - prefix);
	line[REQUEST_MAX + 1] = '\0';
	is_int(parse_len(line, REQUEST_MAX), REQ_OK, "exactly 1024 bytes OK");
	is_int(r.path_len, REQUEST_MAX - prefix + 1,
	    "1024 bytes: path spans the rest");
	bad(line, REQUEST_MAX + 1, "1025 bytes is REQ_BAD");
	free(line);

	bad("", 0, "empty request is REQ_BAD");
}

static void
test_not_absolute(void)
{
	bad("/", 1, "relative '/' is REQ_BAD");
	bad("//host/", strlen("//host/"), "schemeless //host/ is REQ_BAD");
	bad("Hello Gemini!", strlen("Hello Gemini!"), "junk text is REQ_BAD");
	bad("gemini", 6, "scheme without colon is REQ_BAD");
	bad("1gemini://h/", strlen("1gemini://h/"),
	    "scheme starting with a digit is REQ_BAD");
	bad("\xef\xbb\xbfgemini://example.org/",
	    strlen("\xef\xbb\xbfgemini://example.org/"),
	    "BOM before the URL is REQ_BAD");
	bad("gemini://", 9, "gemini:// with no host is REQ_BAD");
	bad("gemini:///x", strlen("gemini:///x"),
	    "gemini:///x (empty host) is REQ_BAD");
	bad("gemini://:1965/", strlen("gemini://:1965/"),
	    "port without host is REQ_BAD");
	bad("gemini:/x", strlen("gemini:/x"), "gemini:/x is REQ_BAD");
	bad("gemini:x", strlen("gemini:x"), "gemini:x is REQ_BAD");
	bad("gemini:", 7, "gemini: alone is REQ_BAD");
}

static void
test_utf8(void)
{
	static const struct {
		const char	*s;
		const char	*name;
	} invalid[] = {
		{ "gemini://h/\xdc", "lone lead byte 0xdc" },
		{ "gemini://h/\xdc/", "lead byte 0xdc followed by ASCII" },
		{ "gemini://h/\xc0\xaf", "overlong 0xc0 0xaf" },
		{ "gemini://h/\xc1\xbf", "overlong 0xc1 0xbf" },
		{ "gemini://h/\xe0\x80\xaf", "overlong 3-byte 0xe0 0x80 0xaf" },
		{ "gemini://h/\xf0\x80\x80\xaf", "overlong 4-byte" },
		{ "gemini://h/\xed\xa0\x80", "surrogate 0xed 0xa0 0x80" },
		{ "gemini://h/\xed\xbf\xbf", "surrogate 0xed 0xbf 0xbf" },
		{ "gemini://h/\xf5\x80\x80\x80", "0xf5 lead byte" },
		{ "gemini://h/\xf4\x90\x80\x80", "past U+10FFFF" },
		{ "gemini://h/\xff", "0xff byte" },
		{ "gemini://h/\x80", "lone continuation byte" },
		{ "gemini://h/\xe2\x82", "truncated 3-byte sequence" },
		{ "gemini://h/\xe2\x28\xa1", "bad continuation byte" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		ok(!utf8_valid(invalid[i].s, strlen(invalid[i].s)),
		    "utf8_valid rejects %s", invalid[i].name);
		is_int(parse(invalid[i].s), REQ_BAD, invalid[i].name);
	}

	ok(utf8_valid("", 0), "utf8_valid: empty string");
	ok(utf8_valid("plain ascii", 11), "utf8_valid: ASCII");
	ok(utf8_valid("\xc2\x80", 2), "utf8_valid: U+0080");
	ok(utf8_valid("\xdf\xbf", 2), "utf8_valid: U+07FF");
	ok(utf8_valid("\xe0\xa0\x80", 3), "utf8_valid: U+0800");
	ok(utf8_valid("\xed\x9f\xbf", 3), "utf8_valid: U+D7FF");
	ok(utf8_valid("\xee\x80\x80", 3), "utf8_valid: U+E000");
	ok(utf8_valid("\xef\xbf\xbf", 3), "utf8_valid: U+FFFF");
	ok(utf8_valid("\xf0\x90\x80\x80", 4), "utf8_valid: U+10000");
	ok(utf8_valid("\xf4\x8f\xbf\xbf", 4), "utf8_valid: U+10FFFF");
	ok(!utf8_valid("\xc3\xa9", 1),
	    "utf8_valid: sequence cut by the length");
	ok(!utf8_valid("\xf0\x9f\x98\x80", 3),
	    "utf8_valid: 4-byte sequence cut by the length");

	is_int(parse("gemini://h/caf\xc3\xa9/\xe6\x97\xa5\xe8\xa8\x98/"
	    "\xf0\x9f\x93\x96.gmi"), REQ_OK, "valid non-ASCII UTF-8 path OK");
	is_mem(r.path, r.path_len, "/caf\xc3\xa9/\xe6\x97\xa5\xe8\xa8\x98/"
	    "\xf0\x9f\x93\x96.gmi", "non-ASCII path slice is kept raw");
	is_int(parse("gemini://b\xc3\xbc\x63her.example/"), REQ_OK,
	    "non-ASCII (IDN) host accepted");
	is_mem(r.host, r.host_len, "b\xc3\xbc\x63her.example",
	    "IDN host slice");
}

static void
test_forbidden(void)
{
	static const char	 nul[] = "gemini://h/a\0b";

	bad(nul, sizeof(nul) - 1, "NUL byte inside is REQ_BAD");
	bad("gemini://h/a\rb", strlen("gemini://h/a\rb"),
	    "CR inside is REQ_BAD");
	bad("gemini://h/a\r", strlen("gemini://h/a\r"),
	    "trailing CR (CRLF not stripped) is REQ_BAD");
	bad("gemini://h/a\nb", strlen("gemini://h/a\nb"),
	    "LF inside is REQ_BAD");
	bad("gemini://h/a\tb", strlen("gemini://h/a\tb"),
	    "tab inside is REQ_BAD");
	bad("gemini://h/a b", strlen("gemini://h/a b"),
	    "space inside is REQ_BAD");
	bad("gemini://h/a\\b", strlen("gemini://h/a\\b"),
	    "backslash inside is REQ_BAD");
	bad("gemini://h/a\x7f", strlen("gemini://h/a\x7f"),
	    "DEL inside is REQ_BAD");
	bad("gemini://h/\x1b[2J", strlen("gemini://h/\x1b[2J"),
	    "escape sequence is REQ_BAD");
	bad(" gemini://h/", strlen(" gemini://h/"), "leading space is REQ_BAD");

	bad("gemini://user@host/", strlen("gemini://user@host/"),
	    "userinfo is REQ_BAD");
	bad("gemini://user:pw@host/", strlen("gemini://user:pw@host/"),
	    "userinfo with password is REQ_BAD");
	bad("gemini://@host/", strlen("gemini://@host/"),
	    "empty userinfo is REQ_BAD");
	is_int(parse("gemini://host/@x"), REQ_OK, "'@' in the path is fine");

	bad("gemini://h/x#x", strlen("gemini://h/x#x"), "fragment is REQ_BAD");
	bad("gemini://h/#", strlen("gemini://h/#"),
	    "empty fragment is REQ_BAD");
	bad("gemini://h/?q#x", strlen("gemini://h/?q#x"),
	    "fragment after query is REQ_BAD");

	bad("gemini://ho<st/", strlen("gemini://ho<st/"),
	    "'<' in host is REQ_BAD");
}

static void
test_proxy(void)
{
	static const char	*proxy[] = {
		"http://example.org/",
		"https://example.org/",
		"gopher://example.org/",
		"HTTPS://example.org/",
		"gemini+x://example.org/",
		"geminix://example.org/",
		"gemin://example.org/",
		"mailto:someone@example.org",
	};
	size_t	 i;

	for (i = 0; i < sizeof(proxy) / sizeof(proxy[0]); i++) {
		is_int(parse(proxy[i]), REQ_PROXY, proxy[i]);
		ok(why != NULL, "%s: has a reason", proxy[i]);
	}
	is_int(parse("https://example.org/"), REQ_PROXY, "https again");
	is_mem(r.scheme, r.scheme_len, "https", "proxy: scheme slice");
	is_int(parse("titan://example.org:1965/a.gmi;size=3"), REQ_TITAN,
	    "titan: a request of its own");
	is_mem(r.path, r.path_len, "/a.gmi;size=3", "titan: path with its "
	    "parameters");
	is_int(r.port, 1965, "titan: port");
	is_int(parse("TITAN:///a.gmi;size=3"), REQ_BAD, "titan without host");
}

/* RFC 3986: port = *DIGIT, so any number of leading zeros. */
static void
test_long_port(void)
{
	char	 line[REQUEST_MAX + 1];
	size_t	 prefix = strlen("gemini://h:"), zeros;

	zeros = REQUEST_MAX - prefix - 5;
	memcpy(line, "gemini://h:", prefix);
	memset(line + prefix, '0', zeros);
	memcpy(line + prefix + zeros, "1965/", 5);
	is_int(parse_len(line, REQUEST_MAX), REQ_OK,
	    "port behind 1000 zeros OK");
	is_int(r.port, 1965, "port behind 1000 zeros: value");
	line[prefix + zeros] = '0';
	is_int(parse_len(line, REQUEST_MAX), REQ_OK, "port 0965 behind zeros OK");
	is_int(r.port, 965, "port 0965 behind zeros: value");
	memset(line + prefix, '9', zeros + 4);
	is_int(parse_len(line, REQUEST_MAX), REQ_BAD,
	    "a thousand nines do not wrap around into a port");
	memset(line + prefix, '0', zeros + 4);
	is_int(parse_len(line, REQUEST_MAX), REQ_BAD,
	    "a thousand zeros are port 0");
}

static void
test_ports(void)
{
	static const char	*badports[] = {
		"gemini://h:0/",
		"gemini://h:00000/",
		"gemini://h:65536/",
		"gemini://h:99999/",
		"gemini://h:100000/",
		"gemini://h:0000000/",
		"gemini://h:000065536/",
		"gemini://h:4294967297/",
		"gemini://h:18446744073709551617/",
		"gemini://h:99999999999999999999999999999999/",
		"gemini://h:-1/",
		"gemini://h:+1/",
		"gemini://h:abc/",
		"gemini://h:19a5/",
		"gemini://h:1965:1/",
	};
	size_t	 i;

	for (i = 0; i < sizeof(badports) / sizeof(badports[0]); i++)
		is_int(parse(badports[i]), REQ_BAD, badports[i]);

	is_int(parse("gemini://h:65535/"), REQ_OK, "port 65535 OK");
	is_int(r.port, 65535, "port 65535 value");
	is_int(parse("gemini://h:1/"), REQ_OK, "port 1 OK");
	is_int(r.port, 1, "port 1 value");
	is_int(parse("gemini://h:01965/"), REQ_OK, "port with leading zero OK");
	is_int(r.port, 1965, "port 01965 value");

	is_int(parse("gemini://h:019940/"), REQ_OK,
	    "six-digit port with a leading zero OK");
	is_int(r.port, 19940, "port 019940 value");
	is_int(parse("gemini://h:0000001965/"), REQ_OK,
	    "port with many leading zeros OK");
	is_int(r.port, 1965, "port 0000001965 value");
	is_int(parse("gemini://h:000065535/"), REQ_OK,
	    "port 000065535 OK");
	is_int(r.port, 65535, "port 000065535 value");
	test_long_port();

	is_int(parse("gemini://host:/x"), REQ_OK, "empty port OK");
	is_int(r.port, -1, "empty port is -1");
	is_mem(r.host, r.host_len, "host", "empty port: host");
	is_int(parse("gemini://host:"), REQ_OK, "empty port at the end OK");
	is_int(r.port, -1, "empty port at the end is -1");
	is_int(parse("gemini://h:1965"), REQ_OK, "port without path OK");
	is_int(r.port, 1965, "port without path: value");
	is_int(r.path_len, 0, "port without path: empty path");
	is_int(parse("gemini://h:1965?q"), REQ_OK, "port then query OK");
	is_int(r.port, 1965, "port then query: value");
	is_mem(r.query, r.query_len, "q", "port then query: query");
}

/* RFC 3986 reg-name allows pct-encoded; the caller gets the decoded host. */
static void
test_encoded_host(void)
{
	static const char	*badhosts[] = {
		"gemini://%2f/",
		"gemini://local%2fhost/",
		"gemini://local%2Fhost/",
		"gemini://%zz/",
		"gemini://local%zzhost/",
		"gemini://local%g0host/",
		"gemini://local%0ghost/",
		"gemini://localhost%/",
		"gemini://localhost%6/",
		"gemini://localhost%6:1965/",
		"gemini://%/",
		"gemini://local%00host/",
		"gemini://local%20host/",
		"gemini://local%09host/",
		"gemini://local%7fhost/",
		"gemini://local%25host/",
		"gemini://local%2541host/",
		"gemini://user%40host/",
		"gemini://host%3a1965/",
		"gemini://host%3A1965/",
		"gemini://ho%5bst/",
		"gemini://ho%5dst/",
		"gemini://ho%3cst/",
		"gemini://ho%3fst/",
		"gemini://ho%23st/",
		"gemini://ho%5cst/",
		"gemini://ho%22st/",
		"gemini://caf%c3/",
		"gemini://caf%c3%28/",
		"gemini://%c0%af/",
		"gemini://%ed%a0%80/",
		"gemini://%ff/",
		"gemini://[%3a%3a1]/",
	};
	char	 line[REQUEST_MAX + 1];
	size_t	 i, n;

	is_int(parse("gemini://%6cocalhost:1965/x"), REQ_OK,
	    "percent-encoded host OK");
	is_mem(r.host, r.host_len, "localhost", "encoded host is decoded");
	ok(r.host == r.host_buf, "decoded host lives in host_buf");
	is_int(r.port, 1965, "encoded host: port");
	is_mem(r.path, r.path_len, "/x", "encoded host: path");

	is_int(parse("gemini://%6C%6F%63%61%6C%68%6F%73%74/"), REQ_OK,
	    "upper-case hex digits OK");
	is_mem(r.host, r.host_len, "localhost", "all-encoded host decoded");
	is_int(parse("gemini://ho%41st/"), REQ_OK, "ho%41st OK");
	is_mem(r.host, r.host_len, "hoAst", "ho%41st is hoAst");
	is_int(parse("gemini://a%2db%2Ec%7e%21/"), REQ_OK,
	    "encoded unreserved and sub-delims OK");
	is_mem(r.host, r.host_len, "a-b.c~!", "encoded '-', '.', '~', '!'");
	is_int(parse("gemini://b%C3%BCcher.example/"), REQ_OK,
	    "encoded UTF-8 host OK");
	is_mem(r.host, r.host_len, "b\xc3\xbc" "cher.example",
	    "encoded UTF-8 host decoded");
	is_int(parse("gemini://%6cocalhost"), REQ_OK,
	    "encoded host without path");
	is_mem(r.host, r.host_len, "localhost", "encoded host without path");
	is_int(r.path_len, 0, "encoded host without path: empty path");
	is_int(parse("gemini://%6cocalhost?q"), REQ_OK,
	    "encoded host then query");
	is_mem(r.query, r.query_len, "q", "encoded host then query: query");

	is_int(parse("gemini://localhost/%41"), REQ_OK, "plain host");
	ok(r.host != r.host_buf, "a host without '%%' is a slice of the line");
	is_mem(r.host, r.host_len, "localhost", "plain host slice");
	is_mem(r.path, r.path_len, "/%41", "the path is still not decoded");

	for (i = 0; i < sizeof(badhosts) / sizeof(badhosts[0]); i++)
		bad(badhosts[i], strlen(badhosts[i]), badhosts[i]);
	is_int(parse("gemini://local%2fhost/"), REQ_BAD, "%2f again");
	is_str(why, "invalid host", "%2f: 'invalid host'");
	is_int(parse("gemini://%zz/"), REQ_BAD, "%zz again");
	is_str(why, "invalid host", "%zz: 'invalid host'");

	/* 255 decoded bytes fit host_buf; 256 do not. */
	n = strlen("gemini://");
	memcpy(line, "gemini://", n);
	for (i = 0; i < 255; i++, n += 3)
		memcpy(line + n, "%61", 3);
	memcpy(line + n, "/", 1);
	is_int(parse_len(line, n + 1), REQ_OK, "255 encoded bytes OK");
	is_int(r.host_len, 255, "255 encoded bytes: length");
	ok(r.host_len == 255 && r.host[0] == 'a' && r.host[254] == 'a',
	    "255 encoded bytes: decoded");
	memcpy(line + n, "%61/", 4);
	bad(line, n + 4, "256 encoded bytes are too long");
}

static void
test_path_query(void)
{
	is_int(parse("gemini://host/search?a=b"), REQ_OK, "query OK");
	is_mem(r.path, r.path_len, "/search", "query: path stops at '?'");
	is_mem(r.query, r.query_len, "a=b", "query is a=b");

	is_int(parse("gemini://host"), REQ_OK, "no path OK");
	ok(r.path != NULL, "no path: path is not NULL");
	is_int(r.path_len, 0, "no path: path empty");
	ok(r.query == NULL, "no path: query NULL");

	is_int(parse("gemini://host?q"), REQ_OK, "query without path OK");
	is_int(r.path_len, 0, "query without path: path empty");
	is_mem(r.host, r.host_len, "host", "query without path: host");
	is_mem(r.query, r.query_len, "q", "query without path: query");

	is_int(parse("gemini://host/?"), REQ_OK, "empty query OK");
	ok(r.query != NULL, "empty query: query not NULL");
	is_int(r.query_len, 0, "empty query: length 0");

	is_int(parse("gemini://host/a?b?c/d"), REQ_OK, "'?' in query OK");
	is_mem(r.path, r.path_len, "/a", "'?' in query: path");
	is_mem(r.query, r.query_len, "b?c/d", "'?' in query: query");

	is_int(parse("gemini://host/a%20b/%2e%2e"), REQ_OK,
	    "percent-encoding is left alone");
	is_mem(r.path, r.path_len, "/a%20b/%2e%2e",
	    "path keeps its percent-encoding");

	is_int(parse("gemini://local..host/"), REQ_OK,
	    "'..' in host parses (checked elsewhere)");
	is_mem(r.host, r.host_len, "local..host", "'..' host slice");
	is_int(parse("gemini://../"), REQ_OK, "host '..' parses");
	is_mem(r.host, r.host_len, "..", "host '..' slice");
}

int
main(void)
{
	test_normal();
	test_lengths();
	test_not_absolute();
	test_utf8();
	test_forbidden();
	test_proxy();
	test_ports();
	test_path_query();
	test_encoded_host();
	return done_testing();
}
