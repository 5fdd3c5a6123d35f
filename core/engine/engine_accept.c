/* engine_accept.c - the engine takes connections: accept(2) in batches, and what to do when descriptors run out. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_private.h"
#include "core/sys/sys.h"

#define ACCEPTS_PER_WAKE 64 /* connections accepted per wake-up, so clients get a turn too */
#define ACCEPT_PAUSE_MS 100 /* out of descriptors and no spare: stop accepting this long */

/* Files the new session under its descriptor and asks the poller to watch it for input. */
static int track_fd(struct engine *e, struct session *s)
{
	int fd = s->sock.fd;

	if (fd >= e->nby_fd) {
		int n = e->nby_fd ? e->nby_fd : 256;
		while (n <= fd)
			n *= 2;
		struct session **b = realloc(e->by_fd, (size_t)n * sizeof *b);
		if (!b)
			return -1;
		memset(b + e->nby_fd, 0, (size_t)(n - e->nby_fd) * sizeof *b);
		e->by_fd = b;
		e->nby_fd = n;
	}
	if (poller_add(e->poller, fd, POLLER_IN) < 0)
		return -1;
	s->events = POLLER_IN;
	e->by_fd[fd] = s;
	return 0;
}

/*
 * Out of file descriptors, accept(2) fails with EMFILE and the connection
 * stays in the backlog, so the listener stays readable: a naive loop spins.
 * Instead, close a descriptor kept in reserve, accept the connection, close
 * it at once (the client sees its connection end), and take the reserve back.
 */
static int shed_one(struct engine *e)
{
	if (e->spare_fd < 0)
		return -1;
	close(e->spare_fd);
	struct sock c;
	int r = sock_accept(e->ls, &c);
	int saved = errno;
	if (r == 0) {
		sock_close(&c);
		e->st.refused++;
		engine_notice(e, NOTICE_REFUSED, &c.peer);
	}
	e->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	errno = saved;
	return r;
}

static void pause_accepting(struct engine *e)
{
	if (poller_mod(e->poller, e->ls->fd, 0) == 0)
		e->accept_resume_ms = sys_now_ms() + ACCEPT_PAUSE_MS;
}

void conn_resume_accepting(struct engine *e, long long now)
{
	if (e->accept_resume_ms && now >= e->accept_resume_ms && poller_mod(e->poller, e->ls->fd, POLLER_IN) == 0)
		e->accept_resume_ms = 0;
}

void conn_accept(struct engine *e)
{
	for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
		struct sock c;
		if (sock_accept(e->ls, &c) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ECONNABORTED || errno == EPROTO || errno == EPERM)
				continue; /* that client gave up before we accepted it */
			if (errno == EMFILE || errno == ENFILE) {
				if (shed_one(e) == 0)
					continue;
				/* Linux reports EMFILE before it looks at the queue: it may hold nobody. */
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
			}
			pause_accepting(e); /* no memory, or no reserve: try again later, without spinning */
			return;
		}
		struct session *s = NULL;
		if (sock_set_nonblocking(&c) < 0 || !(s = session_alloc(e))) {
			sock_close(&c);
			continue;
		}
		s->sock = c;
		engine_fit_messages(&s->sock);
		if (track_fd(e, s) < 0) {
			sock_close(&s->sock);
			free(s);
			continue;
		}
		session_opened(e, s);
	}
}

long long conn_deadline(const struct engine *e)
{
	return e->accept_resume_ms ? e->accept_resume_ms : -1;
}

void conn_init(struct engine *e)
{
	e->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* without it, shed_one() cannot shed */
}

void conn_fini(struct engine *e)
{
	if (e->spare_fd >= 0)
		close(e->spare_fd);
	free(e->by_fd);
}
