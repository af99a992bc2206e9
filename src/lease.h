/* lease: whether any process still has a file open for writing, asked of the kernel with a read lease. */
#ifndef ALMANAC_LEASE_H
#define ALMANAC_LEASE_H

enum lease_verdict {
	LEASE_HELD,	/* no writer: the lease is ours until lease_drop() */
	LEASE_WRITER,	/* some process has the file open for writing */
	LEASE_UNKNOWN	/* no lease here (another owner without CAP_LEASE, a file system without leases) */
};

/*
 * Takes a read lease on 'fd', a regular file open read-only.  While it is
 * held, a process that opens the file for writing, or truncates it, waits
 * until lease_drop(): hold it only for a moment.
 */
enum lease_verdict	lease_take(int);
void			lease_drop(int);

#endif
