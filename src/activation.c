/* activation: listening sockets handed over by systemd, by the protocol of sd_listen_fds(3), without libsystemd. */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "log.h"

#define FIRST_FD	3	/* SD_LISTEN_FDS_START */

static int
number(const char *s, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int
is_listening_stream(int fd)
{
	int		 type, listening;
	socklen_t	 len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_STREAM)
		return 0;
	len = sizeof(listening);
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &len) == 0 && listening;
}

int
activation_fds(int *fds, size_t max, size_t *n)
{
	long	 pid, count, i;
	int	 flags;

	*n = 0;
	if (number(getenv("LISTEN_PID"), &pid) == -1 || pid != getpid() ||
	    number(getenv("LISTEN_FDS"), &count) == -1 || count == 0)
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if ((size_t)count > max) {
		log_error("socket activation: %ld sockets, at most %zu",
		    count, max);
		return -1;
	}
	for (i = 0; i < count; i++) {
		int fd = FIRST_FD + (int)i;
		if (!is_listening_stream(fd)) {
			log_error("socket activation: descriptor %d is not a "
			    "listening stream socket", fd);
			return -1;
		}
		if ((flags = fcntl(fd, F_GETFD)) == -1 ||
		    fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1 ||
		    (flags = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
			log_syserr("socket activation: descriptor %d", fd);
			return -1;
		}
		fds[(*n)++] = fd;
	}
	return 1;
}
