/* check: what almanac -n finds: whether start-up will have what it needs, and what each host serves. */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "check.h"
#include "config.h"
#include "options.h"
#include "pubdates.h"
#include "sandbox.h"
#include "tls.h"
#include "watch.h"

static int
problem(FILE *err, const char *what, const char *path, const char *why)
{
	fprintf(err, "almanac: %s %s: %s\n", what, path, why);
	return -1;
}

static int
check_dir(FILE *err, const char *what, const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return problem(err, what, path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return problem(err, what, path, "not a directory");
	if (access(path, R_OK | X_OK) == -1)
		return problem(err, what, path, strerror(errno));
	return 0;
}

static int
check_readable(FILE *err, const char *what, const char *path)
{
	if (access(path, R_OK) == -1)
		return problem(err, what, path, strerror(errno));
	return 0;
}

/* The directory that holds 'path' exists and may be written in. */
static int
check_writable_dir_of(FILE *err, const char *what, const char *path)
{
	char	 copy[PATH_MAX], *dir;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (access(dir, W_OK | X_OK) == -1)
		return problem(err, what, path, strerror(errno));
	return 0;
}

/* cert.pem and key.pem, or where they will be generated. */
static int
check_certs(FILE *err, const struct host *h, char *source, size_t sz)
{
	char	 cert[PATH_MAX], key[PATH_MAX];
	int	 rc = 0, have_cert, have_key;

	if (h->cert_file != NULL) {
		snprintf(source, sz, "%s and %s", h->cert_file, h->key_file);
		rc |= check_readable(err, "certificate", h->cert_file);
		rc |= check_readable(err, "key", h->key_file);
		return rc;
	}
	snprintf(cert, sizeof(cert), "%s/cert.pem", h->certs);
	snprintf(key, sizeof(key), "%s/key.pem", h->certs);
	have_cert = access(cert, F_OK) == 0;
	have_key = access(key, F_OK) == 0;
	if (have_cert != have_key)
		return problem(err, "certificates", h->certs, "only one of "
		    "cert.pem and key.pem: add the other or remove both");
	if (have_cert) {
		snprintf(source, sz, "%s (cert.pem and key.pem)", h->certs);
		rc |= check_readable(err, "certificate", cert);
		rc |= check_readable(err, "key", key);
		return rc;
	}
	snprintf(source, sz, "%s (generated on first start)", h->certs);
	if (access(h->certs, F_OK) == 0)
		return access(h->certs, W_OK | X_OK) == 0 ? 0 :
		    problem(err, "certificates", h->certs, strerror(errno));
	return check_writable_dir_of(err, "certificates", h->certs);
}

static int
check_allow_files(FILE *err, const struct rules *r)
{
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < r->nallow_files; i++)
		rc |= check_readable(err, "allow list", r->allow_files[i]);
	return rc;
}

/* Where a location's FastCGI application is, and what it is sent besides. */
static void
print_fastcgi(FILE *out, const struct rules *r)
{
	const struct fastcgi_app	*a = r->fastcgi;
	size_t				 i;

	if (r->fastcgi_off)
		fprintf(out, " fastcgi off;");
	if (a == NULL)
		return;
	if (a->socket_path != NULL)
		fprintf(out, " FastCGI to unix:%s", a->socket_path);
	else
		fprintf(out, " FastCGI to tcp:%s:%s", a->tcp_host,
		    a->tcp_port);
	fprintf(out, " (at most %d connections);", a->max_conns != -1 ?
	    a->max_conns : FASTCGI_MAX_CONNS);
	for (i = 0; i < a->nparams; i++)
		fprintf(out, " fastcgi param %s \"%s\";", a->params[i].name,
		    a->params[i].value);
}

static void
print_rules(FILE *out, const struct rules *r)
{
	size_t	 i;

	if (r->lang != NULL)
		fprintf(out, " lang %s;", r->lang);
	if (r->default_type != NULL)
		fprintf(out, " default type %s;", r->default_type);
	if (r->auto_index != -1)
		fprintf(out, " auto index %s;", r->auto_index ? "on" : "off");
	if (r->index != NULL)
		fprintf(out, " index %s;", r->index);
	if (r->block_code != 0)
		fprintf(out, " block return %d \"%s\";", r->block_code,
		    r->block_meta);
	if (r->require_cert == 1)
		fprintf(out, " requires a client certificate;");
	for (i = 0; i < r->nallow; i++)
		fprintf(out, " allows %s;", r->allow[i]);
	for (i = 0; i < r->nallow_files; i++)
		fprintf(out, " allows those in %s;", r->allow_files[i]);
	print_fastcgi(out, r);
	if (r->titan == 1)
		fprintf(out, " titan on;");
	if (r->ntitan_tokens > 0)	/* never the tokens themselves */
		fprintf(out, " %zu titan token%s;", r->ntitan_tokens,
		    r->ntitan_tokens == 1 ? "" : "s");
	if (r->titan_max_size != -1 && r->titan_max_size != TITAN_MAX_SIZE)
		fprintf(out, " titan max size %lld;", r->titan_max_size);
}

static void
print_host(FILE *out, const struct config *cfg, const struct host *h,
    const char *source)
{
	char	 host[256], port[16] = "1965", fp[ACCESS_FP_COLON_SIZE],
		 spki[ACCESS_FP_COLON_SIZE], watched[256];
	enum config_watch	 how;
	size_t	 i;
	int	 poll_s;

	if (cfg->nlisten > 0)
		(void)options_split_listen(cfg->listen[0], host, sizeof(host),
		    port, sizeof(port));
	if (strcmp(port, "1965") == 0)
		fprintf(out, "gemini://%s/\n", h->name);
	else
		fprintf(out, "gemini://%s:%s/\n", h->name, port);
	for (i = 0; i < h->naliases; i++)
		fprintf(out, "  alias %s\n", h->aliases[i]);
	fprintf(out, "  root %s\n", h->root);
	how = config_watch_of(cfg, h, &poll_s);
	(void)watch_plan(h->root, how, poll_s, watched, sizeof(watched));
	fprintf(out, "  capsule %s\n  certificate %s\n", watched, source);
	if (tls_file_fingerprints(h, fp, spki, sizeof(fp)) == 0)
		fprintf(out, "  certificate SHA-256 %s\n  public key SHA-256 "
		    "%s (Lagrange, Amfora)\n", fp, spki);
	fprintf(out, "  serves:");
	print_rules(out, &h->r);
	fprintf(out, "\n");
	for (i = 0; i < h->nlocations; i++) {
		fprintf(out, "  location \"%s\":", h->locations[i].pattern);
		print_rules(out, &h->locations[i].r);
		fprintf(out, "\n");
	}
}

/*
 * Not a reason to refuse the start: without its state directory almanac
 * dates the feeds by modification time, and says so here.
 */
static void
check_state(const struct config *cfg, FILE *out, FILE *err)
{
	char	 why[512];

	if (pubdates_prepare_dir(cfg->state_dir, cfg->user, 0, why,
	    sizeof(why)) == 0)
		fprintf(out, "publication dates kept in %s%s\n", cfg->state_dir,
		    access(cfg->state_dir, F_OK) == 0 ? "" : " (made at start)");
	else
		fprintf(err, "almanac: warning: state directory %s: %s; the "
		    "feeds would date pages by their modification time\n",
		    cfg->state_dir, why);
}

/* Whether 'user' (NULL: this process) may make and delete files in 'dir'. */
static int
user_can_write(const char *user, const char *dir)
{
	struct passwd	*pw;
	struct stat	 st;
	gid_t		 groups[64];
	int		 n = 64, i;

	if (user == NULL || geteuid() != 0)
		return access(dir, W_OK | X_OK) == 0;
	if ((pw = getpwnam(user)) == NULL || stat(dir, &st) == -1)
		return 0;
	if (pw->pw_uid == 0)
		return 1;
	if (st.st_uid == pw->pw_uid)
		return (st.st_mode & 0300) == 0300;
	if (getgrouplist(user, pw->pw_gid, groups, &n) == -1)
		n = 0;
	for (i = 0; i < n; i++)
		if (groups[i] == st.st_gid)
			return (st.st_mode & 0030) == 0030;
	return (st.st_mode & 0003) == 0003;
}

/*
 * Where uploads go, or the deepest part of it that exists (start-up makes
 * the rest): the user the server runs as must be able to write there.
 */
static int
check_titan(FILE *err, const struct config *cfg, const struct host *h)
{
	char	 dir[PATH_MAX], *slash;
	size_t	 i;
	int	 rc = 0, on;

	for (i = 0; i <= h->nlocations; i++) {
		if ((on = sandbox_titan_dir(h, i, dir, sizeof(dir))) == 0)
			continue;
		if (on == -1) {
			rc |= problem(err, "titan location",
			    h->locations[i].pattern, "names no directory "
			    "inside the capsule");
			continue;
		}
		while (access(dir, F_OK) == -1 && strlen(dir) > strlen(h->root) &&
		    (slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		if (!user_can_write(cfg->user, dir))
			rc |= problem(err, "titan uploads in", dir, cfg->user !=
			    NULL ? "the --user cannot write there" :
			    strerror(errno));
	}
	return rc;
}

int
check_config(const struct config *cfg, FILE *out, FILE *err)
{
	char	 source[PATH_MAX * 2 + 32];
	size_t	 i, j;
	int	 rc = 0;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		source[0] = '\0';
		rc |= check_dir(err, "root", h->root);
		rc |= check_certs(err, h, source, sizeof(source));
		rc |= check_allow_files(err, &h->r);
		for (j = 0; j < h->nlocations; j++)
			rc |= check_allow_files(err, &h->locations[j].r);
		rc |= check_titan(err, cfg, h);
		print_host(out, cfg, h, source);
	}
	if (cfg->log_file != NULL && access(cfg->log_file, F_OK) == 0)
		rc |= access(cfg->log_file, W_OK) == 0 ? 0 :
		    problem(err, "log file", cfg->log_file, strerror(errno));
	else if (cfg->log_file != NULL)
		rc |= check_writable_dir_of(err, "log file", cfg->log_file);
	check_state(cfg, out, err);
	return rc == 0 ? 0 : -1;
}
