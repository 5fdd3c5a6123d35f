/* rdt_stats.c - what rdt's sockets counted: a connection's figures, a listener's totals, the strangers it turned away. */
#include <errno.h>

#include "rdt_private.h"
#include "rdt_sock.h"
#include "rdt_transport.h"

/* Adds what one connection counted to a total (rates and states are not summed). */
static void stats_add(struct rdt_stats *g, const struct rdt_stats *s)
{
	g->datagrams_sent += s->datagrams_sent;
	g->datagrams_received += s->datagrams_received;
	g->data_sent += s->data_sent;
	g->retransmits_timeout += s->retransmits_timeout;
	g->retransmits_fast += s->retransmits_fast;
	g->probes += s->probes;
	g->timeouts += s->timeouts;
	g->acks_received += s->acks_received;
	g->dupacks += s->dupacks;
	g->duplicates += s->duplicates;
	g->held += s->held;
	g->dropped += s->dropped;
	g->no_room += s->no_room;
	g->messages_sent += s->messages_sent;
	g->bytes_sent += s->bytes_sent;
	g->messages_delivered += s->messages_delivered;
	g->bytes_delivered += s->bytes_delivered;
	g->malformed += s->malformed;
	g->strangers += s->strangers;
	g->out_of_window += s->out_of_window;
}

void rdt_driver_fold(struct rdt_driver *d, const struct rdt_chan *c)
{
	struct rdt_stats s;

	rdt_get_stats(c->core, &s);
	stats_add(&d->gone, &s);
}

/* A snapshot under rdt's lock: a connection's core, or a listener's live and gone connections. */
int rdt_sock_stats(const struct sock *s, struct rdt_stats *out)
{
	if (s->t != &rdt_transport || !s->state) {
		errno = EOPNOTSUPP;
		return -1;
	}
	struct rdt_driver *d = s->state->d;
	rdt_lock();
	if (s->state->c) {
		rdt_get_stats(s->state->c->core, out);
	} else {
		*out = d->gone;
		for (struct rdt_chan *c = d->chans; c; c = c->next) {
			struct rdt_stats one;
			rdt_get_stats(c->core, &one);
			stats_add(out, &one);
		}
		out->window = d->cfg.window;
	}
	rdt_unlock();
	return 0;
}

int rdt_sock_strangers(const struct sock *s, unsigned long long *malformed, unsigned long long *strangers,
		       unsigned long long *resets)
{
	if (s->t != &rdt_transport || !s->state) {
		errno = EOPNOTSUPP;
		return -1;
	}
	struct rdt_driver *d = s->state->d;
	rdt_lock();
	*malformed = d->malformed;
	*strangers = d->strangers;
	*resets = d->resets;
	rdt_unlock();
	return 0;
}


size_t rdt_sock_memory_max(void)
{
	struct rdt_config cfg;
	char why[160];

	if (rdt_sock_config(NULL, &cfg, why, sizeof why) < 0)
		return 0;
	/* rdt_new: a slot and its payload for the window, the queues and a FIN each way (rdt_conn.c). */
	size_t slots = (size_t)(cfg.window + cfg.sndbuf + 1) + (cfg.window + cfg.rcvbuf);
	size_t core = sizeof(struct rdt) + slots * (cfg.payload + sizeof(struct rdt_slot));
	/* rdt_chan.c and rdt_pieces.c: one piece each way, a message joined and one cut, made on first use. */
	return core + 2 * (size_t)cfg.payload + 2 * (RDT_MESSAGE_MAX + 1) + sizeof(struct rdt_chan);
}
