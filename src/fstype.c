/* fstype: which kind of file system holds a directory, and whether inotify sees every change made to it. */
#include <sys/vfs.h>

#include <linux/magic.h>
#include <stddef.h>
#include <stdint.h>

#include "fstype.h"

/* Magic numbers that <linux/magic.h> lacks, as the kernels that use them define them. */
#ifndef LUSTRE_SUPER_MAGIC
#define LUSTRE_SUPER_MAGIC	0x0BD00BD0
#endif
#ifndef GFS2_MAGIC
#define GFS2_MAGIC		0x01161970
#endif
#ifndef GPFS_SUPER_MAGIC
#define GPFS_SUPER_MAGIC	0x47504653
#endif
#ifndef ORANGEFS_DEVREQ_MAGIC
#define ORANGEFS_DEVREQ_MAGIC	0x20030528
#endif
#ifndef ZFS_SUPER_MAGIC
#define ZFS_SUPER_MAGIC		0x2FC12FC1
#endif

struct fstype_entry {
	unsigned long	 magic;
	const char	*name;
	int		 remote;
};

/* GlusterFS, sshfs, rclone and virtiofs are mounted through FUSE. */
static const struct fstype_entry fstype_table[] = {
	{ NFS_SUPER_MAGIC, "nfs", 1 },
	{ SMB_SUPER_MAGIC, "smb", 1 },
	{ CIFS_SUPER_MAGIC, "cifs", 1 },
	{ SMB2_SUPER_MAGIC, "smb2", 1 },
	{ FUSE_SUPER_MAGIC, "fuse", 1 },
	{ V9FS_MAGIC, "9p", 1 },
	{ CEPH_SUPER_MAGIC, "ceph", 1 },
	{ AFS_SUPER_MAGIC, "afs", 1 },
	{ AFS_FS_MAGIC, "afs", 1 },
	{ CODA_SUPER_MAGIC, "coda", 1 },
	{ NCP_SUPER_MAGIC, "ncp", 1 },
	{ OCFS2_SUPER_MAGIC, "ocfs2", 1 },
	{ LUSTRE_SUPER_MAGIC, "lustre", 1 },
	{ GFS2_MAGIC, "gfs2", 1 },
	{ GPFS_SUPER_MAGIC, "gpfs", 1 },
	{ ORANGEFS_DEVREQ_MAGIC, "orangefs", 1 },
	{ EXT4_SUPER_MAGIC, "ext4", 0 },
	{ XFS_SUPER_MAGIC, "xfs", 0 },
	{ BTRFS_SUPER_MAGIC, "btrfs", 0 },
	{ TMPFS_MAGIC, "tmpfs", 0 },
	{ RAMFS_MAGIC, "ramfs", 0 },
	{ OVERLAYFS_SUPER_MAGIC, "overlay", 0 },
	{ F2FS_SUPER_MAGIC, "f2fs", 0 },
	{ ZFS_SUPER_MAGIC, "zfs", 0 },
	{ SQUASHFS_MAGIC, "squashfs", 0 },
	{ EROFS_SUPER_MAGIC_V1, "erofs", 0 },
	{ ISOFS_SUPER_MAGIC, "iso9660", 0 },
	{ MSDOS_SUPER_MAGIC, "vfat", 0 },
	{ EXFAT_SUPER_MAGIC, "exfat", 0 },
};

/* f_type is a signed word: the magic is its low 32 bits on every ABI. */
void
fstype_classify(unsigned long magic, struct fstype *t)
{
	size_t	 i;

	t->magic = magic & 0xffffffffUL;
	t->name = NULL;
	t->remote = 0;
	for (i = 0; i < sizeof(fstype_table) / sizeof(fstype_table[0]); i++)
		if (fstype_table[i].magic == t->magic) {
			t->name = fstype_table[i].name;
			t->remote = fstype_table[i].remote;
			return;
		}
}

int
fstype_of(const char *path, struct fstype *t)
{
	struct statfs	 sfs;

	if (statfs(path, &sfs) == -1)
		return -1;
	fstype_classify((unsigned long)sfs.f_type, t);
	return 0;
}
