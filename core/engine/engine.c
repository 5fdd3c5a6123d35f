/* engine.c - the server loop: wait, dispatch, end sessions safely; what differs for connections and datagrams is a table (engine_private.h). */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine_private.h"
#include "core/io.h"
#include "core/sys/sys.h"

#define EVENTS_MAX 256 /* events taken from one wait */

#define DEFAULT_IDLE_MS 60000
#define DEFAULT_MAX_SESSIONS 65536
#define DEFAULT_OUT_LIMIT (1024 * 1024)
#define DEFAULT_OUT_TOTAL (16 * 1024 * 1024)

void engine_notice(struct engine *e, enum engine_notice what, const struct addr *peer)
{
	if (e->cb->on_notice)
		e->cb->on_notice(what, peer, e->app);
}

struct session *session_alloc(struct engine *e)
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
void session_opened(struct engine *e, struct session *s)
{
	s->id = ++e->next_id;
	e->st.opened++;
	if (++e->st.now > e->st.peak)
		e->st.peak = e->st.now;
	e->cb->on_open(s, e->app);
}

void session_end_later(struct session *s, enum session_end why)
{
	if (s->dying)
		return;
	s->dying = 1;
	s->why = why;
	s->dying_next = s->e->dying;
	s->e->dying = s;
}

void session_out_changed(struct session *s, size_t before)
{
	struct engine_stats *st = &s->e->st;

	st->out_memory = st->out_memory - before + outq_memory(&s->out);
	if (st->out_memory > st->out_peak)
		st->out_peak = st->out_memory;
}

void session_out_drop(struct session *s)
{
	size_t before = outq_memory(&s->out);

	outq_free(&s->out);
	session_out_changed(s, before);
}

void session_free(struct engine *e, struct session *s, enum session_end why)
{
	e->mode->release(e, s);
	e->st.closed++;
	e->st.now--;
	e->cb->on_close(s, why, e->app);
	session_out_drop(s);
	free(s);
}

void engine_end_dying(struct engine *e)
{
	while (e->dying) {
		struct session *s = e->dying;
		e->dying = s->dying_next;
		session_free(e, s, s->why);
	}
}

int session_send(struct session *s, const void *buf, size_t len)
{
	if (s->dying) {
		errno = EPIPE;
		return -1;
	}
	int r = s->e->mode->send(s, buf, len);
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
	s->e->mode->close(s);
}

const struct addr *session_peer(const struct session *s)
{
	return s->e->mode->peer(s);
}

unsigned long session_id(const struct session *s) { return s->id; }
void *session_data(const struct session *s) { return s->data; }
void session_set_data(struct session *s, void *data) { s->data = data; }

int session_input_waiting(const struct session *s)
{
	return !s->dying && s->e->mode->input_waiting(s);
}

/* How long the next wait may last: until the mode's next timer (expiry, retry, accept resumption). */
static int next_timeout(const struct engine *e, long long now)
{
	long long at = e->mode->deadline(e);

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
		e->mode->listener_ready(e);
	} else {
		e->mode->event(e, ev->fd, ev->events);
	}
}

int engine_run(struct engine *e)
{
	struct poller_event evs[EVENTS_MAX];

	while (!e->stopping) {
		int n = poller_wait(e->poller, evs, EVENTS_MAX, next_timeout(e, sys_now_ms()));
		if (n < 0 && errno != EINTR)
			return -1;
		e->mode->resume(e, sys_now_ms());
		for (int i = 0; i < n; i++)
			dispatch(e, &evs[i]);
		engine_end_dying(e);
		e->mode->expire(e, sys_now_ms());
		engine_end_dying(e);
	}
	/* Stopping: every session ends, after one last try to send what it has queued. */
	engine_end_dying(e);
	e->mode->flush_all(e);
	engine_end_dying(e);
	e->mode->free_all(e);
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

void engine_fit_messages(struct sock *s)
{
	/* Unix sockets only: UDP's limit is the datagram's (65,507 bytes), and a stream has none. */
	if (sock_keeps_boundaries(s) && transport_has_socket_file(s->t))
		(void)sock_message_max(s, READ_MAX);
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
	e->mode = sock_is_connected(listener) ? &engine_conn_mode : &engine_dgram_mode; /* the one decision */
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
	if (e->opt.out_total == 0)
		e->opt.out_total = DEFAULT_OUT_TOTAL;
	e->rbuf = malloc(READ_MAX);
	e->poller = poller_new(e->opt.poller);
	if (!e->rbuf || !e->poller || make_pipe(e->wake) < 0 || sock_set_nonblocking(listener) < 0 ||
	    poller_add(e->poller, e->wake[0], POLLER_IN) < 0 || poller_add(e->poller, listener->fd, POLLER_IN) < 0) {
		int saved = errno;
		engine_free(e);
		errno = saved;
		return NULL;
	}
	if (!sock_is_connected(listener))
		engine_fit_messages(listener); /* every datagram reply leaves through the listener */
	e->mode->init(e);
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
	e->mode->fini(e);
	free(e->rbuf);
	free(e);
}

const struct engine_stats *engine_stats(const struct engine *e) { return &e->st; }
const char *engine_poller_name(const struct engine *e) { return poller_name(e->poller); }
