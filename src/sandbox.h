/* sandbox: drop root, confine the file system with Landlock, and the system calls with seccomp. */
#ifndef ALMANAC_SANDBOX_H
#define ALMANAC_SANDBOX_H

#include <stddef.h>

struct config;
struct host;

/*
 * Before the workers start: switch to cfg->user when running as root,
 * make the directories Titan uploads go to when missing, and limit the
 * file system to reading the capsules, the certificates and the
 * configuration file's directory (the file given, or NULL), and writing
 * the log's and the state directory.  Returns -1 only when a requested step failed.
 * the log's and where uploads go.  Returns -1 only when a requested step failed.
 */
int	sandbox_enter(const struct config *, const char *);
/*
 * Once every thread runs: the system call allow-list, for all threads,
 * with the calls writing an upload needs only when Titan is on somewhere.
 */
int	sandbox_seal(const struct config *);
/* 1 when some server block or location accepts Titan uploads. */
int	sandbox_titan_anywhere(const struct config *);
/*
 * Where uploads under location i of h (i == h->nlocations: the server
 * block itself) are written, root included: 1 with it in out, 0 when
 * Titan is off there, -1 when the pattern names no directory inside.
 */
int	sandbox_titan_dir(const struct host *, size_t, char *, size_t);

#endif
