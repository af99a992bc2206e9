/* lease: whether any process still has a file open for writing, asked of the kernel with a read lease. */
#include <errno.h>
#include <fcntl.h>

#include "lease.h"

/*
 * The kernel refuses a read lease (EAGAIN) while any process has the file
 * open for writing or mapped writable: a fact about the file at this
 * moment, whether the watcher has seen the writer's events or not, and
 * whatever way the file arrived (a rename, a hard link, O_TMPFILE and
 * linkat, truncate without open).  Breaking a lease sends SIGIO, which the
 * server ignores; the lease is dropped long before a writer would wait.
 */
enum lease_verdict
lease_take(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		return LEASE_HELD;
	return errno == EAGAIN ? LEASE_WRITER : LEASE_UNKNOWN;
}

void
lease_drop(int fd)
{
	(void)fcntl(fd, F_SETLEASE, F_UNLCK);
}
