/* impair_batch.c - the impairment layer's batch operations: every message of a batch meets its own fate, as through send(). */
#include <errno.h>

#include "impair.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"

/*
 * What a batch does on a bad network:
 *
 *   - drop= and dup= are drawn for each datagram, in order, from the same
 *     generator as send() draws them (drop, dup, then reorder: all three for
 *     each, whatever they decide), and the survivors and their copies go to
 *     the wrapped transport in one batch call: the same datagrams are lost
 *     for a seed, batch or not, and the batching stays.
 *   - reorder= holds one datagram back until the next one has gone, across
 *     calls: while it is in play each datagram is sent by itself, through the
 *     same code as send(), so that it is held and released exactly as there.
 *   - delay= is the sender's wait before a send: a batch leaves at once, so
 *     it waits once, not once per datagram.
 *   - A connection repairs what the network does (impair.h): each message
 *     goes through the layer's send(), its delay and chunk= included.
 */

static const struct transport *inner(const struct sock *s)
{
	return s->impair->inner;
}

/* One datagram at a time, through impair_datagram_send(): for reorder=, whose hold spans calls. */
static ssize_t one_by_one(struct sock *s, struct sock_msg *m, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < SOCK_BATCH_MAX; i++) {
		ssize_t r = impair_datagram_send(s, m[i].buf, m[i].len, m[i].addr, NULL);
		if (r < 0)
			return i ? (ssize_t)i : -1;
		m[i].got = (size_t)r;
	}
	return (ssize_t)i;
}

/*
 * Sends out[0..k) through the wrapped transport, as many calls as it needs
 * (a call may take only some). Returns how many went before one failed.
 */
static size_t send_all_out(struct sock *s, struct sock_msg *out, size_t k)
{
	size_t sent = 0;

	while (sent < k) {
		ssize_t r = inner(s)->send_batch(s, out + sent, k - sent);
		if (r <= 0)
			break;
		sent += (size_t)r;
	}
	return sent;
}

/* drop= and dup= for each datagram, then one batch of what is left. */
static ssize_t fates(struct sock *s, struct sock_msg *m, size_t n)
{
	struct impair *im = s->impair;
	struct sock_msg out[2 * SOCK_BATCH_MAX];
	size_t owner[2 * SOCK_BATCH_MAX], k = 0; /* which message each one out is; a copy is marked with COPY */
	unsigned long long before[SOCK_BATCH_MAX];
	const size_t COPY = (size_t)1 << (sizeof(size_t) * 8 - 1);

	n = n < SOCK_BATCH_MAX ? n : SOCK_BATCH_MAX;
	if (im->p.delay_ms && !im->waited)
		sys_sleep_ms(im->p.delay_ms);
	im->waited = 0;
	for (size_t i = 0; i < n; i++) {
		before[i] = im->rng;
		int drop = impair_chance(im, im->p.drop), dup = impair_chance(im, im->p.dup);
		(void)impair_chance(im, im->p.reorder); /* 0 here (see impair_send_batch), drawn as send() draws it */
		m[i].got = m[i].len;
		if (drop) {
			if (trace_on)
				trace_line("  (impair: lost: a datagram of %zu bytes; the batch goes on without it)", m[i].len);
			continue;
		}
		out[k] = m[i], owner[k++] = i;
		if (dup) {
			if (trace_on)
				trace_line("  (impair: twice: the same datagram is sent again)");
			out[k] = m[i], owner[k++] = i | COPY;
		}
	}
	size_t sent = send_all_out(s, out, k);
	while (sent < k && (owner[sent] & COPY))
		sent++; /* a copy that cannot go is simply not made: its original went */
	if (sent == k)
		return (ssize_t)n;
	/* owner[sent] and everything after it did not go: their draws are given back, so a retry meets the same fate. */
	size_t first = owner[sent];
	im->rng = before[first];
	im->waited = im->p.delay_ms > 0;
	return first ? (ssize_t)first : -1; /* errno: the wrapped call's */
}

ssize_t impair_send_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	struct impair *im = s->impair;

	if (sock_is_connected(s))
		return transport_stream_send_batch(s, m, n); /* each through the layer's send() */
	if (n == 0)
		return 0;
	return im->p.reorder > 0 || im->held.buf ? one_by_one(s, m, n) : fates(s, m, n);
}

/* Receiving changes nothing (impair.h), but a datagram held back must not wait for ever: as recv(). */
ssize_t impair_recv_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	impair_release_if_idle(s);
	return inner(s)->recv_batch(s, m, n);
}
