/* test_fstype: file systems told apart by statfs's magic number, and which are polled (src/fstype.c). */
#include <linux/magic.h>

#include "fstype.h"
#include "tap.h"

static void
kind(unsigned long magic, const char *name, int remote)
{
	struct fstype	 t;

	fstype_classify(magic, &t);
	ok(t.name != NULL && strcmp(t.name, name) == 0 && t.remote == remote,
	    "0x%lx is %s, %s", magic, name, remote ? "remote" : "local");
}

static void
test_remote(void)
{
	kind(NFS_SUPER_MAGIC, "nfs", 1);
	kind(CIFS_SUPER_MAGIC, "cifs", 1);
	kind(SMB2_SUPER_MAGIC, "smb2", 1);
	kind(SMB_SUPER_MAGIC, "smb", 1);
	kind(FUSE_SUPER_MAGIC, "fuse", 1);
	kind(V9FS_MAGIC, "9p", 1);
	kind(CEPH_SUPER_MAGIC, "ceph", 1);
	kind(AFS_SUPER_MAGIC, "afs", 1);
	kind(AFS_FS_MAGIC, "afs", 1);
	kind(0x0BD00BD0UL, "lustre", 1);
	kind(0x01161970UL, "gfs2", 1);
	kind(OCFS2_SUPER_MAGIC, "ocfs2", 1);
}

static void
test_local(void)
{
	struct fstype	 t;

	kind(EXT4_SUPER_MAGIC, "ext4", 0);
	kind(TMPFS_MAGIC, "tmpfs", 0);
	kind(XFS_SUPER_MAGIC, "xfs", 0);
	kind(BTRFS_SUPER_MAGIC, "btrfs", 0);
	kind(OVERLAYFS_SUPER_MAGIC, "overlay", 0);
	fstype_classify(0x12345678UL, &t);
	ok(t.name == NULL && !t.remote && t.magic == 0x12345678UL,
	    "an unknown magic: no name, watched by inotify");
	/* f_type is a signed word: CIFS's magic comes back sign-extended on 32-bit ABIs. */
	fstype_classify(0xFFFFFFFFFF534D42UL, &t);
	ok(t.name != NULL && strcmp(t.name, "cifs") == 0 && t.remote,
	    "a sign-extended CIFS magic is still cifs");
}

static void
test_of(void)
{
	struct fstype	 t;

	ok(fstype_of("/", &t) == 0, "statfs of / works");
	ok(fstype_of("/no/such/dir", &t) == -1, "statfs of a missing path: -1");
}

int
main(void)
{
	test_remote();
	test_local();
	test_of();
	return done_testing();
}
