/* engine.c - the server loop: accept or recvfrom, read, queue replies, and never let one client block another. */
#ifdef __linux__
#define _GNU_SOURCE /* POLLRDHUP: see peer_ended() */
#endif
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outq.h"
#include "peer_table.h"
#include "sys.h"
#include "transport.h"

#define READ_MAX (256 * 1024)     /* one message: more than a unix datagram's default maximum */
#define EVENTS_MAX 256            /* events taken from one wait */
#define ACCEPTS_PER_WAKE 64       /* connections accepted per wake-up, so clients get a turn too */
#define DATAGRAMS_PER_WAKE 64     /* likewise for datagrams */
#define RETRY_FIRST_MS 1          /* a full datagram peer is retried after this... */
#define RETRY_MAX_MS 64           /* ...doubling up to this while nothing moves */
#define RETRY_FAILS_MAX 8         /* peers in a row with no room: the socket's own buffer is full, stop */
#define ACCEPT_PAUSE_MS 100       /* out of descriptors and no spare: stop accepting this long */

#define DEFAULT_IDLE_MS 60000
#define DEFAULT_MAX_SESSIONS 65536
#define DEFAULT_OUT_LIMIT (1024 * 1024)

struct session {
	struct engine *e;
	struct sock sock;         /* connected: the accepted socket; datagram: unused (fd -1) */
	struct peer_entry entry;  /* datagram: the peer's address, the key in e->peers */
	struct outq out;          /* replies the socket has not taken yet */
	struct session *prev, *next; /* datagram: idle order, quietest first */
	struct session *pend_prev, *pend_next; /* datagram: in e's list of sessions with replies queued */
	int queued;               /* datagram: it is in that list */
	struct session *dying_next;
	long long last_ms;
	unsigned long id;
	void *data;
	unsigned events;          /* connected: what the poller watches for */
	unsigned dying : 1, closing : 1, paused : 1, peer_eof : 1;
	enum session_end why;
};

struct engine {
	struct sock *ls;
	const struct engine_callbacks *cb;
	void *app;
	struct engine_options opt;
	struct poller *poller;
	int wake[2];                  /* the self-pipe: engine_stop() writes, the loop reads */
	volatile sig_atomic_t stopping;
	int spare_fd;                 /* closed to make room when out of descriptors */
	long long accept_resume_ms;   /* accepting paused until then (0: not paused) */
	unsigned char *rbuf;
	struct session **by_fd;       /* connected sessions by descriptor */
	int nby_fd;
	struct peer_table peers;      /* datagram sessions by address */
	struct session *idle_head, *idle_tail;
	struct session *dying;        /* sessions to end once the current callbacks return */
	size_t pending;               /* datagram sessions with queued replies... */
	struct session *pend_head, *pend_tail; /* ...oldest first */
	int retry_ms;
	long long retry_at;
	unsigned long next_id;
	struct engine_stats st;
};

static void notice(struct engine *e, enum engine_notice what, const struct addr *peer)
{
	if (e->cb->on_notice)
		e->cb->on_notice(what, peer, e->app);
}

/* Marks s to end after the callback in progress returns; ending it now would free it under the caller. */
static void end_later(struct session *s, enum session_end why)
{
	if (s->dying)
		return;
	s->dying = 1;
	s->why = why;
	s->dying_next = s->e->dying;
	s->e->dying = s;
}

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

/* Connected: watch for what the session needs now. Reading stops while paused or after the peer's end. */
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
		notice(s->e, NOTICE_PAUSED, session_peer(s));
	} else if (s->paused && queued <= s->e->opt.out_limit / 2) {
		s->paused = 0;
	}
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

static void free_session(struct engine *e, struct session *s, enum session_end why)
{
	if (sock_is_connected(e->ls)) {
		poller_del(e->poller, s->sock.fd);
		e->by_fd[s->sock.fd] = NULL;
		sock_close(&s->sock);
	} else {
		peer_table_remove(&e->peers, &s->entry);
		idle_unlink(e, s);
		pending_remove(e, s);
	}
	e->st.closed++;
	e->st.now--;
	e->cb->on_close(s, why, e->app);
	outq_free(&s->out);
	free(s);
}

static void end_dying(struct engine *e)
{
	while (e->dying) {
		struct session *s = e->dying;
		e->dying = s->dying_next;
		free_session(e, s, s->why);
	}
}

static struct session *new_session(struct engine *e)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->e = e;
	sock_init(&s->sock);
	outq_init(&s->out, sock_keeps_boundaries(e->ls));
	s->last_ms = sys_now_ms();
	return s;
}

/* The session is set up: count it and tell the application. */
static void open_session(struct engine *e, struct session *s)
{
	s->id = ++e->next_id;
	e->st.opened++;
	if (++e->st.now > e->st.peak)
		e->st.peak = e->st.now;
	e->cb->on_open(s, e->app);
}

/* Connected: hands queued output to the socket until it is empty or full. */
static void flush_connected(struct session *s)
{
	size_t len;
	const void *p;

	while ((p = outq_front(&s->out, &len)) != NULL) {
		ssize_t n = sock_send(&s->sock, p, len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				end_later(s, SESSION_ERROR);
			break;
		}
		outq_pop(&s->out, (size_t)n);
	}
	apply_backpressure(s);
	if (outq_empty(&s->out) && (s->closing || s->peer_eof))
		end_later(s, s->closing ? SESSION_CLOSED : SESSION_PEER_CLOSED);
	else
		update_interest(s);
}

/* Datagram: sends queued replies to one peer. Returns 0 when all went, -1 when it must be retried. */
static int flush_datagrams(struct session *s)
{
	size_t len;
	const void *p;

	while ((p = outq_front(&s->out, &len)) != NULL) {
		ssize_t n = sock_sendto(s->e->ls, p, len, &s->entry.addr);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			return -1;
		if (n < 0) {
			end_later(s, SESSION_ERROR); /* the peer is gone (its socket file, say) */
			outq_pop(&s->out, len);
			continue;
		}
		outq_pop(&s->out, len);
	}
	return 0;
}

static int send_connected(struct session *s, const void *buf, size_t len)
{
	size_t done = 0;

	if (outq_empty(&s->out)) {
		/* The common case: the socket takes it all now, and nothing is queued. */
		ssize_t n = sock_send(&s->sock, buf, len);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			int saved = errno;
			end_later(s, SESSION_ERROR);
			errno = saved;
			return -1;
		}
		done = n < 0 ? 0 : (size_t)n;
		if (done == len)
			return 0;
	}
	if (outq_push(&s->out, (const char *)buf + done, len - done) < 0)
		return -1;
	apply_backpressure(s);
	update_interest(s);
	return 0;
}

static int send_datagram(struct session *s, const void *buf, size_t len)
{
	struct engine *e = s->e;

	if (outq_empty(&s->out)) {
		ssize_t n = sock_sendto(e->ls, buf, len, &s->entry.addr);
		if (n >= 0)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
			int saved = errno;
			if (saved != EMSGSIZE)
				end_later(s, SESSION_ERROR);
			errno = saved;
			return -1;
		}
	}
	/* The peer's queue is full: keep the reply and try again soon, up to the limit. */
	if (outq_size(&s->out) + len > e->opt.out_limit) {
		e->st.dropped++;
		notice(e, NOTICE_DROPPED, &s->entry.addr);
		errno = ENOBUFS;
		return -1;
	}
	if (outq_push(&s->out, buf, len) < 0)
		return -1;
	pending_add(e, s);
	return 0;
}

int session_send(struct session *s, const void *buf, size_t len)
{
	if (s->dying) {
		errno = EPIPE;
		return -1;
	}
	int r = sock_is_connected(s->e->ls) ? send_connected(s, buf, len) : send_datagram(s, buf, len);
	if (r == 0) {
		s->e->st.messages_out++;
		s->e->st.bytes_out += len;
	}
	return r;
}

void session_close(struct session *s)
{
	if (s->dying)
		return;
	if (sock_is_connected(s->e->ls) && !outq_empty(&s->out)) {
		s->closing = 1; /* flush_connected() ends it when the queue drains */
		update_interest(s);
	} else {
		end_later(s, SESSION_CLOSED);
	}
}

const struct addr *session_peer(const struct session *s)
{
	return sock_is_connected(s->e->ls) ? &s->sock.peer : &s->entry.addr;
}

unsigned long session_id(const struct session *s) { return s->id; }
void *session_data(const struct session *s) { return s->data; }
void session_set_data(struct session *s, void *data) { s->data = data; }

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
		notice(e, NOTICE_REFUSED, &c.peer);
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

static void accept_clients(struct engine *e)
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
		if (sock_set_nonblocking(&c) < 0 || !(s = new_session(e))) {
			sock_close(&c);
			continue;
		}
		s->sock = c;
		if (track_fd(e, s) < 0) {
			sock_close(&s->sock);
			free(s);
			continue;
		}
		open_session(e, s);
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

static void read_connected(struct session *s)
{
	struct engine *e = s->e;
	int truncated = 0;
	ssize_t n = sock_recv(&s->sock, e->rbuf, READ_MAX, &truncated);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			end_later(s, SESSION_ERROR);
		return;
	}
	if (truncated) {
		e->st.truncated++;
		notice(e, NOTICE_TRUNCATED, &s->sock.peer);
		return;
	}
	if (n == 0 && peer_ended(s)) {
		/* End of stream: the peer has finished sending. Finish our replies, then close. */
		s->peer_eof = 1;
		if (outq_empty(&s->out))
			end_later(s, SESSION_PEER_CLOSED);
		else
			update_interest(s);
		return;
	}
	e->st.messages_in++;
	e->st.bytes_in += (size_t)n;
	s->last_ms = sys_now_ms();
	e->cb->on_message(s, e->rbuf, (size_t)n, e->app);
}

/* Datagram: the session for this address, opened (on_open) if it is new. */
static struct session *session_for(struct engine *e, const struct addr *from)
{
	struct peer_entry *pe = peer_table_find(&e->peers, from);
	if (pe)
		return (struct session *)((char *)pe - offsetof(struct session, entry));
	end_dying(e); /* so that the quietest session below is not one already ending */
	if (e->peers.count >= e->opt.max_sessions && e->idle_head)
		free_session(e, e->idle_head, SESSION_IDLE); /* make room: the quietest goes */
	struct session *s = new_session(e);
	if (!s)
		return NULL;
	s->entry.addr = *from;
	if (peer_table_insert(&e->peers, &s->entry) < 0) {
		free(s);
		return NULL;
	}
	idle_append(e, s);
	open_session(e, s);
	return s;
}

static void read_datagrams(struct engine *e)
{
	for (int i = 0; i < DATAGRAMS_PER_WAKE; i++) {
		struct addr from;
		int truncated = 0;
		ssize_t n = sock_recvfrom(e->ls, e->rbuf, READ_MAX, &from, &truncated);
		if (n < 0)
			return; /* EAGAIN: all read. Anything else concerns one peer, not the server */
		if (truncated) {
			e->st.truncated++;
			notice(e, NOTICE_TRUNCATED, &from);
			continue;
		}
		if (addr_is_unnamed_unix(&from)) {
			e->st.unaddressed++;
			notice(e, NOTICE_UNADDRESSED, NULL);
			continue;
		}
		struct session *s = session_for(e, &from);
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

static void expire_idle(struct engine *e, long long now)
{
	for (struct session *s = e->idle_head; s && s->last_ms + e->opt.idle_ms <= now; s = s->next)
		end_later(s, SESSION_IDLE);
}

/*
 * Sends the queued replies, oldest first. Runs at every wake-up, before new
 * datagrams are answered, so that replies waiting for room get it first
 * (answered directly, new ones would take whatever room the clients' reading
 * frees, and the waiting ones could wait for seconds); and on a timer, which
 * backs off while nothing moves (a client that never reads must not make the
 * server spin).
 */
static void retry_datagrams(struct engine *e, long long now)
{
	size_t n = e->pending;
	int fails = 0, moved = 0;

	for (size_t i = 0; i < n && e->pend_head && fails < RETRY_FAILS_MAX; i++) {
		struct session *s = e->pend_head;
		size_t before = outq_size(&s->out);
		int done = flush_datagrams(s) == 0;
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

/* How long the next wait may last: until the next idle expiry, retry or accept resumption. */
static int next_timeout(const struct engine *e, long long now)
{
	long long at = -1;

	if (e->idle_head)
		at = e->idle_head->last_ms + e->opt.idle_ms;
	if (e->pending && (at < 0 || e->retry_at < at))
		at = e->retry_at;
	if (e->accept_resume_ms && (at < 0 || e->accept_resume_ms < at))
		at = e->accept_resume_ms;
	if (at < 0)
		return -1;
	return at <= now ? 0 : (int)(at - now > 60000 ? 60000 : at - now);
}

static void dispatch(struct engine *e, const struct poller_event *ev)
{
	if (ev->fd == e->wake[0]) {
		char drain[64];
		while (read(e->wake[0], drain, sizeof drain) > 0)
			;
		e->stopping = 1;
	} else if (ev->fd == e->ls->fd) {
		if (sock_is_connected(e->ls))
			accept_clients(e);
		else
			read_datagrams(e);
	} else if (ev->fd < e->nby_fd && e->by_fd[ev->fd] && !e->by_fd[ev->fd]->dying) {
		struct session *s = e->by_fd[ev->fd];
		if (ev->events & POLLER_OUT)
			flush_connected(s);
		if ((ev->events & (POLLER_IN | POLLER_ERR)) && !s->dying)
			read_connected(s);
	}
}

int engine_run(struct engine *e)
{
	struct poller_event evs[EVENTS_MAX];

	while (!e->stopping) {
		long long now = sys_now_ms();
		int n = poller_wait(e->poller, evs, EVENTS_MAX, next_timeout(e, now));
		if (n < 0 && errno != EINTR)
			return -1;
		if (e->pending)
			retry_datagrams(e, sys_now_ms());
		for (int i = 0; i < n; i++)
			dispatch(e, &evs[i]);
		end_dying(e);
		now = sys_now_ms();
		expire_idle(e, now);
		if (e->accept_resume_ms && now >= e->accept_resume_ms &&
		    poller_mod(e->poller, e->ls->fd, POLLER_IN) == 0)
			e->accept_resume_ms = 0;
		end_dying(e);
	}
	/* Stopping: every session ends, after one last try to send what it has queued. */
	end_dying(e);
	for (int fd = 0; fd < e->nby_fd; fd++)
		if (e->by_fd[fd] && !outq_empty(&e->by_fd[fd]->out))
			flush_connected(e->by_fd[fd]);
	for (struct session *s = e->idle_head; s; s = s->next)
		flush_datagrams(s);
	end_dying(e);
	for (int fd = 0; fd < e->nby_fd; fd++)
		if (e->by_fd[fd])
			free_session(e, e->by_fd[fd], SESSION_STOPPED);
	while (e->idle_head)
		free_session(e, e->idle_head, SESSION_STOPPED);
	return 0;
}

void engine_stop(struct engine *e)
{
	int saved = errno; /* a signal handler must leave errno as it found it */

	e->stopping = 1;
	if (write(e->wake[1], "x", 1) < 0) {
		/* the pipe is full: a stop is already on its way */
	}
	errno = saved;
}

static int make_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (fcntl(fds[i], F_SETFL, O_NONBLOCK) < 0 || fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0)
			return -1;
	return 0;
}

struct engine *engine_new(struct sock *listener, const struct engine_callbacks *cb, void *app,
			  const struct engine_options *opt)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->ls = listener;
	e->cb = cb;
	e->app = app;
	e->wake[0] = e->wake[1] = e->spare_fd = -1;
	if (opt)
		e->opt = *opt;
	if (e->opt.idle_ms <= 0)
		e->opt.idle_ms = DEFAULT_IDLE_MS;
	if (e->opt.max_sessions == 0)
		e->opt.max_sessions = DEFAULT_MAX_SESSIONS;
	if (e->opt.out_limit == 0)
		e->opt.out_limit = DEFAULT_OUT_LIMIT;
	peer_table_init(&e->peers);
	e->rbuf = malloc(READ_MAX);
	e->poller = poller_new(e->opt.poller);
	if (!e->rbuf || !e->poller || make_pipe(e->wake) < 0 || sock_set_nonblocking(listener) < 0 ||
	    poller_add(e->poller, e->wake[0], POLLER_IN) < 0 || poller_add(e->poller, listener->fd, POLLER_IN) < 0) {
		int saved = errno;
		engine_free(e);
		errno = saved;
		return NULL;
	}
	if (sock_is_connected(listener))
		e->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->poller && e->ls->fd >= 0)
		poller_del(e->poller, e->ls->fd);
	poller_free(e->poller);
	for (int i = 0; i < 2; i++)
		if (e->wake[i] >= 0)
			close(e->wake[i]);
	if (e->spare_fd >= 0)
		close(e->spare_fd);
	peer_table_free(&e->peers);
	free(e->by_fd);
	free(e->rbuf);
	free(e);
}

const struct engine_stats *engine_stats(const struct engine *e) { return &e->st; }
const char *engine_poller_name(const struct engine *e) { return poller_name(e->poller); }
