/* load_message.c - a load client on a message transport: a window of messages in flight, each echo matched and checked. */
#include <errno.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "load_run.h"

#define DUP_LOOKBACK 64 /* finished messages an unexpected datagram is compared with, beyond the window */

/* Message transports: one send per message, each remembered in a slot of the window until it returns. */
static void msg_pump(struct load_run *run, struct load_client *c)
{
	const struct load_options *o = run->o;

	while (c->next_send < o->messages && c->in_flight < o->window) {
		uint64_t key = load_key(o, c->id, c->next_send);
		size_t size = load_size(o, key);
		load_fill(key, 0, run->buf, size);
		if (sock_send(&c->sock, run->buf, size) < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
				load_client_fail(run, c, "send", errno);
			else if (sock_is_connected(&c->sock))
				load_client_watch(run, c, POLLER_IN | POLLER_OUT);
			else
				load_client_block(run, c); /* no readiness to wait for: retry soon */
			return;
		}
		struct load_slot *s = c->slots;
		while (s->used)
			s++;
		*s = (struct load_slot){ .msg = c->next_send, .sent_ms = sys_now_ms(), .used = 1 };
		c->next_send++;
		c->in_flight++;
		c->progress_ms = s->sent_ms;
		run->r->sent++;
		run->r->bytes_sent += size;
	}
	load_client_watch(run, c, POLLER_IN);
}

/* Is this message one that already came back (a duplicate, or an echo counted lost that came late)? */
static int seen_before(struct load_run *run, struct load_client *c, const unsigned char *p, size_t n)
{
	unsigned lo = c->next_send > run->o->window + DUP_LOOKBACK ? c->next_send - run->o->window - DUP_LOOKBACK : 0;

	for (unsigned m = lo; m < c->next_send; m++) {
		uint64_t key = load_key(run->o, c->id, m);
		if (load_size(run->o, key) == n && load_check(key, 0, p, n))
			return 1;
	}
	return 0;
}

/*
 * One datagram came back. Datagrams may come back in any order (or twice):
 * it is matched against every message in flight. One that matches none of
 * them but a message already back (or given up for lost) is a duplicate;
 * anything else is corrupted, and takes the oldest message in flight of its
 * size with it (or, when none has its size, the oldest in flight: a message
 * cut short comes back shorter). With nothing in flight, it is unexpected:
 * counted on its own, never as a message.
 */
static void msg_check(struct load_run *run, struct load_client *c, const unsigned char *p, size_t n, int truncated)
{
	struct load_slot *first = NULL, *oldest = NULL;

	for (unsigned i = 0; i < run->o->window; i++) {
		struct load_slot *s = &c->slots[i];
		if (!s->used)
			continue;
		if (!oldest || s->msg < oldest->msg)
			oldest = s;
		uint64_t key = load_key(run->o, c->id, s->msg);
		if (truncated || load_size(run->o, key) != n)
			continue;
		if (load_check(key, 0, p, n)) {
			s->used = 0;
			c->in_flight--;
			load_client_finish(run, c, &run->r->echoed);
			return;
		}
		if (!first || s->msg < first->msg)
			first = s;
	}
	if (!truncated && seen_before(run, c, p, n)) {
		run->r->duplicates++; /* whatever else is in flight, this one is an old message, intact */
		return;
	}
	if (!first)
		first = oldest;
	if (first) {
		first->used = 0;
		c->in_flight--;
		load_client_finish(run, c, &run->r->corrupted);
	} else {
		run->r->unexpected++;
	}
}

static int empty_in_flight(struct load_run *run, struct load_client *c)
{
	for (unsigned i = 0; i < run->o->window; i++)
		if (c->slots[i].used && load_size(run->o, load_key(run->o, c->id, c->slots[i].msg)) == 0)
			return 1;
	return 0;
}

static void msg_read(struct load_run *run, struct load_client *c)
{
	for (int i = 0; i < READS_PER_WAKE && !c->done; i++) {
		int truncated = 0;
		ssize_t n = sock_recv(&c->sock, run->buf, run->buflen, &truncated);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			load_client_fail(run, c, "recv", errno);
			return;
		}
		/* seqpacket: 0 is the end of the connection, unless an empty message is expected. */
		if (n == 0 && sock_is_connected(&c->sock) && !empty_in_flight(run, c)) {
			load_client_fail(run, c, "recv", SL_ESHORT);
			return;
		}
		run->r->bytes_echoed += (size_t)n;
		c->progress_ms = sys_now_ms();
		msg_check(run, c, run->buf, (size_t)n, truncated);
	}
}

/* Echoes older than the timeout are lost; a client that could send nothing for as long fails. */
static void msg_expire(struct load_run *run, struct load_client *c, long long now)
{
	int freed = 0;

	for (unsigned i = 0; i < run->o->window && !c->done; i++) {
		struct load_slot *s = &c->slots[i];
		if (s->used && now - s->sent_ms >= run->o->timeout_ms) {
			s->used = 0;
			c->in_flight--;
			freed = 1;
			load_client_finish(run, c, &run->r->lost);
		}
	}
	if (!c->done && !c->in_flight && !freed && now - c->progress_ms >= run->o->timeout_ms)
		load_client_fail(run, c, "send", EAGAIN); /* the kernel never had room for the next message */
	else if (freed && !c->done)
		msg_pump(run, c);
}

const struct load_kind load_message_kind = {
	.pump = msg_pump,
	.read = msg_read,
	.expire = msg_expire,
};
