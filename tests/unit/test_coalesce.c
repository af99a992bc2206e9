/* test_coalesce: the write BIO that holds small records back and sends them together (src/coalesce.c). */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coalesce.h"
#include "tap.h"

/* A TCP connection over loopback: *w writes (non-blocking), *r reads. */
static int
tcp_pair(int *w, int *r, int small_buffers)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 l, size = 4096;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1 ||
	    (*r = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (small_buffers &&
	    setsockopt(*r, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == -1)
		return -1;
	if (connect(*r, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (*w = accept(l, NULL, NULL)) == -1)
		return -1;
	close(l);
	if (small_buffers &&
	    setsockopt(*w, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) == -1)
		return -1;
	return fcntl(*w, F_SETFL, O_NONBLOCK);
}

/* Whatever can be read within ms milliseconds, appended to buf. */
static size_t
read_now(int fd, char *buf, size_t cap, int ms)
{
	struct pollfd	 p = { .fd = fd, .events = POLLIN };
	size_t		 got = 0;
	ssize_t		 n;

	while (got < cap && poll(&p, 1, ms) == 1) {
		if ((n = recv(fd, buf + got, cap - got, MSG_DONTWAIT)) <= 0)
			break;
		got += (size_t)n;
		ms = 0;
	}
	return got;
}

/* After the writer's FIN: everything up to the end. */
static size_t
read_to_end(int fd, char *buf, size_t cap)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

/* A pair and a BIO on its writing end, or NULL after a failed check. */
static BIO *
open_pair(int *w, int *r, int small_buffers)
{
	BIO	*b = NULL;

	if (tcp_pair(w, r, small_buffers) == -1 ||
	    (b = coalesce_bio(*w)) == NULL)
		ok(0, "a loopback pair and a BIO");
	return b;
}

static void
close_pair(BIO *b, int w, int r)
{
	BIO_free(b);
	close(w);
	close(r);
}

static void
test_pass_through(void)
{
	char	 got[64];
	int	 w, r, fd = -1;
	BIO	*b;

	if ((b = open_pair(&w, &r, 0)) == NULL)
		return;
	is_int(BIO_write(b, "hello", 5), 5, "before holding, a write is taken whole");
	is_mem(got, read_now(r, got, sizeof(got), 1000), "hello",
	    "and sent at once");
	BIO_get_fd(b, &fd);
	is_int(fd, w, "BIO_get_fd gives the socket");
	is_int(BIO_flush(b), 1, "a flush with nothing held succeeds");
	close_pair(b, w, r);
}

static void
test_hold(void)
{
	char	 held[64], got[64];
	int	 w, r;
	BIO	*b;

	if ((b = open_pair(&w, &r, 0)) == NULL)
		return;
	coalesce_hold(b, held, sizeof(held));
	is_int(BIO_write(b, "ticket|", 7), 7, "while holding, a small write is taken");
	is_int(BIO_write(b, "answer|", 7), 7, "and another");
	is_int(BIO_flush(b), 1, "OpenSSL's flush succeeds");
	is_int((int)BIO_wpending(b), 14, "and leaves the bytes held");
	is_int((int)read_now(r, got, sizeof(got), 100), 0, "nothing has been sent");
	is_int(BIO_write(b, "notify", 6), 6, "a third small write is held too");
	is_int(coalesce_flush(b), 1, "coalesce_flush sends everything");
	is_int((int)BIO_wpending(b), 0, "nothing is held after it");
	is_int(BIO_write(b, "|after", 6), 6, "after the flush, writes pass through");
	is_mem(got, read_now(r, got, sizeof(got), 1000),
	    "ticket|answer|notify|after", "the peer gets all four in order");
	close_pair(b, w, r);
}

static void
test_overflow(void)
{
	char	 held[8], got[64], big[10000];
	size_t	 n;
	int	 w, r, i;
	BIO	*b;

	if ((b = open_pair(&w, &r, 0)) == NULL)
		return;
	coalesce_hold(b, held, sizeof(held));
	is_int(BIO_write(b, "12345", 5), 5, "5 bytes held of 8");
	is_int(BIO_write(b, "6789A", 5), 5, "5 more do not fit: sent with the held ones");
	is_int((int)BIO_wpending(b), 0, "nothing left held");
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	is_int(BIO_write(b, "xyz", 3), 3, "a small write is held again");
	n = (size_t)BIO_write(b, big, (int)sizeof(big));
	ok(n > 0 && n <= sizeof(big), "a large write is never copied: sent "
	    "with what is held (%zu bytes taken)", n);
	while (n < sizeof(big)) {
		int m = BIO_write(b, big + n, (int)(sizeof(big) - n));
		if (m <= 0)
			break;
		n += (size_t)m;
	}
	is_int(coalesce_flush(b), 1, "flush");
	shutdown(w, SHUT_WR);
	n = read_to_end(r, got, 13);
	is_mem(got, n, "123456789Axyz", "the peer gets held and large bytes in order");
	{
		char	*rest = malloc(sizeof(big) + 1);
		size_t	 m = rest ? read_to_end(r, rest, sizeof(big) + 1) : 0;
		ok(rest != NULL && m == sizeof(big) &&
		    memcmp(rest, big, sizeof(big)) == 0,
		    "then the large write, whole (%zu bytes)", m);
		free(rest);
	}
	close_pair(b, w, r);
}

/*
 * Small socket buffers, a stream written in pieces of every size while
 * holding: writes and flushes meet a full socket, are retried after the
 * reader drains it, and the reader must get the stream exactly.
 */
static void
test_full_socket(void)
{
	enum { TOTAL = 600000 };
	char		*stream, *got, held[2 * COALESCE_SMALL];
	size_t		 sent = 0, nread = 0, piece;
	unsigned int	 seed = 7;
	int		 w, r, retries = 0, flush_waits = 0, rc, i;
	BIO		*b;

	stream = malloc(TOTAL);
	got = malloc(TOTAL + 1);
	if (stream == NULL || got == NULL ||
	    (b = open_pair(&w, &r, 1)) == NULL) {
		free(stream);
		free(got);
		return;
	}
	for (i = 0; i < TOTAL; i++)
		stream[i] = (char)rand_r(&seed);
	coalesce_hold(b, held, sizeof(held));
	while (sent < TOTAL) {
		piece = 1 + (size_t)rand_r(&seed) % (rand_r(&seed) % 2 ?
		    COALESCE_SMALL : 20000);
		if (piece > TOTAL - sent)
			piece = TOTAL - sent;
		rc = BIO_write(b, stream + sent, (int)piece);
		if (rc > 0) {
			sent += (size_t)rc;
			continue;
		}
		if (!BIO_should_retry(b) || !BIO_should_write(b))
			break;
		retries++;
		nread += read_now(r, got + nread, TOTAL - nread, 100);
	}
	is_int((long long)sent, TOTAL, "every piece was taken");
	ok(retries > 0, "writes met a full socket and were retried (%d times)",
	    retries);
	while ((rc = coalesce_flush(b)) == 0) {
		flush_waits++;
		nread += read_now(r, got + nread, TOTAL - nread, 100);
	}
	ok(rc == 1, "the final flush completes (after %d waits)", flush_waits);
	shutdown(w, SHUT_WR);
	nread += read_to_end(r, got + nread, TOTAL + 1 - nread);
	is_int((long long)nread, TOTAL, "the reader got as many bytes");
	ok(memcmp(got, stream, TOTAL) == 0, "and the very same stream");
	close_pair(b, w, r);
	free(stream);
	free(got);
}

/* A flush that meets a full socket says so, and completes once drained. */
static void
test_flush_waits(void)
{
	static char	 big[200000], got[sizeof(big) + 16];
	char		 held[64];
	size_t		 sent = 0, nread = 0;
	int		 w, r, rc;
	BIO		*b;

	if ((b = open_pair(&w, &r, 1)) == NULL)
		return;
	memset(big, 'q', sizeof(big));
	coalesce_hold(b, held, sizeof(held));
	while (sent < sizeof(big) &&
	    (rc = BIO_write(b, big + sent, (int)(sizeof(big) - sent))) > 0)
		sent += (size_t)rc;
	ok(sent < sizeof(big) && BIO_should_retry(b),
	    "large writes fill the socket (%zu bytes taken)", sent);
	is_int(BIO_write(b, "close", 5), 5, "a small write is held meanwhile");
	is_int(coalesce_flush(b), 0, "the flush finds the socket full");
	while ((rc = coalesce_flush(b)) == 0)
		nread += read_now(r, got + nread, sizeof(got) - nread, 100);
	is_int(rc, 1, "and completes once the reader drains it");
	shutdown(w, SHUT_WR);
	nread += read_to_end(r, got + nread, sizeof(got) - nread);
	ok(nread == sent + 5 && memcmp(got + sent, "close", 5) == 0,
	    "the reader gets the large bytes, then the held ones (%zu bytes)",
	    nread);
	close_pair(b, w, r);
}

static void
test_peer_gone(void)
{
	char	 held[64], big[65536];
	int	 w, r, rc = 0, i;
	BIO	*b;

	if ((b = open_pair(&w, &r, 0)) == NULL)
		return;
	close(r);
	memset(big, 'z', sizeof(big));
	coalesce_hold(b, held, sizeof(held));
	for (i = 0; i < 10 && (rc = BIO_write(b, big, sizeof(big))) > 0; i++)
		usleep(10000);
	ok(rc == -1 && !BIO_should_retry(b), "a closed peer is an error, not "
	    "a retry, and no SIGPIPE");
	BIO_free(b);
	close(w);
}

int
main(void)
{
	test_pass_through();
	test_hold();
	test_overflow();
	test_full_socket();
	test_flush_waits();
	test_peer_gone();
	return done_testing();
}
