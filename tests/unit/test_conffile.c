/* test_conffile: the configuration file parser: every option, defaults, errors and their lines (src/conffile.c). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "config.h"
#include "tap.h"

static struct config	 cfg;
static char		 err[512];

/* Parses text[0..len) into a fresh cfg, as "t.conf". */
static int
parse_len(const char *text, size_t len)
{
	config_free(&cfg);
	config_init(&cfg);
	memset(err, 0, sizeof(err));
	return conffile_parse(text, len, "t.conf", &cfg, err, sizeof(err));
}

static int
parse(const char *text)
{
	return parse_len(text, strlen(text));
}

static void
good(const char *text, const char *name)
{
	if (!is_int(parse(text), 0, name))
		fprintf(stderr, "#   error: %s\n", err);
}

/* The error must be "t.conf:LINE: " followed by text containing 'want'. */
static void
bad_len(const char *text, size_t len, int line, const char *want)
{
	char	 prefix[32];
	int	 rc;

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	rc = parse_len(text, len);
	if (!ok(rc == -1 && strncmp(err, prefix, strlen(prefix)) == 0 &&
	    strstr(err + strlen(prefix), want) != NULL, "%s... : %s",
	    prefix, want))
		fprintf(stderr, "#   returned %d, error: '%s'\n", rc, err);
}

static void
bad(const char *text, int line, const char *want)
{
	bad_len(text, strlen(text), line, want);
}

static const char full[] =
    "# almanac.conf for two capsules\n"
    "\n"
    "listen \"localhost:1965\"\n"
    "listen [::]:1966          # bare word\n"
    "workers 4\n"
    "user \"almanac\"\n"
    "log \"/var/log/almanac.log\"\n"
    "syslog yes\n"
    "log-format common\n"
    "request-timeout 11\n"
    "write-timeout 12\n"
    "max-lifetime 613\n"
    "max-connections 5000\n"
    "max-per-address 8\n"
    "rate-per-address 3\n"
    "\n"
    "server \"example.org\" {\n"
    "\talias \"www.example.org\"\n"
    "\talias gemini.example.org\n"
    "\troot \"/var/gemini/example.org\"\n"
    "\tcerts \"/etc/almanac/example.org\"\n"
    "\tlang \"en\"\n"
    "\tfeed-entries 50\n"
    "}\n"
    "\n"
    "server example.net {\n"
    "\troot /var/gemini/example.net\n"
    "\tcert \"/etc/ssl/example.net/fullchain.pem\"\n"
    "\tkey \"/etc/ssl/example.net/privkey.pem\"\n"
    "\tlang fr-CA\n"
    "\tfeed-entries 100000\n"
    "}\n";

static void
test_full(void)
{
	const struct host	*a = &cfg.hosts[0], *b = &cfg.hosts[1];

	good(full, "a full file parses");
	is_int(cfg.nlisten, 2, "two listen addresses");
	is_str(cfg.listen[0], "localhost:1965", "listen 1");
	is_str(cfg.listen[1], "[::]:1966", "listen 2");
	is_int(cfg.workers, 4, "workers");
	is_str(cfg.user, "almanac", "user");
	is_str(cfg.log_file, "/var/log/almanac.log", "log");
	is_int(cfg.log_syslog, 1, "syslog");
	is_int(cfg.log_format, LOG_FORMAT_COMMON, "log-format");
	is_int(cfg.request_timeout_ms, 11000, "request-timeout in ms");
	is_int(cfg.write_timeout_ms, 12000, "write-timeout in ms");
	is_int(cfg.lifetime_ms, 613000, "max-lifetime in ms");
	is_int(cfg.max_conns, 5000, "max-connections");
	is_int(cfg.max_per_addr, 8, "max-per-address");
	is_int(cfg.rate_per_addr, 3, "rate-per-address");
	is_int(cfg.nhosts, 2, "two hosts");

	is_str(a->name, "example.org", "host 1: name");
	is_int(a->naliases, 2, "host 1: two aliases");
	is_str(a->aliases[0], "www.example.org", "host 1: alias 1");
	is_str(a->aliases[1], "gemini.example.org", "host 1: alias 2");
	is_str(a->root, "/var/gemini/example.org", "host 1: root");
	is_str(a->certs, "/etc/almanac/example.org", "host 1: certs");
	is_str(a->cert_file, NULL, "host 1: no cert file");
	is_str(a->key_file, NULL, "host 1: no key file");
	is_str(a->r.lang, "en", "host 1: lang");
	is_int(a->feed_max, 50, "host 1: feed-entries");

	is_str(b->name, "example.net", "host 2: name");
	is_int(b->naliases, 0, "host 2: no alias");
	is_str(b->root, "/var/gemini/example.net", "host 2: root");
	is_str(b->certs, "certs", "host 2: certs keeps its default");
	is_str(b->cert_file, "/etc/ssl/example.net/fullchain.pem",
	    "host 2: cert");
	is_str(b->key_file, "/etc/ssl/example.net/privkey.pem", "host 2: key");
	is_str(b->r.lang, "fr-CA", "host 2: lang");
	is_int(b->feed_max, 100000, "host 2: feed-entries");
	is_int(config_finish(&cfg, err, sizeof(err)), 0,
	    "config_finish accepts it");
	is_int(cfg.nlisten, 2, "config_finish adds no listen address");
}

static void
test_defaults(void)
{
	struct config	 def;

	config_init(&def);
	good("", "an empty file parses");
	ok(cfg.nhosts == 0 && cfg.nlisten == 0, "empty: no host, no listen");
	ok(memcmp(&cfg, &def, sizeof(def)) == 0, "empty: config unchanged");
	good("# only a comment", "a comment alone parses");
	good("\n\n   \t\n", "blank lines parse");

	good("server example.org {\n}\n", "an empty server block");
	is_int(cfg.nhosts, 1, "one host");
	is_str(cfg.hosts[0].root, "capsule", "default root");
	is_str(cfg.hosts[0].certs, "certs", "default certs");
	is_str(cfg.hosts[0].r.lang, "en", "default lang");
	is_int(cfg.hosts[0].feed_max, 100, "default feed-entries");
	is_int(cfg.hosts[0].naliases, 0, "no alias");
	is_int(cfg.request_timeout_ms, 10000, "default request-timeout");
	is_int(cfg.write_timeout_ms, 10000, "default write-timeout");
	is_int(cfg.lifetime_ms, 600000, "default max-lifetime");
	is_int(cfg.max_conns, 10000, "default max-connections");
	is_int(cfg.max_per_addr, 64, "default max-per-address");
	is_int(cfg.rate_per_addr, 0, "default rate-per-address");
	is_int(cfg.workers, 0, "default workers");
	is_int(cfg.log_syslog, 0, "default syslog");
	is_int(cfg.log_format, LOG_FORMAT_ALMANAC, "default log-format");
	ok(cfg.user == NULL && cfg.log_file == NULL, "no user, no log file");
	is_int(config_finish(&cfg, err, sizeof(err)), 0, "config_finish");
	is_int(cfg.nlisten, 1, "config_finish: the default listen address");
	is_str(cfg.listen[0], "localhost:1965", "default listen address");

	good("workers 2\n", "globals without a server block");
	is_int(cfg.nhosts, 0, "no host: config_finish adds localhost");
	config_finish(&cfg, err, sizeof(err));
	is_str(cfg.hosts[0].name, "localhost", "config_finish: localhost");
	config_free(&def);
}

static void
test_syntax(void)
{
	good("# comment\nworkers 3 # trailing comment\n\n\t  # indented\n",
	    "comments and blank lines");
	is_int(cfg.workers, 3, "value before a comment");
	good("user \"a # not a comment\"\n", "'#' inside a string");
	is_str(cfg.user, "a # not a comment", "'#' kept inside a string");
	good("user \"say \\\"hi\\\" \\\\ bye\"\n", "escapes");
	is_str(cfg.user, "say \"hi\" \\ bye", "\\\" and \\\\ decoded");
	good("user \"\\\\\"\n", "a string that is one escaped backslash");
	is_str(cfg.user, "\\", "one backslash");
	good("log /a/b\\c\n", "a bare word keeps its backslash");
	is_str(cfg.log_file, "/a/b\\c", "bare backslash");
	good("log \"with  two\tblanks\"\n", "blanks inside a string");
	is_str(cfg.log_file, "with  two\tblanks", "blanks kept");
	good("\tworkers\t\t5\t\n", "tabs between words");
	is_int(cfg.workers, 5, "tabs: value");
	good("workers 007\n", "leading zeros");
	is_int(cfg.workers, 7, "leading zeros: value");
	good("server \"x\"{\n}\n", "'{' right after the name");
	good("server x{\n}# done", "'{' after a bare name, comment after '}'");
	is_str(cfg.hosts[0].name, "x", "bare name");
	good("syslog \"yes\"\nlog-format \"almanac\"\n", "quoted keywords");
	is_int(cfg.log_syslog, 1, "quoted yes");
	good("syslog yes\nsyslog no\n", "syslog no");
	is_int(cfg.log_syslog, 0, "syslog: the last one wins");

	good("workers 3", "no final newline");
	is_int(cfg.workers, 3, "no final newline: value");
	good("server a {\n}", "'}' without a final newline");
	is_int(cfg.nhosts, 1, "'}' at the end: one host");
	good("user \"x\"", "a string at the very end");
	is_str(cfg.user, "x", "string at the end: value");
	good("\xef\xbb\xbfworkers 2\n", "a UTF-8 byte order mark is skipped");
	is_int(cfg.workers, 2, "after the byte order mark");
	good("user \"\xc3\xa9t\xc3\xa9\"\n", "UTF-8 in a string");
	is_str(cfg.user, "\xc3\xa9t\xc3\xa9", "UTF-8 kept");
}

static void
test_crlf(void)
{
	good("# comment\r\nworkers 6\r\nserver \"a\" {\r\n\troot \"/r\"\r\n"
	    "\talias b\r\n}\r\n", "CRLF line endings");
	is_int(cfg.workers, 6, "CRLF: number");
	is_str(cfg.hosts[0].root, "/r", "CRLF: quoted string");
	is_str(cfg.hosts[0].aliases[0], "b", "CRLF: bare word");
	good("workers 6\r\n\r\nlog /x\r", "CRLF, last line ends in CR alone");
	is_str(cfg.log_file, "/x", "CRLF: no CR in the value");
	bad("workers 1\r\n\r\nlsten x\r\n", 3, "unknown option 'lsten'");
	bad("user \"x\r\n\"\r\n", 1, "unterminated string");
}

static void
test_last_wins(void)
{
	good("workers 1\nworkers 2\nuser a\nuser b\nlog x\nlog y\n"
	    "log-format common\nlog-format almanac\nrequest-timeout 5\n"
	    "request-timeout 6\n", "globals twice");
	is_int(cfg.workers, 2, "workers: the last one wins");
	is_str(cfg.user, "b", "user: the last one wins");
	is_str(cfg.log_file, "y", "log: the last one wins");
	is_int(cfg.log_format, LOG_FORMAT_ALMANAC, "log-format: last wins");
	is_int(cfg.request_timeout_ms, 6000, "request-timeout: last wins");
	good("server a {\nroot r1\nroot r2\ncerts c1\ncerts c2\nlang de\n"
	    "lang it\nfeed-entries 1\nfeed-entries 2\ncert a\ncert b\n"
	    "key k\nkey l\n}\n", "host options twice");
	is_str(cfg.hosts[0].root, "r2", "root: the last one wins");
	is_str(cfg.hosts[0].certs, "c2", "certs: the last one wins");
	is_str(cfg.hosts[0].r.lang, "it", "lang: the last one wins");
	is_int(cfg.hosts[0].feed_max, 2, "feed-entries: the last one wins");
	is_str(cfg.hosts[0].cert_file, "b", "cert: the last one wins");
	is_str(cfg.hosts[0].key_file, "l", "key: the last one wins");
	good("listen a:1\nlisten b:2\nlisten \"*:3\"\nlisten :4\n",
	    "listen is repeatable");
	ok(cfg.nlisten == 4 && strcmp(cfg.listen[0], "a:1") == 0 &&
	    strcmp(cfg.listen[3], ":4") == 0, "listen: all four, in order");
}

/* "name value" with value out of range, at line 2 */
static void
range(const char *name, const char *value, const char *want)
{
	char	 text[128];

	snprintf(text, sizeof(text), "# x\n%s %s\n", name, value);
	bad(text, 2, want);
}

static void
host_range(const char *name, const char *value, const char *want)
{
	char	 text[128];

	snprintf(text, sizeof(text), "server h {\n%s %s\n}\n", name, value);
	bad(text, 2, want);
}

static void
test_numbers(void)
{
	range("request-timeout", "0", "expected a number from 1 to 3600");
	range("request-timeout", "3601", "expected a number from 1 to 3600");
	range("write-timeout", "0", "expected a number from 1 to 3600");
	range("write-timeout", "3601", "expected a number from 1 to 3600");
	range("max-lifetime", "0", "expected a number from 1 to 86400");
	range("max-lifetime", "86401", "expected a number from 1 to 86400");
	range("max-connections", "0", "from 1 to 1000000");
	range("max-connections", "1000001", "from 1 to 1000000");
	range("max-per-address", "1000001", "from 0 to 1000000");
	range("rate-per-address", "1000001", "from 0 to 1000000");
	range("workers", "65", "from 0 to 64");
	range("workers", "-1", "from 0 to 64");
	range("workers", "+1", "from 0 to 64");
	range("workers", "1x", "not '1x'");
	range("workers", "0x10", "from 0 to 64");
	range("workers", "99999999999999999999999999999999", "from 0 to 64");
	range("workers", "\"4\"", "without quotes");
	range("request-timeout", "ten", "for 'request-timeout', not 'ten'");
	host_range("feed-entries", "0", "expected a number from 1 to 100000");
	host_range("feed-entries", "100001", "from 1 to 100000");

	good("request-timeout 3600\nwrite-timeout 1\nmax-lifetime 86400\n"
	    "max-connections 1000000\nmax-per-address 0\n"
	    "rate-per-address 1000000\nworkers 64\n", "the limits themselves");
	is_int(cfg.request_timeout_ms, 3600000, "request-timeout 3600");
	is_int(cfg.write_timeout_ms, 1000, "write-timeout 1");
	is_int(cfg.lifetime_ms, 86400000, "max-lifetime 86400");
	is_int(cfg.max_conns, 1000000, "max-connections 1000000");
	is_int(cfg.max_per_addr, 0, "max-per-address 0, no limit");
	is_int(cfg.rate_per_addr, 1000000, "rate-per-address 1000000");
	is_int(cfg.workers, 64, "workers 64");
}

static void
test_values(void)
{
	bad("\nsyslog maybe\n", 2, "'syslog' is yes or no, not 'maybe'");
	bad("log-format apache\n", 1, "almanac or common, not 'apache'");
	bad("user\n", 1, "'user' needs a value");
	bad("user", 1, "'user' needs a value");
	bad("user # none\n", 1, "'user' needs a value");
	bad("user \"\"\n", 1, "'user' needs a value");
	bad("user {\n", 1, "'user' needs a value");
	bad("user a b\n", 1, "'user' takes one value");
	bad("user \"a\" \"b\"\n", 1, "'user' takes one value");
	bad("user \"a\"b\n", 1, "'user' takes one value");
	bad("log x }\n", 1, "'log' takes one value");
	bad("listen localhost\n", 1, "listen 'localhost': expected HOST:PORT");
	bad("listen localhost:\n", 1, "expected HOST:PORT");
	bad("listen localhost:65536\n", 1, "expected HOST:PORT");
	bad("listen localhost:123456\n", 1, "expected HOST:PORT");
	bad("listen localhost:http\n", 1, "expected HOST:PORT");
	good("listen [::1]:0\n", "port 0 (any free port)");
	bad("server a {\nlang \"en; x=y\"\n}\n", 2, "'lang' is a language tag");
	bad("server a {\nlang \"\"\n}\n", 2, "'lang' needs a value");
	good("server a {\nlang en,fr\n}\n", "lang: a list of tags");
	bad("server \"a b\" {\n}\n", 1, "server name 'a b': only letters");
	bad("server \"a,DNS:b\" {\n}\n", 1, "only letters");
	bad("server a {\nalias \"b/c\"\n}\n", 2, "alias 'b/c': only letters");
	good("server 192.0.2.1 {\nalias ::1\nalias under_score\n}\n",
	    "addresses and '_' as names");
}

static void
test_options(void)
{
	bad("workers 1\n\nlsten \"x:1\"\n", 3, "unknown option 'lsten'");
	bad("root /x\n", 1, "'root' belongs inside a server block");
	bad("alias a\n", 1, "'alias' belongs inside a server block");
	bad("feed-entries 3\n", 1, "inside a server block");
	bad("cert x\n", 1, "inside a server block");
	bad("server a {\n}\nlang en\n", 3, "'lang' belongs inside a server");
	bad("server a {\nworkers 2\n}\n", 2,
	    "'workers' is a global option: put it outside server blocks");
	bad("server a {\n  listen x:1\n}\n", 2, "'listen' is a global option");
	bad("\"workers\" 2\n", 1, "expected an option name");
	bad("{\n", 1, "'{' without 'server NAME'");
	bad("server a {\n{\n}\n", 2, "'{' without 'server NAME'");
	bad("}\n", 1, "'}' without a server block");
	bad("server a {\n}\n}\n", 3, "'}' without a server block");
	bad("workers 1 # ok\n\x01\n", 2, "unexpected byte \\x01");
	bad_len("workers 1\n\0\n", 12, 2, "unexpected byte \\x00");
	bad_len("user \"a\0b\"\n", 11, 1, "control character \\x00");
	bad("user \"a\x1b[31m\"\n", 1, "control character \\x1b");
	bad("user \"a\x7f\"\n", 1, "control character \\x7f");
	good("user \"a\tb\"\n", "a tab is allowed in a string");
	bad("unknown-option-with-a-long-name-that-goes-on-and-on-and-on-and-"
	    "on-and-on-and-on\n", 1, "unknown option 'unknown-option-with");
}

static void
test_strings(void)
{
	bad("\n\nuser \"almanac\n", 3, "unterminated string");
	bad("user \"almanac", 1, "unterminated string");
	bad("user \"", 1, "unterminated string");
	bad("user \"a\\\"\n", 1, "unterminated string");
	bad("user \"a\\\n\"\n", 1, "unterminated string");
	bad("user \"a\\", 1, "unterminated string");
	bad("user \"a\\n\"\n", 1, "unknown escape");
	bad("user \"\\x41\"\n", 1, "unknown escape");
}

static void
test_blocks(void)
{
	bad("# x\nserver \"a\" {\n\troot /r\n", 2,
	    "missing '}' for server 'a'");
	bad("server a {\nroot /r", 1, "missing '}'");
	bad("server b {\n}\nserver a {\n", 3, "missing '}'");
	bad("server {\n}\n", 1, "server block without a name");
	bad("server \"\" {\n}\n", 1, "server block without a name");
	bad("server\n", 1, "server block without a name");
	bad("server", 1, "server block without a name");
	bad("server a\n{\n}\n", 1, "expected '{' after the server name");
	bad("server a b {\n}\n", 1, "expected '{' after the server name");
	bad("server a\n", 1, "expected '{'");
	bad("server a { root /x\n}\n", 1, "nothing may follow '{'");
	bad("server a {\n} server b {\n}\n", 2, "nothing may follow '}'");
	bad("server a {\nserver b {\n}\n}\n", 2,
	    "server blocks do not nest: missing '}' for server 'a' of line 1");
	bad("server a {\ncert /c\n}\n", 2,
	    "'cert' without 'key' in server 'a'");
	bad("server a {\n\n\nkey /k\n}\n", 4, "'key' without 'cert'");
	bad("server a {\ncert /c\n}\nserver b {\nkey /k\n}\n", 2,
	    "'cert' without 'key'");
	good("server a {\nkey /k\ncert /c\n}\n", "key then cert");
}

/* location blocks and the options a server or a location can set */
static void
test_locations(void)
{
	const struct host	*h;
	const struct location	*l;

	good("server a {\n"
	    "\tdefault type \"text/plain\"\n"
	    "\tauto index off\n"
	    "\tlocation \"/private/*\" {\n"
	    "\t\trequire client certificate\n"
	    "\t\tallow client \"SHA256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"\n"
	    "\t\tallow clients \"/etc/almanac/friends\"\n"
	    "\t\tlang \"fr\"\n"
	    "\t}\n"
	    "\tlocation \"/old/*\" {\n"
	    "\t\tblock return 31 \"/new%p\"\n"
	    "\t}\n"
	    "\tlocation *.txt {\n"
	    "\t\tblock\n"
	    "\t\tindex \"start.gmi\"\n"
	    "\t\tauto index on\n"
	    "\t}\n"
	    "}\n", "a server with three locations");
	h = &cfg.hosts[0];
	is_int((int)h->nlocations, 3, "three locations, in file order");
	is_str(h->r.default_type, "text/plain", "the server's default type");
	is_int(h->r.auto_index, 0, "the server's auto index off");
	l = &h->locations[0];
	is_str(l->pattern, "/private/*", "first pattern");
	is_int(l->r.require_cert, 1, "require client certificate");
	is_int((int)l->r.nallow, 1, "allow client");
	is_str(l->r.allow[0], "SHA256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", "  as written");
	is_str(l->r.allow_files[0], "/etc/almanac/friends", "allow clients");
	is_str(l->r.lang, "fr", "lang in a location");
	is_int(l->r.auto_index, -1, "auto index unset in the location");
	ok(l->r.index == NULL && l->r.default_type == NULL,
	    "index and default type unset in the location");
	l = &h->locations[1];
	is_int(l->r.block_code, 31, "block return 31");
	is_str(l->r.block_meta, "/new%p", "  with its META as written");
	l = &h->locations[2];
	is_str(l->pattern, "*.txt", "a bare-word pattern");
	is_int(l->r.block_code, 51, "block alone is block return 51");
	is_str(l->r.block_meta, "not found", "  with 'not found'");
	is_str(l->r.index, "start.gmi", "index in a location");
	is_int(l->r.auto_index, 1, "auto index on");
	good("server a {\nblock return 40\n}\n", "block return without META");
	is_int(cfg.hosts[0].r.block_code, 40, "  in a server block");
	bad("location \"/x\" {\n}\n", 1, "belongs inside a server block");
	bad("server a {\nlocation \"/x\" {\nlocation \"/y\" {\n}\n}\n}\n", 3,
	    "location blocks do not nest");
	bad("server a {\nlocation \"/x\" {\nroot /r\n}\n}\n", 3,
	    "'root' does not belong in a location block");
	bad("server a {\nlocation \"/x\" {\n}\n", 1, "missing '}' for server");
	bad("server a {\nlocation \"/x\" {\n", 2, "missing '}' for the location");
	bad("server a {\nlocation \"/x\"\n}\n", 2, "expected location");
	bad("server a {\nblock return 20 \"x\"\n}\n", 2,
	    "status of 30, 31 or 40 to 59, not 20");
	bad("server a {\nblock return 60\n}\n", 2, "not 60");
	bad("server a {\nblock return\n}\n", 2, "'block return' needs a value");
	bad("server a {\nblock return 51 a b\n}\n", 2, "at most two values");
	bad("server a {\nblock now\n}\n", 2, "'block' takes no value");
	bad("server a {\nauto index maybe\n}\n", 2, "on or off, not 'maybe'");
	bad("server a {\nauto\n}\n", 2, "unknown option 'auto'");
	bad("server a {\ndefault type \"gemini\"\n}\n", 2, "is a media type");
	bad("server a {\nindex \"a/b.gmi\"\n}\n", 2, "without '/'");
	bad("server a {\nrequire client certificate now\n}\n", 2,
	    "takes no value");
	bad("server a {\nallow client\n}\n", 2, "'allow client' needs a value");
	bad("server a {\nallow client \"SHA256:ab\"\n}\n", 2,
	    "'allow client' takes a SHA-256 fingerprint");
	bad("lang en\n", 1, "'lang' belongs inside a server block");
}

static void
test_names(void)
{
	bad("server a {\n}\nserver a {\n}\n", 3,
	    "server name 'a' is already used by server 'a'");
	bad("server Example.ORG {\n}\nserver example.org. {\n}\n", 3,
	    "already used by server 'Example.ORG'");
	bad("server a {\nalias b\n}\nserver b {\n}\n", 4,
	    "server name 'b' is already used by server 'a'");
	bad("server a {\n}\nserver b {\nalias a\n}\n", 4,
	    "alias 'a' is already used by server 'a'");
	bad("server a {\nalias a\n}\n", 2, "alias 'a' is already used");
	bad("server a {\nalias c\nalias C\n}\n", 3,
	    "alias 'C' is already used");
	bad("server a {\nalias c\n}\nserver b {\nalias c\n}\n", 5,
	    "alias 'c' is already used by server 'a'");
}

/* head, n lines of "prefix<i>suffix", then tail, in one heap string. */
static char *
repeat(const char *head, const char *prefix, const char *suffix, int n,
    const char *tail)
{
	size_t	 size = strlen(head) + (size_t)n * (strlen(prefix) +
		    strlen(suffix) + 16) + strlen(tail) + 1;
	char	*s = malloc(size);
	size_t	 len;
	int	 i;

	if (s == NULL)
		abort();
	len = (size_t)snprintf(s, size, "%s", head);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, size - len, "%s%d%s", prefix,
		    i, suffix);
	snprintf(s + len, size - len, "%s", tail);
	return s;
}

static void
test_limits(void)
{
	char	*s;

	s = repeat("", "listen h:", "\n", MAX_LISTEN, "");
	good(s, "MAX_LISTEN listen addresses");
	is_int(cfg.nlisten, MAX_LISTEN, "all of them");
	free(s);
	s = repeat("", "listen h:", "\n", MAX_LISTEN + 1, "");
	bad(s, MAX_LISTEN + 1, "more than 16 listen addresses");
	free(s);

	s = repeat("", "server h", " {\n}\n", MAX_HOSTS, "");
	good(s, "MAX_HOSTS server blocks");
	is_int(cfg.nhosts, MAX_HOSTS, "all of them");
	free(s);
	s = repeat("", "server h", " {\n}\n", MAX_HOSTS + 1, "");
	bad(s, 2 * MAX_HOSTS + 1, "more than 32 server blocks");
	free(s);

	s = repeat("server h {\n", "alias a", "\n", MAX_ALIASES, "}\n");
	good(s, "MAX_ALIASES aliases");
	is_int(cfg.hosts[0].naliases, MAX_ALIASES, "all of them");
	free(s);
	s = repeat("server h {\n", "alias a", "\n", MAX_ALIASES + 1, "}\n");
	bad(s, MAX_ALIASES + 2, "more than 16 aliases in server 'h'");
	free(s);
}

static void
test_error_buffer(void)
{
	char	 small[12];

	config_free(&cfg);
	config_init(&cfg);
	memset(small, 'x', sizeof(small));
	is_int(conffile_parse("lsten x\n", 8, "t.conf", &cfg, small,
	    sizeof(small)), -1, "a small error buffer");
	is_str(small, "t.conf:1: u", "the message is cut and terminated");
	is_int(conffile_parse("lsten x\n", 8, "t.conf", &cfg, NULL, 0), -1,
	    "no error buffer at all");
	is_int(conffile_parse(NULL, 0, "t.conf", &cfg, small, sizeof(small)),
	    0, "no text at all");
}

/* Writes 'len' bytes of 'text' to a new temporary file; its name in path. */
static int
temp_file(char *path, size_t pathsz, const char *text, size_t len)
{
	int	 fd;

	snprintf(path, pathsz, "/tmp/test_conffile.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

static void
load_text(const char *text, size_t len, int want, const char *name)
{
	char	 path[64];

	if (!ok(temp_file(path, sizeof(path), text, len) == 0,
	    "%s: temporary file", name))
		return;
	config_free(&cfg);
	config_init(&cfg);
	err[0] = '\0';
	if (!is_int(conffile_load(path, &cfg, err, sizeof(err)), want, name))
		fprintf(stderr, "#   error: %s\n", err);
	if (want == -1)
		ok(strncmp(err, path, strlen(path)) == 0, "%s: error names "
		    "the file", name);
	unlink(path);
}

static void
test_load(void)
{
	char	*big;
	size_t	 mib = 1024 * 1024;

	load_text(full, strlen(full), 0, "load: the full file");
	is_int(cfg.nhosts, 2, "load: two hosts");
	is_str(cfg.hosts[1].key_file, "/etc/ssl/example.net/privkey.pem",
	    "load: the last value");
	load_text("workers 1\nlsten\n", 16, -1, "load: a syntax error");
	ok(strstr(err, ":2: unknown option 'lsten'") != NULL,
	    "load: the error has its line");

	if ((big = malloc(mib + 1)) == NULL)
		abort();
	memset(big, '#', mib + 1);
	memcpy(big + mib - 11, "\nworkers 9\n", 11);
	load_text(big, mib, 0, "load: a file of exactly 1 MiB");
	is_int(cfg.workers, 9, "load: the end of a 1 MiB file is read");
	memcpy(big + mib - 10, "#workers 9\n", 11);
	load_text(big, mib + 1, -1, "load: a file larger than 1 MiB");
	ok(strstr(err, "larger than") != NULL, "load: says it is too large");
	free(big);

	config_free(&cfg);
	config_init(&cfg);
	is_int(conffile_load("/nonexistent/almanac.conf", &cfg, err,
	    sizeof(err)), -1, "load: a missing file");
	is_str(err, "/nonexistent/almanac.conf: No such file or directory",
	    "load: the system's reason");
	is_int(conffile_load("/tmp", &cfg, err, sizeof(err)), -1,
	    "load: a directory");
	is_str(err, "/tmp: Is a directory", "load: a directory's reason");
}

static uint32_t
rnd(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* The error, when there is one, always has the "t.conf:LINE: " form. */
static int
well_formed_error(int rc)
{
	char	*end;

	if (rc == 0)
		return 1;
	if (strncmp(err, "t.conf:", 7) != 0)
		return 0;
	errno = 0;
	return strtol(err + 7, &end, 10) > 0 && errno == 0 &&
	    strncmp(end, ": ", 2) == 0 && end[2] != '\0';
}

/*
 * A small fuzzer for the sanitizers: every prefix of the full file, then
 * random mutations of it, must parse or fail cleanly, never crash or leak.
 */
static void
test_mutations(void)
{
	static const char	 alphabet[] = "\"\\#{}\n\r\t x0:-\0\x80\xff";
	char			 text[sizeof(full)];
	size_t			 len = sizeof(full) - 1, i;
	uint32_t		 state = 2463534242u;
	int			 n, j, all = 1, bad_errors = 0;

	for (i = 0; i <= len; i++) {
		memcpy(text, full, i);
		if (!well_formed_error(parse_len(text, i)))
			bad_errors++;
	}
	is_int(bad_errors, 0, "every prefix of the full file: errors well "
	    "formed");
	for (n = 0; n < 20000; n++) {
		memcpy(text, full, len);
		for (j = 0; j < 1 + n % 4; j++)
			text[rnd(&state) % len] = rnd(&state) % 2 ?
			    alphabet[rnd(&state) % (sizeof(alphabet) - 1)] :
			    (char)rnd(&state);
		if (!well_formed_error(parse_len(text, len - rnd(&state) %
		    8))) {
			all = 0;
			fprintf(stderr, "#   bad error: '%s'\n", err);
		}
	}
	ok(all, "20000 mutations of the full file: errors well formed");
}

/* watch: global for every capsule, a server block's for its own. */
static void
test_watch(void)
{
	int	 secs = 0;

	good("server a {\n}\n", "no watch option");
	ok(config_watch_of(&cfg, &cfg.hosts[0], &secs) == CONFIG_WATCH_AUTO &&
	    secs == CONFIG_POLL_SECONDS, "without it: detected, polling every "
	    "%d s if polled", CONFIG_POLL_SECONDS);
	good("watch poll 1\nserver a {\n}\nserver b {\nwatch inotify\n}\n"
	    "server c {\nwatch poll 7\n}\nserver d {\nwatch auto\n}\n",
	    "watch globally and in server blocks");
	ok(config_watch_of(&cfg, &cfg.hosts[0], &secs) == CONFIG_WATCH_POLL &&
	    secs == 1, "a block without it: the global 'watch poll 1'");
	ok(config_watch_of(&cfg, &cfg.hosts[1], &secs) == CONFIG_WATCH_INOTIFY,
	    "'watch inotify' in a block wins");
	ok(config_watch_of(&cfg, &cfg.hosts[2], &secs) == CONFIG_WATCH_POLL &&
	    secs == 7, "'watch poll 7' in a block");
	ok(config_watch_of(&cfg, &cfg.hosts[3], &secs) == CONFIG_WATCH_AUTO,
	    "'watch auto' in a block goes back to detection");
	good("watch poll\n", "'watch poll' without an interval");
	is_int(cfg.watch_poll_s, CONFIG_POLL_SECONDS,
	    "  polls at the default interval");
	bad("watch poll 0\n", 1, "expected a number from 1 to 3600 for 'watch'");
	bad("watch poll 3601\n", 1, "from 1 to 3600");
	bad("watch poll x\n", 1, "not 'x'");
	bad("watch inotify 3\n", 1, "'watch' is inotify, poll, poll SECONDS "
	    "or auto, not 'inotify 3'");
	bad("watch poll:3\n", 1, "not 'poll:3'");
	bad("watch\n", 1, "'watch' needs a value");
	bad("watch poll 1 2\n", 1, "at most two values");
	bad("server a {\nlocation \"/x\" {\nwatch poll\n}\n}\n", 3,
	    "'watch' does not belong in a location block");
}

/* proxy ...: gmid's words, into the location's proxy settings. */
static void
test_proxy(void)
{
	const struct proxy_conf	*pc;

	good("server a {\n location \"/o/*\" {\n  proxy relay-to "
	    "\"up.example:1966\"\n  proxy sni \"b.example\"\n  proxy "
	    "verifyname off\n  proxy cert \"c.pem\"\n  proxy key \"k.pem\"\n"
	    " }\n}\n", "a location relayed");
	pc = &cfg.hosts[0].locations[0].r.proxy;
	is_str(pc->relay_to, "up.example:1966", "relay-to");
	is_str(pc->sni, "b.example", "sni");
	is_int(pc->noverifyname, 1, "verifyname off");
	is_str(pc->cert, "c.pem", "cert");
	is_str(pc->key, "k.pem", "key");
	ok(cfg.hosts[0].r.proxy.relay_to == NULL, "the server block is not");
	good("server a {\n location \"/o/*\" {\n  proxy relay-to "
	    "\"[::1]:1965\"\n }\n}\n", "an IPv6 upstream");
	bad("server a {\n location \"/o/*\" {\n  proxy relay-to \"up\"\n"
	    " }\n}\n", 3, "'proxy relay-to' takes HOST:PORT");
	bad("server a {\n location \"/o/*\" {\n  proxy relay-to \":1965\""
	    "\n }\n}\n", 3, "'proxy relay-to' takes HOST:PORT");
	bad("server a {\n location \"/o/*\" {\n  proxy verifyname no\n }\n"
	    "}\n", 3, "'proxy verifyname' is on or off");
	bad("server a {\n location \"/o/*\" {\n  proxy sni \"a b\"\n }\n"
	    "}\n", 3, "'proxy sni' takes a host name");
	bad("proxy relay-to \"a:1\"\n", 1, "inside a server block");
}

int
main(void)
{
	config_init(&cfg);
	test_full();
	test_defaults();
	test_syntax();
	test_crlf();
	test_last_wins();
	test_numbers();
	test_values();
	test_options();
	test_strings();
	test_blocks();
	test_locations();
	test_names();
	test_limits();
	test_error_buffer();
	test_watch();
	test_load();
	test_mutations();
	test_proxy();
	config_free(&cfg);
	return done_testing();
}
