/* engine_dgram.c - the engine's datagram clients: one socket, a session per peer address, replies that wait for room. */
#include <errno.h>
#include <stdlib.h>

#include "engine_private.h"
#include "core/sys/sys.h"

#define DATAGRAMS_PER_WAKE 64 /* datagrams read per wake-up, so the loop gets a turn too */
#define RETRY_FIRST_MS 1      /* a full datagram peer is retried after this... */
#define RETRY_MAX_MS 64       /* ...doubling up to this while nothing moves */
#define RETRY_FAILS_MAX 8     /* peers in a row with no room: the socket's own buffer is full, stop */

/* The idle list: every datagram session, the quietest first, so that expiry looks only at the head. */
static void idle_unlink(struct engine *e, struct session *s)
{
	*(s->prev ? &s->prev->next : &e->idle_head) = s->next;
	*(s->next ? &s->next->prev : &e->idle_tail) = s->prev;
	s->prev = s->next = NULL;
}

static void idle_append(struct engine *e, struct session *s)
{
	s->prev = e->idle_tail;
	s->next = NULL;
	*(e->idle_tail ? &e->idle_tail->next : &e->idle_head) = s;
	e->idle_tail = s;
}

/*
 * Datagram sessions whose replies wait for room, in the order they began to
 * wait. A session that still finds no room goes to the back, so that none
 * waits behind ever newer ones.
 */
static void pending_add(struct engine *e, struct session *s)
{
	if (s->queued)
		return;
	s->queued = 1;
	s->pend_next = NULL;
	s->pend_prev = e->pend_tail;
	*(e->pend_tail ? &e->pend_tail->pend_next : &e->pend_head) = s;
	e->pend_tail = s;
	if (e->pending++ == 0) {
		e->retry_ms = RETRY_FIRST_MS;
		e->retry_at = sys_now_ms() + e->retry_ms;
	}
}

static void pending_remove(struct engine *e, struct session *s)
{
	if (!s->queued)
		return;
	*(s->pend_prev ? &s->pend_prev->pend_next : &e->pend_head) = s->pend_next;
	*(s->pend_next ? &s->pend_next->pend_prev : &e->pend_tail) = s->pend_prev;
	s->pend_prev = s->pend_next = NULL;
	s->queued = 0;
	e->pending--;
}

/* Sends queued replies to one peer. Returns 0 when all went, -1 when it must be retried. */
static int flush(struct session *s)
{
	size_t len;
	const void *p;

	size_t before = outq_memory(&s->out);
	int r = 0;

	while ((p = outq_front(&s->out, &len)) != NULL) {
		ssize_t n = sock_sendmsg(s->e->ls, p, len, &s->entry.addr, &s->local);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			r = -1;
			break;
		}
		if (n < 0) {
			session_end_later(s, SESSION_ERROR); /* the peer is gone (its socket file, say): */
			outq_free(&s->out);                  /* the rest has nowhere to go */
			break;
		}
		outq_pop(&s->out, len);
	}
	session_out_changed(s, before);
	return r;
}

static int dgram_send(struct session *s, const void *buf, size_t len)
{
	struct engine *e = s->e;

	if (outq_empty(&s->out)) {
		ssize_t n = sock_sendmsg(e->ls, buf, len, &s->entry.addr, &s->local);
		if (n >= 0)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
			int saved = errno;
			if (saved == EMSGSIZE) { /* too large for one datagram from this socket: said, counted, dropped */
				e->st.too_big++;
				engine_notice(e, NOTICE_TOO_BIG, &s->entry.addr);
			} else {
				session_end_later(s, SESSION_ERROR);
			}
			errno = saved;
			return -1;
		}
	}
	/* The peer's queue is full: keep the reply and try again soon, up to this peer's and everyone's limit. */
	if (outq_size(&s->out) + len > e->opt.out_limit || e->st.out_memory + len > e->opt.out_total) {
		e->st.dropped++;
		engine_notice(e, NOTICE_DROPPED, &s->entry.addr);
		errno = ENOBUFS;
		return -1;
	}
	size_t before = outq_memory(&s->out);
	if (outq_push(&s->out, buf, len) < 0)
		return -1;
	session_out_changed(s, before);
	pending_add(e, s);
	return 0;
}

/*
 * The session for this address, opened (on_open) if it is new. local is
 * where the datagram was sent: a server on a wildcard address answers from
 * there, the greeting on_open may send included.
 */
static struct session *session_for(struct engine *e, const struct addr *from, const struct addr *local)
{
	struct peer_entry *pe = peer_table_find(&e->peers, from);
	if (pe) {
		struct session *s = (struct session *)((char *)pe - offsetof(struct session, entry));
		s->local = *local;
		return s;
	}
	engine_end_dying(e); /* so that the quietest session below is not one already ending */
	if (e->peers.count >= e->opt.max_sessions && e->idle_head)
		session_free(e, e->idle_head, SESSION_IDLE); /* make room: the quietest goes */
	struct session *s = session_alloc(e);
	if (!s)
		return NULL;
	s->entry.addr = *from;
	s->local = *local;
	if (peer_table_insert(&e->peers, &s->entry) < 0) {
		free(s);
		return NULL;
	}
	idle_append(e, s);
	session_opened(e, s);
	return s;
}

static void dgram_read(struct engine *e)
{
	for (int i = 0; i < DATAGRAMS_PER_WAKE; i++) {
		struct addr from, local;
		int truncated = 0;
		ssize_t n = sock_recvmsg(e->ls, e->rbuf, READ_MAX, &from, &local, &truncated);
		if (n < 0)
			return; /* EAGAIN: all read. Anything else concerns one peer, not the server */
		if (truncated) {
			e->st.truncated++;
			engine_notice(e, NOTICE_TRUNCATED, &from);
			continue;
		}
		if (addr_is_unnamed_unix(&from)) {
			e->st.unaddressed++;
			engine_notice(e, NOTICE_UNADDRESSED, NULL);
			continue;
		}
		struct session *s = session_for(e, &from, &local);
		if (!s || s->dying)
			continue;
		s->last_ms = sys_now_ms();
		idle_unlink(e, s);
		idle_append(e, s);
		e->st.messages_in++;
		e->st.bytes_in += (size_t)n;
		e->cb->on_message(s, e->rbuf, (size_t)n, e->app);
	}
}

static void dgram_expire(struct engine *e, long long now)
{
	for (struct session *s = e->idle_head; s && s->last_ms + e->opt.idle_ms <= now; s = s->next)
		session_end_later(s, SESSION_IDLE);
}

/*
 * Sends the queued replies, oldest first. Runs at every wake-up, before new
 * datagrams are answered, so that replies waiting for room get it first
 * (answered directly, new ones would take whatever room the clients' reading
 * frees, and the waiting ones could wait for seconds); and on a timer, which
 * backs off while nothing moves (a client that never reads must not make the
 * server spin).
 */
static void dgram_retry(struct engine *e, long long now)
{
	if (!e->pending)
		return;
	size_t n = e->pending;
	int fails = 0, moved = 0;

	for (size_t i = 0; i < n && e->pend_head && fails < RETRY_FAILS_MAX; i++) {
		struct session *s = e->pend_head;
		size_t before = outq_size(&s->out);
		int done = flush(s) == 0;
		moved |= outq_size(&s->out) != before;
		pending_remove(e, s);
		if (!done) {
			pending_add(e, s); /* to the back */
			fails++;
		} else {
			fails = 0;
		}
	}
	if (moved || e->retry_ms < RETRY_FIRST_MS)
		e->retry_ms = RETRY_FIRST_MS;
	else
		e->retry_ms = e->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : e->retry_ms * 2;
	e->retry_at = now + e->retry_ms;
}

static void dgram_release(struct engine *e, struct session *s)
{
	peer_table_remove(&e->peers, &s->entry);
	idle_unlink(e, s);
	pending_remove(e, s);
}

static void dgram_flush_all(struct engine *e)
{
	for (struct session *s = e->idle_head; s; s = s->next)
		flush(s);
}

static void dgram_free_all(struct engine *e)
{
	while (e->idle_head)
		session_free(e, e->idle_head, SESSION_STOPPED);
}

static void dgram_init(struct engine *e)
{
	peer_table_init(&e->peers);
}

static void dgram_fini(struct engine *e)
{
	peer_table_free(&e->peers);
}

/* Every datagram arrives on the listener: a datagram session has no socket of its own to be ready. */
static void dgram_event(struct engine *e, int fd, unsigned events)
{
	(void)e, (void)fd, (void)events;
}

/* The quietest peer's expiry, or the next retry of replies waiting for room, whichever comes first. */
static long long dgram_deadline(const struct engine *e)
{
	long long at = e->idle_head ? e->idle_head->last_ms + e->opt.idle_ms : -1;

	if (e->pending && (at < 0 || e->retry_at < at))
		at = e->retry_at;
	return at;
}

static void dgram_close(struct session *s)
{
	session_end_later(s, SESSION_CLOSED);
}

static const struct addr *dgram_peer(const struct session *s)
{
	return &s->entry.addr;
}

/* Datagrams are read as they come, one per message: nothing of a peer's waits behind what it sent. */
static int dgram_input_waiting(const struct session *s)
{
	(void)s;
	return 0;
}

const struct engine_mode engine_dgram_mode = {
	.init = dgram_init,
	.fini = dgram_fini,
	.listener_ready = dgram_read,
	.event = dgram_event,
	.resume = dgram_retry,
	.expire = dgram_expire,
	.deadline = dgram_deadline,
	.send = dgram_send,
	.close = dgram_close,
	.peer = dgram_peer,
	.input_waiting = dgram_input_waiting,
	.release = dgram_release,
	.flush_all = dgram_flush_all,
	.free_all = dgram_free_all,
};
