/* supervise: a small unconfined parent that starts the confined server, starts a new one when asked, and passes signals on. */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "supervise.h"

/*
 * Landlock's rules follow inodes: a server process confined to a capsule
 * can never open the directory that replaces it (rm -rf, then a new copy).
 * Only a process started afresh can, so the server runs as the child of
 * this loop, which holds nothing but the listening sockets it inherited,
 * reads no input from clients and opens no file after start.
 */

#define RETRY_SECONDS	5	/* after a server process failed to start */
#define MSG_READY	'R'
#define MSG_REPLACE	'X'

struct child {
	pid_t	 pid;
	int	 fd;		/* read end of its message pipe, or -1 */
};

static int	 supervise_fd = -1;	/* in a server process: the write end */

void
supervise_ready(void)
{
	char	 m = MSG_READY;

	if (supervise_fd != -1 && write(supervise_fd, &m, 1) == -1)
		log_syserr("telling the supervisor");
}

void
supervise_replace_me(void)
{
	char	 m = MSG_REPLACE;

	if (supervise_fd != -1 && write(supervise_fd, &m, 1) == -1)
		log_syserr("asking the supervisor for a new server process");
}

struct supervisor {
	struct child	 cur, next, old;
	int		 sfd;
	int		 stopping;
	int		 status;
	time_t		 retry_at;
	int		 tty;		/* started from a terminal */
};

/*
 * SIGHUP asks a daemon to reload; but when the terminal it was started
 * from goes away (a closed window, `make run` left running), the same
 * signal means the session is over.  A hung-up terminal refuses
 * tcgetattr.
 */
static int
terminal_gone(const struct supervisor *s)
{
	struct termios	 t;

	return s->tty && tcgetattr(STDIN_FILENO, &t) == -1;
}

/* 1 in the new child, 0 in the supervisor (c filled in), -1 on error. */
static int
spawn(struct supervisor *s, struct child *c)
{
	int	 p[2];
	pid_t	 pid;

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_syserr("pipe");
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_syserr("fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		close(s->sfd);
		if (s->cur.fd != -1)
			close(s->cur.fd);
		if (s->next.fd != -1)
			close(s->next.fd);
		supervise_fd = p[1];
		return 1;
	}
	close(p[1]);
	c->pid = pid;
	c->fd = p[0];
	return 0;
}

static void
forget(struct child *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->pid = 0;
	c->fd = -1;
}

static void
tell(const struct child *c, int sig)
{
	if (c->pid > 0)
		(void)kill(c->pid, sig);
}

/* The last message a child sent, or 0 when its pipe is closed or empty. */
static char
message(struct child *c)
{
	char	 buf[16];
	ssize_t	 n;

	if ((n = read(c->fd, buf, sizeof(buf))) <= 0) {
		close(c->fd);
		c->fd = -1;
		return 0;
	}
	return buf[n - 1];
}

static int
exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 1;
}

/* 1 when a child was spawned and we are in it. */
static int
on_message(struct supervisor *s, struct child *from)
{
	char	 m = message(from);
	int	 rc;

	if (m == MSG_REPLACE && from == &s->cur && s->next.pid == 0 &&
	    !s->stopping && time(NULL) >= s->retry_at) {
		log_info("starting a new server process to take over from %d",
		    (int)s->cur.pid);
		if ((rc = spawn(s, &s->next)) != 0)
			return rc == 1;
	}
	if (m == MSG_READY && from == &s->next) {
		log_info("server process %d took over; stopping %d",
		    (int)s->next.pid, (int)s->cur.pid);
		tell(&s->cur, SIGTERM);
		forget(&s->old);
		s->old = s->cur;
		s->old.fd = -1;
		close(s->cur.fd);
		s->cur = s->next;
		s->next.pid = 0;
		s->next.fd = -1;
	}
	return 0;
}

static void
reap(struct supervisor *s)
{
	pid_t	 pid;
	int	 ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (pid == s->cur.pid) {
			s->status = exit_code(ws);
			forget(&s->cur);
			if (s->next.pid > 0 && !s->stopping) {
				s->cur = s->next;
				s->next.pid = 0;
				s->next.fd = -1;
			}
		} else if (pid == s->next.pid) {
			log_warn("the new server process did not start (exit "
			    "%d); the current one goes on", exit_code(ws));
			forget(&s->next);
			s->retry_at = time(NULL) + RETRY_SECONDS;
		} else if (pid == s->old.pid)
			forget(&s->old);
	}
}

static void
on_signal(struct supervisor *s)
{
	struct signalfd_siginfo	 si;

	if (read(s->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	switch (si.ssi_signo) {
	case SIGCHLD:
		reap(s);
		return;
	case SIGUSR1:
		log_reopen();
		break;
	case SIGHUP:
		if (!terminal_gone(s))
			break;
		log_info("the terminal went away: stopping");
		si.ssi_signo = SIGTERM;
		/* FALLTHROUGH */
	case SIGTERM:
	case SIGINT:
		s->stopping = 1;
		tell(&s->old, (int)si.ssi_signo);
		break;
	}
	tell(&s->cur, (int)si.ssi_signo);
	tell(&s->next, (int)si.ssi_signo);
}

/* 1 in a new child, 0 when every child has ended. */
static int
supervise_loop(struct supervisor *s)
{
	struct pollfd	 pfd[3];

	while (s->cur.pid > 0 || s->next.pid > 0 || s->old.pid > 0) {
		pfd[0].fd = s->sfd;
		pfd[1].fd = s->cur.fd;
		pfd[2].fd = s->next.fd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_syserr("poll");
			return 0;
		}
		if ((pfd[1].revents & (POLLIN | POLLHUP)) &&
		    on_message(s, &s->cur))
			return 1;
		if ((pfd[2].revents & (POLLIN | POLLHUP)) &&
		    on_message(s, &s->next))
			return 1;
		if (pfd[0].revents & POLLIN)
			on_signal(s);
	}
	return 0;
}

int
supervise_start(int *status)
{
	struct supervisor	 s;
	sigset_t		 set;
	int			 rc;

	memset(&s, 0, sizeof(s));
	s.cur.fd = s.next.fd = s.old.fd = -1;
	s.status = 1;
	s.tty = isatty(STDIN_FILENO);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (s.sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		log_syserr("signals");
		return -1;
	}
	if ((rc = spawn(&s, &s.cur)) != 0) {
		if (rc == -1)
			close(s.sfd);
		return rc;
	}
	rc = supervise_loop(&s);
	if (rc == 0) {
		close(s.sfd);
		*status = s.status;
	}
	return rc;
}
