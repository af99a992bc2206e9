/* sandbox: drop root, confine the file system with Landlock, and the system calls with seccomp. */
#ifndef ALMANAC_SANDBOX_H
#define ALMANAC_SANDBOX_H

struct config;

/*
 * Before the workers start: switch to cfg->user when running as root, and
 * limit the file system to reading the capsules, the certificates and the
 * configuration file's directory (the file given, or NULL), and writing
 * the log's and the state directory.  Returns -1 only when a requested step failed.
 */
int	sandbox_enter(const struct config *, const char *);
/* Once every thread runs: the system call allow-list, for all threads. */
int	sandbox_seal(void);

#endif
