/* engine_conn.c - the engine's connected clients: read, send what the socket takes, queue the rest. */
#ifdef __linux__
#define _GNU_SOURCE /* POLLRDHUP: see peer_ended() */
#endif
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "engine_private.h"
#include "core/sys/sys.h"


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

/*
 * Every client's unsent replies together passed out_total: close the
 * connection with the largest queue, until they are under it again. Its
 * replies are dropped with it (a connection that lost bytes must not go on).
 */
static void shed_largest(struct engine *e)
{
	while (e->st.out_memory > e->opt.out_total) {
		struct session *worst = NULL;
		for (int fd = 0; fd < e->nby_fd; fd++) {
			struct session *s = e->by_fd[fd];
			if (s && !s->dying && (!worst || outq_memory(&s->out) > outq_memory(&worst->out)))
				worst = s;
		}
		if (!worst || outq_memory(&worst->out) == 0)
			return;
		e->st.shed++;
		engine_notice(e, NOTICE_SHED, &worst->sock.peer);
		session_out_drop(worst);
		session_end_later(worst, SESSION_SHED);
	}
}

/* Hands queued output to the socket until it is empty or full. */
static void flush(struct session *s)
{
	size_t len, before = outq_memory(&s->out);
	const void *p;

	while ((p = outq_front(&s->out, &len)) != NULL) {
		ssize_t n = sock_send(&s->sock, p, len);
		if (n < 0 && errno == EMSGSIZE) { /* one message too large for this socket: dropped whole, and said */
			s->e->st.too_big++;
			engine_notice(s->e, NOTICE_TOO_BIG, &s->sock.peer);
			outq_pop(&s->out, len);
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				session_end_later(s, SESSION_ERROR);
			break;
		}
		outq_pop(&s->out, (size_t)n);
	}
	session_out_changed(s, before);
	apply_backpressure(s);
	if (outq_empty(&s->out) && (s->closing || s->peer_eof))
		session_end_later(s, s->closing ? SESSION_CLOSED : SESSION_PEER_CLOSED);
	else
		update_interest(s);
}

static int conn_send(struct session *s, const void *buf, size_t len)
{
	size_t done = 0;

	if (outq_empty(&s->out)) {
		/* The common case: the socket takes it all now, and nothing is queued. */
		ssize_t n = sock_send(&s->sock, buf, len);
		if (n < 0 && errno == EMSGSIZE) { /* seqpacket: one message too large for this socket, dropped whole */
			s->e->st.too_big++;
			engine_notice(s->e, NOTICE_TOO_BIG, &s->sock.peer);
			return -1;
		}
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
	size_t before = outq_memory(&s->out);
	if (outq_push(&s->out, (const char *)buf + done, len - done) < 0) {
		int saved = errno;
		session_end_later(s, SESSION_ERROR); /* the rest is lost: a stream with a hole in it must not go on */
		errno = saved;
		return -1;
	}
	session_out_changed(s, before);
	if (s->e->st.out_memory > s->e->opt.out_total) {
		shed_largest(s->e);
		if (s->dying) { /* this one was the largest: what it sent is not taken any more */
			errno = ENOBUFS;
			return -1;
		}
	}
	apply_backpressure(s);
	update_interest(s);
	return 0;
}

static void conn_close(struct session *s)
{
	if (outq_empty(&s->out)) {
		session_end_later(s, SESSION_CLOSED);
		return;
	}
	s->closing = 1; /* flush() ends it when the queue drains */
	update_interest(s);
}

/*
 * Bytes waiting, not mere readability: poll(2) also says "readable" when only
 * the peer's end (FIN) is there, and a caller that took that for "more is
 * coming" would wait for a message that never comes (a last line sent
 * together with the end, as `printf hello | nc -q1` does, went unanswered).
 * recv(2) with MSG_PEEK looks without taking: > 0 bytes, 0 the end, EAGAIN nothing.
 */
static int conn_input_waiting(const struct session *s)
{
	char byte;

	return !s->peer_eof && sys_recv(s->sock.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
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

static void conn_event(struct engine *e, int fd, unsigned events)
{
	struct session *s = fd < e->nby_fd ? e->by_fd[fd] : NULL;

	if (!s || s->dying)
		return; /* ended earlier in this batch of events */
	if (events & POLLER_OUT)
		flush(s);
	if ((events & (POLLER_IN | POLLER_ERR)) && !s->dying)
		read_one(s);
}

static void conn_release(struct engine *e, struct session *s)
{
	poller_del(e->poller, s->sock.fd);
	e->by_fd[s->sock.fd] = NULL;
	sock_close(&s->sock);
}

static void conn_flush_all(struct engine *e)
{
	for (int fd = 0; fd < e->nby_fd; fd++)
		if (e->by_fd[fd] && !e->by_fd[fd]->dying && !outq_empty(&e->by_fd[fd]->out))
			flush(e->by_fd[fd]);
}

static void conn_free_all(struct engine *e)
{
	for (int fd = 0; fd < e->nby_fd; fd++)
		if (e->by_fd[fd])
			session_free(e, e->by_fd[fd], SESSION_STOPPED);
}

/* A connection is not ended for being quiet: TCP keeps an idle connection open until one side closes it. */
static void conn_expire(struct engine *e, long long now)
{
	(void)e, (void)now;
}

static const struct addr *conn_peer(const struct session *s)
{
	return &s->sock.peer;
}

const struct engine_mode engine_conn_mode = {
	.init = conn_init,
	.fini = conn_fini,
	.listener_ready = conn_accept,
	.event = conn_event,
	.resume = conn_resume_accepting,
	.expire = conn_expire,
	.deadline = conn_deadline,
	.send = conn_send,
	.close = conn_close,
	.peer = conn_peer,
	.input_waiting = conn_input_waiting,
	.release = conn_release,
	.flush_all = conn_flush_all,
	.free_all = conn_free_all,
};
