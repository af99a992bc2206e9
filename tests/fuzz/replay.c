/* replay: runs a libFuzzer harness over files and directories without libFuzzer, in forked children, as TAP. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct list {
	char	**v;
	size_t	  n, cap;
};

static void
usage(void)
{
	fprintf(stderr, "usage: replay [-q] file|dir ...\n"
	    "  Runs the harness on every file (a directory: the files in it,\n"
	    "  sorted, except dotfiles and README*).  Prints TAP, or with -q\n"
	    "  only the failures; ends with 'N passed, N failed'.\n");
	exit(2);
}

static void
add(struct list *l, const char *path)
{
	char	**v;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((v = realloc(l->v, l->cap * sizeof(*v))) == NULL) {
			perror("replay");
			exit(2);
		}
		l->v = v;
	}
	if ((l->v[l->n++] = strdup(path)) == NULL) {
		perror("replay");
		exit(2);
	}
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_dir(struct list *l, const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		 path[4096];
	size_t		 first = l->n;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		exit(2);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			add(l, path);
	}
	closedir(d);
	qsort(l->v + first, l->n - first, sizeof(*l->v), by_name);
}

/* The whole file in a buffer of exactly its size, so ASan sees overreads. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	uint8_t	*p;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) == -1)
		return NULL;
	if ((p = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* The child: runs inputs [from, to), telling the parent each index before it starts, then 'to'. */
static void
child(char **v, size_t from, size_t to, int fd)
{
	uint8_t	*data;
	size_t	 i, len;

	for (i = from; i <= to; i++) {
		if (write(fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
			_exit(3);
		if (i == to)
			break;
		if ((data = slurp(v[i], &len)) == NULL) {
			fprintf(stderr, "replay: %s: %s\n", v[i],
			    strerror(errno));
			_exit(3);
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
	}
	exit(0);	/* exit, not _exit: LeakSanitizer checks now */
}

/*
 * Runs inputs [from, to) in one forked child.  0 when it exited cleanly;
 * else -1 with *reached the input it was on (to: it failed at exit).
 */
static int
run_batch(char **v, size_t from, size_t to, size_t *reached)
{
	size_t	 i;
	pid_t	 pid;
	int	 fds[2], status;

	*reached = from;
	fflush(stdout);
	if (pipe(fds) == -1 || (pid = fork()) == -1) {
		perror("replay");
		exit(2);
	}
	if (pid == 0) {
		close(fds[0]);
		child(v, from, to, fds[1]);
	}
	close(fds[1]);
	while (read(fds[0], &i, sizeof(i)) == (ssize_t)sizeof(i))
		*reached = i;
	close(fds[0]);
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (*reached < to)
		fprintf(stderr, "# %s: %s %d\n", v[*reached], WIFSIGNALED(status) ?
		    "killed by signal" : "exit status", WIFSIGNALED(status) ?
		    WTERMSIG(status) : WEXITSTATUS(status));
	return -1;
}

/*
 * Fills failed[from..to): one child for all; after a crash, the inputs
 * before it again (their leaks were not checked) and a fresh child for
 * those after it; when a child fails only at exit (a leak), one per input.
 */
static void
run_range(char **v, size_t from, size_t to, char *failed)
{
	size_t	 j, reached;

	while (from < to) {
		if (run_batch(v, from, to, &reached) == 0)
			return;
		if (reached < to) {
			failed[reached] = 1;
			if (reached > from)
				run_range(v, from, reached, failed);
			from = reached + 1;
			continue;
		}
		for (j = from; j < to; j++)
			failed[j] = run_batch(v, j, j + 1, &reached) == -1;
		return;
	}
}

int
main(int argc, char *argv[])
{
	struct list	 l = { NULL, 0, 0 };
	struct stat	 st;
	size_t		 i, failed = 0;
	char		*bad;
	int		 quiet = 0, c;

	while ((c = getopt(argc, argv, "q")) != -1) {
		if (c != 'q')
			usage();
		quiet = 1;
	}
	if (optind == argc)
		usage();
	for (; optind < argc; optind++) {
		if (stat(argv[optind], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[optind],
			    strerror(errno));
			return 2;
		}
		if (S_ISDIR(st.st_mode))
			add_dir(&l, argv[optind]);
		else
			add(&l, argv[optind]);
	}
	if (!quiet)
		printf("1..%zu\n", l.n);
	if ((bad = calloc(l.n + 1, 1)) == NULL) {
		perror("replay");
		return 2;
	}
	run_range(l.v, 0, l.n, bad);
	for (i = 0; i < l.n; i++) {
		if (bad[i]) {
			failed++;
			printf("not ok %zu - %s\n", i + 1, l.v[i]);
		} else if (!quiet)
			printf("ok %zu - %s\n", i + 1, l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
	free(bad);
	printf("%s%zu passed, %zu failed\n", quiet ? "" : "# ", l.n - failed,
	    failed);
	return failed > 0;
}
