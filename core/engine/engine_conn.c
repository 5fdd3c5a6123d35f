/* engine_conn.c - the engine's connected clients: accept, read, send what the socket takes, queue the rest. */
#ifdef __linux__
#define _GNU_SOURCE /* POLLRDHUP: see peer_ended() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_private.h"
#include "core/sys/sys.h"

#define ACCEPTS_PER_WAKE 64 /* connections accepted per wake-up, so clients get a turn too */
#define ACCEPT_PAUSE_MS 100 /* out of descriptors and no spare: stop accepting this long */

/* Watch for what the session needs now. Reading stops while paused, after the peer's end, or when closing. */
static void update_interest(struct session *s)
{
	unsigned want = (s->paused || s->peer_eof || s->closing ? 0 : POLLER_IN) | (outq_empty(&s->out) ? 0 : POLLER_OUT);

	if (want != s->events && poller_mod(s->e->poller, s->sock.fd, want) == 0)
		s->events = want;
}

/* Pauses reading from a client whose replies pile up, and resumes once half have gone. */
static void apply_backpressure(struct session *s)
{
	size_t queued = outq_size(&s->out);

	if (!s->paused && queued > s->e->opt.out_limit) {
		s->paused = 1;
		engine_notice(s->e, NOTICE_PAUSED, session_peer(s));
	} else if (s->paused && queued <= s->e->opt.out_limit / 2) {
		s->paused = 0;
	}
}

/* Hands queued output to the socket until it is empty or full. */
static void flush(struct session *s)
{
	size_t len;
	const void *p;

	while ((p = outq_front(&s->out, &len)) != NULL) {
		ssize_t n = sock_send(&s->sock, p, len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				session_end_later(s, SESSION_ERROR);
			break;
		}
		outq_pop(&s->out, (size_t)n);
	}
	apply_backpressure(s);
	if (outq_empty(&s->out) && (s->closing || s->peer_eof))
		session_end_later(s, s->closing ? SESSION_CLOSED : SESSION_PEER_CLOSED);
	else
		update_interest(s);
}

int conn_send(struct session *s, const void *buf, size_t len)
{
	size_t done = 0;

	if (outq_empty(&s->out)) {
		/* The common case: the socket takes it all now, and nothing is queued. */
		ssize_t n = sock_send(&s->sock, buf, len);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			int saved = errno;
			session_end_later(s, SESSION_ERROR);
			errno = saved;
			return -1;
		}
		done = n < 0 ? 0 : (size_t)n;
		if (done == len)
			return 0;
	}
	if (outq_push(&s->out, (const char *)buf + done, len - done) < 0) {
		int saved = errno;
		session_end_later(s, SESSION_ERROR); /* the rest is lost: a stream with a hole in it must not go on */
		errno = saved;
		return -1;
	}
	apply_backpressure(s);
	update_interest(s);
	return 0;
}

void conn_close(struct session *s)
{
	if (outq_empty(&s->out)) {
		session_end_later(s, SESSION_CLOSED);
		return;
	}
	s->closing = 1; /* flush() ends it when the queue drains */
	update_interest(s);
}

int session_input_waiting(const struct session *s)
{
	if (!sock_is_connected(s->e->ls) || s->peer_eof || s->dying)
		return 0;
	return sys_wait(s->sock.fd, 0, 0) == 1;
}

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
		if (track_fd(e, s) < 0) {
			sock_close(&s->sock);
			free(s);
			continue;
		}
		session_opened(e, s);
	}
}

/*
 * recv() returns 0 on a seqpacket connection both for an empty message and at
 * the end of the stream. Linux tells them apart without reading: the peer's
 * end shows as POLLRDHUP (it shut down its sending side) or POLLHUP (it
 * closed). An empty message sent just before the end is taken for the end;
 * without POLLRDHUP, every 0 is.
 */
static int peer_ended(struct session *s)
{
	if (!sock_keeps_boundaries(&s->sock))
		return 1; /* on a byte stream, 0 is always the end */
#ifdef POLLRDHUP
	struct pollfd p = { .fd = s->sock.fd, .events = POLLRDHUP };
	return sys_poll(&p, 1, 0) != 0;
#else
	return 1;
#endif
}

static void read_one(struct session *s)
{
	struct engine *e = s->e;
	int truncated = 0;
	ssize_t n = sock_recv(&s->sock, e->rbuf, READ_MAX, &truncated);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			session_end_later(s, SESSION_ERROR);
		return;
	}
	if (truncated) {
		e->st.truncated++;
		engine_notice(e, NOTICE_TRUNCATED, &s->sock.peer);
		return;
	}
	if (n == 0 && peer_ended(s)) {
		/* End of stream: the peer has finished sending. Finish our replies, then close. */
		s->peer_eof = 1;
		if (outq_empty(&s->out))
			session_end_later(s, SESSION_PEER_CLOSED);
		else
			update_interest(s);
		return;
	}
	e->st.messages_in++;
	e->st.bytes_in += (size_t)n;
	e->cb->on_message(s, e->rbuf, (size_t)n, e->app);
}

void conn_event(struct engine *e, int fd, unsigned events)
{
	struct session *s = fd < e->nby_fd ? e->by_fd[fd] : NULL;

	if (!s || s->dying)
		return; /* ended earlier in this batch of events */
	if (events & POLLER_OUT)
		flush(s);
	if ((events & (POLLER_IN | POLLER_ERR)) && !s->dying)
		read_one(s);
}

void conn_release(struct engine *e, struct session *s)
{
	poller_del(e->poller, s->sock.fd);
	e->by_fd[s->sock.fd] = NULL;
	sock_close(&s->sock);
}

void conn_flush_all(struct engine *e)
{
	for (int fd = 0; fd < e->nby_fd; fd++)
		if (e->by_fd[fd] && !e->by_fd[fd]->dying && !outq_empty(&e->by_fd[fd]->out))
			flush(e->by_fd[fd]);
}

void conn_free_all(struct engine *e)
{
	for (int fd = 0; fd < e->nby_fd; fd++)
		if (e->by_fd[fd])
			session_free(e, e->by_fd[fd], SESSION_STOPPED);
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
