/* supervise: a small unconfined parent that starts the confined server, starts a new one when asked, and passes signals on. */
#ifndef ALMANAC_SUPERVISE_H
#define ALMANAC_SUPERVISE_H

/*
 * Forks the first server process.  Returns 1 in each server process the
 * supervisor starts, which then serves; -1 if it cannot fork.  In the
 * supervisor it returns 0 once every server process has ended, with the
 * exit status of the last one in '*status'.  Call it with SIGCHLD,
 * SIGTERM, SIGINT, SIGHUP and SIGUSR1 blocked and before any thread starts.
 */
int	supervise_start(int *status);
/* In a server process: it is serving; the supervisor stops the one it replaces. */
void	supervise_ready(void);
/*
 * In a server process: a new process must take over (the capsule root was
 * replaced by a directory this process's sandbox cannot reach).  The
 * supervisor starts one, and stops this one, gracefully, once the new one
 * is ready.
 */
void	supervise_replace_me(void);

#endif
