/* rdt_chan.c - one rdt connection in its thread: the core, and the messages between it and the application's socketpair. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "rdt_sock.h"
#include "core/io.h"
#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "core/sys/trace.h"

ssize_t rdt_plumb_send(int fd, const void *buf, size_t len)
{
	int was = trace_mute(1);
	ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	trace_mute(was);
	return n;
}

ssize_t rdt_plumb_recv(int fd, void *buf, size_t len)
{
	return recv(fd, buf, len, MSG_DONTWAIT);
}

/* Under --trace, every event of the core is a line: "  (rdt: retransmit seq=7 (timeout), transmission 2)". */
void rdt_chan_event(void *ctx, const struct rdt_event *e)
{
	char line[200];

	(void)ctx;
	if (!trace_on)
		return;
	rdt_event_format(e, line, sizeof line);
	trace_line("  (%s)", line);
}

struct rdt_chan *rdt_chan_new(struct rdt_driver *d, const struct addr *peer)
{
	struct rdt_chan *c = calloc(1, sizeof *c);
	int sv[2];

	if (!c)
		return NULL;
	c->d = d;
	c->fd = c->app_fd = -1;
	c->due = -1;
	c->entry.addr = *peer;
	c->message_max = peer->ss.ss_family == AF_INET6 ? IO_UDP6_MAX : IO_UDP4_MAX;
	c->core = rdt_new(&d->cfg, rdt_chan_event, c);
	c->piece_in = malloc(d->cfg.payload);
	c->piece_out = malloc(d->cfg.payload);
	if (!c->core || !c->piece_in || !c->piece_out || sys_socketpair(AF_UNIX, SOCK_SEQPACKET, sv) < 0) {
		rdt_chan_free(c);
		return NULL;
	}
	c->app_fd = sv[0];
	c->fd = sv[1];
	/* The thread's end never blocks; the pair must hold the largest message (a unix message is one skb). */
	int was = trace_mute(1);
	int r = sys_set_nonblocking(c->fd, 1);
	trace_mute(was);
	if (r < 0) {
		rdt_chan_free(c);
		return NULL;
	}
	return c;
}

void rdt_chan_free(struct rdt_chan *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		sys_close(c->fd);
	if (c->app_fd >= 0)
		sys_close(c->app_fd);
	rdt_free(c->core);
	free(c->piece_in);
	free(c->piece_out);
	free(c->in_msg);
	free(c->out_msg);
	while (c->stash) {
		struct rdt_stash *k = c->stash;
		c->stash = k->next;
		free(k);
	}
	free(c);
}

/* The application closed c: once our FIN is acknowledged, the peer gets RDT_FIN_GRACE_MS to end too. */
static void enforce_grace(struct rdt_chan *c, long long now)
{
	if (!c->app_closed || rdt_closed(c->core))
		return;
	if (!c->grace_at && rdt_state(c->core) == RDT_FIN_WAIT_2)
		c->grace_at = now + RDT_FIN_GRACE_MS * 1000LL;
	if ((c->grace_at && now >= c->grace_at) || (c->d->linger_at && now >= c->d->linger_at))
		rdt_abort(c->core); /* an RST: nobody here will read what the peer sends */
}

long long rdt_chan_pump(struct rdt_chan *c, long long now)
{
	struct rdt_driver *d = c->d;
	ssize_t n;

	enforce_grace(c, now);
	if (rdt_established(c->core))
		rdt_pieces_take(c, now);
	if (rdt_established(c->core) || rdt_closed(c->core))
		rdt_pieces_deliver(c);
	unsigned char *slot;
	rdt_ack_flush(c->core); /* the end of the round: no ACK waits for a packet that is not coming */
	while ((n = rdt_output(c->core, now, slot = rdt_burst_slot(d), d->dgram_max)) > 0)
		rdt_burst_queue(d, c, slot, (size_t)n);
	if (rdt_closed(c->core) && !c->end_passed)
		rdt_pieces_deliver(c); /* a timer ended it just now: the application must hear it */
	long long wake = rdt_next_wake(c->core, now);
	long long at = c->grace_at ? c->grace_at : 0;
	if (c->app_closed && d->linger_at && (!at || d->linger_at < at))
		at = d->linger_at;
	if (at && !rdt_closed(c->core) && (wake < 0 || at - now < wake))
		wake = at > now ? at - now : 0;
	return wake;
}

unsigned rdt_chan_events(const struct rdt_chan *c)
{
	unsigned ev = 0;

	if (c->hup || c->app_closed || c->end_error || !rdt_established(c->core))
		return 0;
	if (c->has_staged)
		ev |= POLLER_OUT;
	if (!c->closing && !c->out_busy && !rdt_closed(c->core) && rdt_writable(c->core) &&
	    !(c->eof && c->taken >= c->eof_at))
		ev |= POLLER_IN;
	return ev;
}

int rdt_chan_finished(const struct rdt_chan *c)
{
	if ((c->handed && !c->app_closed) || (c->queued && c->d->listening))
		return 0; /* the application holds it, or will */
	return rdt_closed(c->core);
}

void rdt_chan_stop(struct rdt_chan *c)
{
	if (!c->eof) {
		c->eof = 1;
		c->eof_at = c->sent;
	}
	c->app_closed = 1;
	if (!c->handed)
		rdt_abort(c->core); /* never accepted: nobody will */
}
