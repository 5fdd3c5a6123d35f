/* peerproc.c - a peer in another process: fork, one line when the child is ready, one byte when it may go on. */
#include "peerproc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

int peerproc_start(struct peerproc *pp)
{
	pp->ready[0] = pp->ready[1] = pp->turn[0] = pp->turn[1] = -1;
	pp->pid = -1;
	pp->status = -1;
	fflush(stdout); /* or the child would print the parent's buffered lines again */
	fflush(stderr);
	if (pipe(pp->ready) < 0 || pipe(pp->turn) < 0)
		goto fail;
	pp->pid = fork();
	if (pp->pid < 0)
		goto fail;
	if (pp->pid == 0) {
		close(pp->ready[0]), close(pp->turn[1]);
		pp->ready[0] = pp->turn[1] = -1;
		return 0;
	}
	close(pp->ready[1]), close(pp->turn[0]);
	pp->ready[1] = pp->turn[0] = -1;
	return 1;
fail:;
	int saved = errno;
	close_pair(pp->ready), close_pair(pp->turn);
	errno = saved;
	return -1;
}

int peerproc_ready(struct peerproc *pp, const char *line)
{
	size_t len = strlen(line), done = 0;

	fflush(stdout); /* what the child printed comes before the parent goes on */
	while (done <= len) { /* the line and its newline */
		ssize_t n = write(pp->ready[1], done < len ? line + done : "\n", done < len ? len - done : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Waits for fd to be readable, at most PEERPROC_WAIT_MS (again after a signal, with the whole wait).
 * 0, or -1 with errno (ETIMEDOUT). poll(2) itself, untraced: these pipes are socklab's, not the lesson.
 */
static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, PEERPROC_WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

int peerproc_wait_ready(struct peerproc *pp, char *out, size_t len)
{
	size_t got = 0;

	while (got + 1 < len) {
		if (wait_readable(pp->ready[0]) < 0)
			return -1;
		ssize_t n = read(pp->ready[0], out + got, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ECHILD; /* the child ended first, and said why on stderr */
			return -1;
		}
		if (out[got] == '\n')
			break;
		got++;
	}
	out[got] = '\0';
	return 0;
}

int peerproc_give_turn(struct peerproc *pp)
{
	fflush(stdout); /* what the parent printed comes before what the child prints next */
	for (;;) {
		ssize_t n = write(pp->turn[1], "g", 1);
		if (n == 1)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

int peerproc_wait_turn(struct peerproc *pp)
{
	char c;

	for (;;) {
		if (wait_readable(pp->turn[0]) < 0)
			return -1;
		ssize_t n = read(pp->turn[0], &c, 1);
		if (n == 1)
			return 0;
		if (n == 0) {
			errno = EPIPE; /* the parent is gone */
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

int peerproc_reap(struct peerproc *pp)
{
	int status;
	pid_t r;

	if (pp->status >= 0)
		return pp->status;
	do
		r = waitpid(pp->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	pp->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return pp->status;
}

int peerproc_finish(struct peerproc *pp)
{
	close_pair(pp->ready), close_pair(pp->turn);
	return peerproc_reap(pp);
}

void peerproc_exit(struct peerproc *pp, int code)
{
	close_pair(pp->ready), close_pair(pp->turn);
	if (fflush(stdout) != 0 && code == 0)
		code = 1;
	fflush(stderr);
	_exit(code);
}
