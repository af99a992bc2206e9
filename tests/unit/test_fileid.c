/* test_fileid: a file's identity from its stat, and when a file counts as settled (src/fileid.c). */
#include <sys/stat.h>

#include <string.h>

#include "fileid.h"
#include "tap.h"

static struct stat
regular(void)
{
	struct stat	 st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	st.st_dev = 8;
	st.st_ino = 1234;
	st.st_size = 317;
	st.st_mtim.tv_sec = 1000;
	st.st_mtim.tv_nsec = 5;
	st.st_ctim.tv_sec = 1000;
	st.st_ctim.tv_nsec = 7;
	return st;
}

static void
test_same(void)
{
	struct fileid	 id;
	struct stat	 st = regular(), other;

	fileid_of(&id, &st);
	ok(fileid_same(&id, &st), "a stat matches its own identity");
	other = st;
	other.st_dev = 9;
	ok(!fileid_same(&id, &other), "another device: not the same");
	other = st;
	other.st_ino = 1235;
	ok(!fileid_same(&id, &other), "another inode (a rename over it)");
	other = st;
	other.st_size = 318;
	ok(!fileid_same(&id, &other), "another size");
	other = st;
	other.st_mtim.tv_nsec = 6;
	ok(!fileid_same(&id, &other), "a nanosecond later mtime");
	other = st;
	other.st_ctim.tv_sec = 1001;
	ok(!fileid_same(&id, &other), "a later change time (chmod, write)");
	other = st;
	other.st_mode = S_IFLNK | 0777;
	ok(!fileid_same(&id, &other), "a symbolic link never matches");
	other.st_mode = S_IFDIR | 0755;
	ok(!fileid_same(&id, &other), "nor does a directory");
}

static void
test_settled(void)
{
	struct stat	 st = regular();

	ok(!fileid_settled(&st, 1000), "changed this second: not settled");
	ok(!fileid_settled(&st, 1001), "one second later: not yet");
	ok(fileid_settled(&st, 1002), "two seconds later: settled");
	ok(fileid_settled(&st, 5000), "long after: settled");
	st.st_ctim.tv_sec = 6000;
	ok(!fileid_settled(&st, 5000), "a change time in the future: not settled");
}

int
main(void)
{
	test_same();
	test_settled();
	return done_testing();
}
