/* sandbox: drop root, confine the file system with Landlock, and the system calls with seccomp. */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <sys/stat.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "options.h"
#include "sandbox.h"
#include "titan.h"

/* Newer than Debian 12's kernel headers; the kernel says which it knows. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_RULE_NET_PORT		2
#define LANDLOCK_ACCESS_NET_CONNECT_TCP	(1ULL << 1)
struct landlock_net_port_attr {
	__u64	 allowed_access;
	__u64	 port;
} __attribute__((packed));
#endif

/* The ruleset with its network rights, which ABI 4 added. */
struct sandbox_ruleset {
	__u64	 handled_access_fs;
	__u64	 handled_access_net;
};

/*
 * CAP_LEASE alone survives the switch: a read lease on a file another user
 * owns is how the server tells whether a writer still has a page open
 * (src/lease.c).  It grants nothing else.
 */
static int
keep_only_lease(void)
{
	struct __user_cap_header_struct	 hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0
	};
	struct __user_cap_data_struct	 data[2];

	memset(data, 0, sizeof(data));
	data[CAP_LEASE / 32].effective = 1u << (CAP_LEASE % 32);
	data[CAP_LEASE / 32].permitted = 1u << (CAP_LEASE % 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

static int
drop_user(const char *name)
{
	struct passwd	*pw;

	if (geteuid() != 0) {
		log_warn("--user %s ignored: not started as root", name);
		return 0;
	}
	if ((pw = getpwnam(name)) == NULL) {
		log_warn("--user %s: no such user", name);
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(1, &pw->pw_gid) == -1 || setresgid(pw->pw_gid,
	    pw->pw_gid, pw->pw_gid) == -1 || setresuid(pw->pw_uid, pw->pw_uid,
	    pw->pw_uid) == -1 || keep_only_lease() == -1 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1) {
		log_syserr("cannot switch to user %s", name);
		return -1;
	}
	if (setuid(0) != -1) {
		log_warn("still able to become root after switching to %s",
		    name);
		return -1;
	}
	log_info("running as user %s (uid %d), with no capability but "
	    "CAP_LEASE", name, (int)pw->pw_uid);
	return 0;
}

static int
landlock_abi(void)
{
	return (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
}

/* Every file-system right this kernel's Landlock knows, so all are denied by default. */
static __u64
handled_rights(int abi)
{
	__u64	 rights = LANDLOCK_ACCESS_FS_EXECUTE |
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		rights |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return rights;
}

/* What the rules granted, for the log line. */
struct grants {
	struct buf	 read, write;
};

static int
allow_path(int ruleset, const char *path, __u64 rights, struct buf *said)
{
	struct landlock_path_beneath_attr	 attr;
	char					 real[PATH_MAX];
	int					 fd, rc;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		log_syserr("landlock: %s", path);
		return -1;
	}
	attr.parent_fd = fd;
	attr.allowed_access = rights;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
	if (rc == -1)
		log_syserr("landlock: %s", path);
	close(fd);
	if (rc == 0 && said != NULL)
		buf_printf(said, "%s%s", said->len > 0 ? ", " : "",
		    realpath(path, real) != NULL ? real : path);
	return rc;
}

/*
 * The directory holding a file, so that the file may be replaced there by
 * a rename (as editors, sed -i and certificate renewals do).
 */
static int
allow_dir_of(int ruleset, const char *path, __u64 rights, struct buf *said)
{
	char	 copy[PATH_MAX];

	if ((size_t)snprintf(copy, sizeof(copy), "%s", path) >= sizeof(copy)) {
		log_warn("landlock: %s: name too long", path);
		return -1;
	}
	return allow_path(ruleset, dirname(copy), rights, said);
}

/* The directories of a host's allow-list files, read again when they change. */
static int
allow_list_dirs(int ruleset, const struct host *h, __u64 rights,
    struct buf *said)
{
	size_t	 i, j;
	int	 rc = 0;

	for (i = 0; i < h->r.nallow_files; i++)
		rc |= allow_dir_of(ruleset, h->r.allow_files[i], rights, said);
	for (j = 0; j < h->nlocations; j++)
		for (i = 0; i < h->locations[j].r.nallow_files; i++)
			rc |= allow_dir_of(ruleset,
			    h->locations[j].r.allow_files[i], rights, said);
	return rc;
}

/* 1 when the rules, over the server block's, accept Titan uploads. */
static int
titan_on(const struct host *h, const struct rules *r)
{
	return r->titan == 1 || (r->titan == -1 && h->r.titan == 1);
}

int
sandbox_titan_dir(const struct host *h, size_t i, char *out, size_t outsz)
{
	char	 rel[PATH_MAX];

	if (i == h->nlocations) {
		if (h->r.titan != 1)
			return 0;
		rel[0] = '\0';
	} else if (!titan_on(h, &h->locations[i].r))
		return 0;
	else if (titan_pattern_dir(h->locations[i].pattern, rel,
	    sizeof(rel)) == -1)
		return -1;
	if ((size_t)snprintf(out, outsz, "%s%s%s", h->root, rel[0] ? "/" : "",
	    rel) >= outsz)
		return -1;
	return 1;
}

/* mkdir -p of the part of 'dir' below the root 'root'. */
static int
make_below(const char *root, const char *dir)
{
	char	 path[PATH_MAX];
	size_t	 i, rootlen = strlen(root);

	snprintf(path, sizeof(path), "%s", dir);
	for (i = rootlen + 1; path[i - 1] != '\0'; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			log_syserr("titan: cannot make %s", path);
			return -1;
		}
		path[i] = c;
	}
	return 0;
}

/*
 * Where uploads go: for each location with 'titan on', the deepest
 * capsule directory its pattern covers, made if missing (as the user the
 * server runs as).  With a ruleset, writing there is granted.
 */
static int
titan_dirs(int ruleset, const struct host *h, __u64 rights, struct buf *said)
{
	char	 dir[PATH_MAX];
	size_t	 i;
	int	 rc = 0, on;

	for (i = 0; i <= h->nlocations; i++) {
		if ((on = sandbox_titan_dir(h, i, dir, sizeof(dir))) == 0)
			continue;
		if (on == -1) {
			log_warn("titan: location \"%s\" names no directory "
			    "inside the capsule", h->locations[i].pattern);
			rc = -1;
		} else if (ruleset == -1) {
			if (strlen(dir) > strlen(h->root) &&
			    make_below(h->root, dir) == -1)
				rc = -1;
		} else
			rc |= allow_path(ruleset, dir, rights, said);
	}
	return rc;
}

int
sandbox_titan_anywhere(const struct config *cfg)
{
	size_t	 i, j;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		if (h->r.titan == 1)
			return 1;
		for (j = 0; j < h->nlocations; j++)
			if (titan_on(h, &h->locations[j].r))
				return 1;
	}
	return 0;
}

/*
 * The state directory, where the publication dates are replaced by
 * rename: made at start when missing (src/pubdates.c), so a path that is
 * still not a directory is one the dates go without, and nothing is
 * granted.
 */
static int
allow_state_dir(int ruleset, const char *dir, struct buf *said)
{
	struct stat	 st;

	if (dir == NULL || stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return 0;
	return allow_path(ruleset, dir, LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE, said);
}

/*
 * Exactly what serving reads and writes: each capsule itself (not the
 * directory holding it: a capsule replaced by a new directory is served by
 * a new process, see src/supervise.c), the certificates, the
 * configuration file's and the allow lists' directories, and the log's
 * and the state directory for writing.
 */
static int
add_rules(int ruleset, const struct config *cfg, const char *config_file,
    struct grants *g, int abi)
{
	const __u64	 upload = LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_DIR |
	    (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
	const __u64	 read = LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		rc |= allow_path(ruleset, h->root, read, &g->read);
		if (h->cert_file != NULL) {
			rc |= allow_dir_of(ruleset, h->cert_file, read,
			    &g->read);
			rc |= allow_dir_of(ruleset, h->key_file, read,
			    &g->read);
		} else
			rc |= allow_path(ruleset, h->certs, read, &g->read);
	}
	for (i = 0; i < cfg->nhosts; i++) {
		rc |= allow_list_dirs(ruleset, &cfg->hosts[i], read, &g->read);
		rc |= titan_dirs(ruleset, &cfg->hosts[i], upload, &g->write);
	}
	if (config_file != NULL)
		rc |= allow_dir_of(ruleset, config_file, read, &g->read);
	if (cfg->ticket_keys != NULL)
		rc |= allow_dir_of(ruleset, cfg->ticket_keys, read, &g->read);
	if (cfg->log_file != NULL)
		rc |= allow_dir_of(ruleset, cfg->log_file,
		    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG,
		    &g->write);
	rc |= allow_state_dir(ruleset, cfg->state_dir, &g->write);
	rc |= allow_path(ruleset, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE,
	    NULL);
	return rc;
}

/* The TCP port of relay_to, or -1. */
static int
relay_port(const char *relay_to)
{
	char	 host[256], port[16];

	if (options_split_listen(relay_to, host, sizeof(host), port,
	    sizeof(port)) == -1)
		return -1;
	return atoi(port);
}

static int
add_port(int ruleset, int port, struct buf *said)
{
	struct landlock_net_port_attr	 attr;

	attr.allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP;
	attr.port = (__u64)port;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_NET_PORT,
	    &attr, 0) == -1) {
		log_syserr("landlock: TCP port %d", port);
		return -1;
	}
	buf_printf(said, "%s%d", said->len > 0 ? ", " : "", port);
	return 0;
}

/* The port of a proxy's upstream and of a FastCGI application on TCP. */
static int
allow_port(int ruleset, const struct rules *r, struct buf *said)
{
	int	 rc = 0, port;

	if (r->proxy.relay_to != NULL) {
		if ((port = relay_port(r->proxy.relay_to)) == -1)
			return -1;
		rc |= add_port(ruleset, port, said);
	}
	if (r->fastcgi != NULL && r->fastcgi->tcp_host != NULL)
		rc |= add_port(ruleset, atoi(r->fastcgi->tcp_port), said);
	return rc;
}

/*
 * TCP connections only to the ports of the proxies' upstreams
 * ('proxy relay-to') and of FastCGI applications on TCP ('fastcgi
 * socket tcp'); none when there are neither.  Ports, not
 * addresses: Landlock knows no more.
 */
static int
add_net_rules(int ruleset, const struct config *cfg, struct buf *said)
{
	size_t	 i, j;
	int	 rc = 0;

	for (i = 0; i < cfg->nhosts; i++) {
		const struct host *h = &cfg->hosts[i];
		rc |= allow_port(ruleset, &h->r, said);
		for (j = 0; j < h->nlocations; j++)
			rc |= allow_port(ruleset, &h->locations[j].r, said);
	}
	return rc;
}

static int
confine_files(const struct config *cfg, const char *config_file)
{
	struct sandbox_ruleset		 attr;
	struct grants			 g;
	struct buf			 ports;
	int				 abi, ruleset, rc;

#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer reads /proc when the process exits. */
	(void)cfg;
	(void)config_file;
	log_info("Landlock is off in this sanitizer build");
	return 0;
#endif
	if ((abi = landlock_abi()) < 1) {
		log_info("Landlock is not available on this kernel: the file "
		    "system is not confined beyond the capsule checks");
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled_rights(abi);
	/* Before ABI 4, TCP connections cannot be confined: all are allowed. */
	if (abi >= 4)
		attr.handled_access_net = LANDLOCK_ACCESS_NET_CONNECT_TCP;
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, abi >= 4 ?
	    sizeof(attr) : sizeof(attr.handled_access_fs), 0);
	if (ruleset == -1) {
		log_syserr("landlock_create_ruleset");
		return -1;
	}
	buf_init(&g.read);
	buf_init(&g.write);
	buf_init(&ports);
	rc = add_rules(ruleset, cfg, config_file, &g, abi);
	if (abi >= 4)
		rc |= add_net_rules(ruleset, cfg, &ports);
	if (rc != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) == -1) {
		if (rc == 0)
			log_syserr("landlock");
		rc = -1;
	} else
		log_info("Landlock (ABI %d): read-only %s; writable %s; "
		    "TCP connections to %s%s; nothing else", abi,
		    g.read.len > 0 ? g.read.data : "nothing",
		    g.write.len > 0 ? g.write.data : "nothing",
		    abi < 4 ? "any port (this kernel cannot confine them)" :
		    ports.len > 0 ? "port " : "none",
		    abi >= 4 && ports.len > 0 ? ports.data : "");
	close(ruleset);
	buf_free(&g.read);
	buf_free(&g.write);
	buf_free(&ports);
	return rc;
}

int
sandbox_enter(const struct config *cfg, const char *config_file)
{
	size_t	 i;
	int	 rc = 0;

	if (cfg->user != NULL && drop_user(cfg->user) == -1)
		return -1;
	if (cfg->user == NULL && geteuid() == 0)
		log_warn("running as root: use --user to drop privileges");
	for (i = 0; i < cfg->nhosts; i++)
		rc |= titan_dirs(-1, &cfg->hosts[i], 0, NULL);
	if (rc != 0)
		return -1;
	return confine_files(cfg, config_file);
}

#if defined(__SANITIZE_ADDRESS__) || !defined(__x86_64__)
/*
 * LeakSanitizer stops the world with ptrace at exit; and the allow-list
 * below names x86-64 system calls.
 */
int
sandbox_seal(const struct config *cfg)
{
	(void)cfg;
	log_info("seccomp is off in this build: system calls are not "
	    "filtered");
	return 0;
}
#else
#define ALLOW(nr)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define KILL(nr)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

/*
 * What serving needs once started: sockets, epoll, reading files, memory,
 * threads' futexes, inotify, syslog's socket, and replacing a state file.  Running a program or
 * tracing one kills the process; anything else not listed fails with EPERM.
 */
static struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	KILL(__NR_execve), KILL(__NR_execveat), KILL(__NR_ptrace),
	ALLOW(__NR_read), ALLOW(__NR_write), ALLOW(__NR_readv),
	ALLOW(__NR_writev), ALLOW(__NR_pread64), ALLOW(__NR_lseek),
	ALLOW(__NR_close), ALLOW(__NR_openat), ALLOW(__NR_openat2),
	ALLOW(__NR_newfstatat), ALLOW(__NR_fstat), ALLOW(__NR_statx),
	ALLOW(__NR_getdents64), ALLOW(__NR_fcntl), ALLOW(__NR_ioctl),
	ALLOW(__NR_readlink), ALLOW(__NR_readlinkat),
	ALLOW(__NR_dup), ALLOW(__NR_dup2), ALLOW(__NR_dup3),
	ALLOW(__NR_faccessat), ALLOW(__NR_faccessat2), ALLOW(__NR_access),
	ALLOW(__NR_epoll_wait), ALLOW(__NR_epoll_pwait), ALLOW(__NR_epoll_ctl),
	ALLOW(__NR_poll), ALLOW(__NR_ppoll), ALLOW(__NR_accept4),
	ALLOW(__NR_accept), ALLOW(__NR_shutdown), ALLOW(__NR_setsockopt),
	ALLOW(__NR_getsockopt), ALLOW(__NR_getsockname), ALLOW(__NR_sendto),
	ALLOW(__NR_recvfrom), ALLOW(__NR_sendmsg), ALLOW(__NR_recvmsg),
	ALLOW(__NR_sendfile), ALLOW(__NR_socket), ALLOW(__NR_connect),
	ALLOW(__NR_futex), ALLOW(__NR_mmap), ALLOW(__NR_munmap),
	ALLOW(__NR_mremap), ALLOW(__NR_mprotect), ALLOW(__NR_brk),
	ALLOW(__NR_madvise), ALLOW(__NR_rt_sigprocmask),
	ALLOW(__NR_rt_sigreturn), ALLOW(__NR_exit), ALLOW(__NR_exit_group),
	ALLOW(__NR_getrandom), ALLOW(__NR_clock_gettime),
	ALLOW(__NR_clock_nanosleep), ALLOW(__NR_nanosleep), ALLOW(__NR_gettid),
	ALLOW(__NR_getpid), ALLOW(__NR_tgkill), ALLOW(__NR_sched_yield),
	ALLOW(__NR_restart_syscall), ALLOW(__NR_inotify_add_watch),
	ALLOW(__NR_inotify_rm_watch), ALLOW(__NR_prlimit64),
	ALLOW(__NR_getrlimit), ALLOW(__NR_uname), ALLOW(__NR_rseq),
	ALLOW(__NR_set_robust_list), ALLOW(__NR_sigaltstack),
	/* Replacing the publication dates' file (src/pubdates.c). */
	ALLOW(__NR_fsync), ALLOW(__NR_rename), ALLOW(__NR_renameat),
	ALLOW(__NR_renameat2), ALLOW(__NR_unlinkat),
};

/*
 * What a Titan upload adds to the calls the publication dates already
 * need (fsync, rename, unlink): directories made, a file's mode set.
 */
static const struct sock_filter upload_calls[] = {
	ALLOW(__NR_fdatasync), ALLOW(__NR_mkdirat), ALLOW(__NR_fchmod),
	ALLOW(__NR_ftruncate),
};

static const struct sock_filter deny =
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));

#define NBASE	(sizeof(filter) / sizeof(filter[0]))
#define NUPLOAD	(sizeof(upload_calls) / sizeof(upload_calls[0]))

int
sandbox_seal(const struct config *cfg)
{
	static struct sock_filter	 all[NBASE + NUPLOAD + 1];
	struct sock_fprog		 prog = { .filter = all };
	size_t				 n = NBASE;

	memcpy(all, filter, sizeof(filter));
	if (sandbox_titan_anywhere(cfg)) {
		memcpy(all + n, upload_calls, sizeof(upload_calls));
		n += NUPLOAD;
	}
	all[n++] = deny;
	prog.len = (unsigned short)n;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		if (errno == ENOSYS || errno == EINVAL) {
			log_info("seccomp is not available here: system calls "
			    "are not filtered");
			return 0;
		}
		log_syserr("seccomp");
		return -1;
	}
	log_info("seccomp: %u-instruction system call allow-list for all "
	    "threads%s", prog.len, n > NBASE + 1 ? ", with what Titan uploads "
	    "write" : "");
	return 0;
}
#endif
