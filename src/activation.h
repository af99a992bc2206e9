/* activation: listening sockets handed over by systemd, by the protocol of sd_listen_fds(3), without libsystemd. */
#ifndef ALMANAC_ACTIVATION_H
#define ALMANAC_ACTIVATION_H

#include <stddef.h>

/*
 * The sockets passed to this process (LISTEN_PID is ours, LISTEN_FDS of
 * them from descriptor 3 on), each checked to be a listening stream
 * socket, into fds[0..*n).  The variables are then removed, so that no
 * child takes them for its own.  0 when none were passed, 1 when some
 * were, -1 after logging why they cannot be used.
 */
int	activation_fds(int *fds, size_t max, size_t *n);

#endif
