/* replay: runs a libFuzzer harness over files and directories without libFuzzer, one forked child per input, as TAP. */
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

/* 0 when the harness returned on this input, else -1 (crash, abort, sanitizer report). */
static int
run_one(const char *path)
{
	uint8_t	*data;
	size_t	 len;
	pid_t	 pid;
	int	 status;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("replay: fork");
		return -1;
	}
	if (pid == 0) {
		if ((data = slurp(path, &len)) == NULL) {
			fprintf(stderr, "replay: %s: %s\n", path,
			    strerror(errno));
			_exit(3);
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		exit(0);	/* exit, not _exit: LeakSanitizer runs now */
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	if (WIFSIGNALED(status))
		fprintf(stderr, "# %s: killed by signal %d\n", path,
		    WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct list	 l = { NULL, 0, 0 };
	struct stat	 st;
	size_t		 i, failed = 0;
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
	for (i = 0; i < l.n; i++) {
		if (run_one(l.v[i]) == -1) {
			failed++;
			printf("not ok %zu - %s\n", i + 1, l.v[i]);
		} else if (!quiet)
			printf("ok %zu - %s\n", i + 1, l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
	printf("%s%zu passed, %zu failed\n", quiet ? "" : "# ", l.n - failed,
	    failed);
	return failed > 0;
}
