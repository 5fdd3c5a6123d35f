/* load_stream.c - a load client on a stream: messages back to back, and the echo checked byte by byte as it comes. */
#include <errno.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "load_run.h"

/* Stream: the bytes were sent; step over the messages they complete. */
static void stream_advance(struct load_run *run, struct load_client *c, size_t n)
{
	while (n > 0) {
		size_t size = load_size(run->o, load_key(run->o, c->id, c->next_send));
		size_t take = size - c->send_off < n ? size - c->send_off : n;
		c->send_off += take;
		n -= take;
		if (c->send_off == size) {
			c->next_send++;
			c->send_off = 0;
			run->r->sent++;
		}
	}
}

/*
 * Stream: messages go back to back, with no framing. The echo comes back in
 * the same order, so the checker knows where each message ends.
 */
static void stream_pump(struct load_run *run, struct load_client *c)
{
	const struct load_options *o = run->o;

	for (;;) {
		size_t len = 0, off = c->send_off;
		unsigned m = c->next_send;
		while (len < LOAD_CHUNK && m < o->messages && (off > 0 || m - c->next_recv < o->window)) {
			uint64_t key = load_key(o, c->id, m);
			size_t size = load_size(o, key);
			size_t take = size - off < LOAD_CHUNK - len ? size - off : LOAD_CHUNK - len;
			load_fill(key, off, run->buf + len, take);
			len += take;
			off += take;
			if (off == size)
				m++, off = 0;
		}
		if (len == 0)
			break; /* the window is full, or everything was sent */
		ssize_t n = sock_send(&c->sock, run->buf, len);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			load_client_fail(run, c, "send", errno);
			return;
		}
		if (n > 0) {
			stream_advance(run, c, (size_t)n);
			run->r->bytes_sent += (size_t)n;
			c->progress_ms = sys_now_ms();
		}
		if (n < (ssize_t)len) {
			load_client_watch(run, c, POLLER_IN | POLLER_OUT); /* the socket buffer is full: wait for room */
			return;
		}
	}
	load_client_watch(run, c, POLLER_IN);
}

/* Stream: compares what came back with what was sent, message by message. */
static void stream_check(struct load_run *run, struct load_client *c, const unsigned char *p, size_t n)
{
	const struct load_options *o = run->o;

	while (n > 0 && !c->done) {
		uint64_t key = load_key(o, c->id, c->next_recv);
		size_t size = load_size(o, key);
		size_t limit = c->next_recv < c->next_send ? size : c->send_off; /* only what was sent can return */
		if (c->next_recv > c->next_send || c->recv_off >= limit) {
			/* More came back than went out: the message coming back is corrupted, or, if none is, the bytes are unexpected. */
			if (c->next_recv < c->next_send) {
				c->next_recv++, c->recv_off = 0;
				load_client_finish(run, c, &run->r->corrupted);
			} else {
				run->r->unexpected++;
			}
			load_client_fail(run, c, "recv", SL_EMISMATCH);
			return;
		}
		size_t take = limit - c->recv_off < n ? limit - c->recv_off : n;
		if (!load_check(key, c->recv_off, p, take))
			c->bad = 1;
		c->recv_off += take;
		p += take;
		n -= take;
		if (c->recv_off == size) {
			c->next_recv++;
			c->recv_off = 0;
			load_client_finish(run, c, c->bad ? &run->r->corrupted : &run->r->echoed);
			c->bad = 0;
		}
	}
}

static void stream_read(struct load_run *run, struct load_client *c)
{
	for (int i = 0; i < READS_PER_WAKE && !c->done; i++) {
		ssize_t n = sock_recv(&c->sock, run->buf, LOAD_CHUNK, NULL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			load_client_fail(run, c, "recv", n == 0 ? SL_ESHORT : errno);
			return;
		}
		run->r->bytes_echoed += (size_t)n;
		c->progress_ms = sys_now_ms();
		stream_check(run, c, run->buf, (size_t)n);
	}
}

/* A stream has no messages to give up on one by one: a client whose echo stalls for the timeout fails. */
static void stream_expire(struct load_run *run, struct load_client *c, long long now)
{
	if (now - c->progress_ms >= run->o->timeout_ms)
		load_client_fail(run, c, "recv", SL_ETIMEDOUT_REPLY);
}

const struct load_kind load_stream_kind = {
	.pump = stream_pump,
	.read = stream_read,
	.expire = stream_expire,
};
