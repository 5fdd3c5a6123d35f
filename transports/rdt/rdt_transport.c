/* rdt_transport.c - rdt as a transport table: what send, recv, shutdown and close do on an open socket, and the table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "rdt_sock.h"
#include "rdt_transport.h"
#include "core/sys/sys.h"
#include "transports/impair/impair.h"
#include "transports/sockops.h"

/* One whole message into the pair; EMSGSIZE above the payload the handshake agreed. */
static ssize_t rdt_sock_send(struct sock *s, const void *buf, size_t len)
{
	struct rdt_chan *c = s->state->c;

	if (!c) {
		errno = ENOTCONN;
		return -1;
	}
	if (len > c->message_max) {
		errno = EMSGSIZE; /* checked here: the thread must never have to drop one */
		return -1;
	}
	ssize_t n = sys_send(s->fd, buf, len);
	if (n >= 0)
		c->sent++;
	else if (errno == EPIPE && c->error)
		errno = c->error; /* the connection failed: say why, as TCP's send does */
	return n;
}

/* One whole message from the pair; at the end 0, or the connection's failure (ETIMEDOUT, ECONNRESET). */
static ssize_t rdt_sock_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	struct rdt_chan *c = s->state->c;
	int err;

	if (!c) {
		errno = ENOTCONN;
		return -1;
	}
	ssize_t n = sockops_msg_recv(s, buf, len, truncated);
	if (n == 0 && (err = c->end_error) != 0) {
		errno = err;
		return -1;
	}
	return n;
}

/* shutdown(SHUT_WR) is rdt's close: a FIN follows the messages already sent. SHUT_RD stays local. */
static int rdt_sock_shutdown(struct sock *s, int how)
{
	struct transport_state *h = s->state;

	if (!h->c) {
		errno = ENOTCONN;
		return -1;
	}
	if (how == SHUT_WR || how == SHUT_RDWR) {
		/* Before the kernel's shutdown: the thread must know how many messages precede the end. */
		rdt_lock();
		if (!h->c->eof) {
			h->c->eof = 1;
			h->c->eof_at = h->c->sent;
		}
		rdt_chan_touch(h->c);
		rdt_hub_wake();
		rdt_unlock();
	}
	return sys_shutdown(s->fd, how);
}

static int rdt_sock_getname(struct sock *s, struct addr *out)
{
	return sock_getname(&s->state->d->udp, out);
}

/* A listener closes: connections not accepted yet are reset, and new SYNs answered with an RST. */
static void unlisten(struct rdt_driver *d)
{
	d->listening = 0;
	for (struct rdt_chan *c = d->chans; c; c = c->next)
		if (!c->handed) {
			rdt_abort(c->core);
			rdt_chan_touch(c);
		}
}

/*
 * The thread sends the FIN after the messages already sent and finishes the
 * close handshake. The last socket on the UDP socket waits for it, bounded,
 * and frees everything (rdt_sock.h: the end).
 */
static int rdt_sock_close(struct sock *s)
{
	struct transport_state *h = s->state;
	struct rdt_driver *d = h->d;
	struct rdt_chan *c = h->c;

	rdt_lock();
	if (c) {
		if (!c->eof) {
			c->eof = 1;
			c->eof_at = c->sent;
		}
		c->app_closed = 1;
		rdt_chan_touch(c);
	} else {
		unlisten(d);
	}
	int r = sys_close(s->fd); /* before the thread looks: its end then sees the application gone */
	s->fd = -1;
	s->state = NULL;
	free(h);
	rdt_driver_release(d); /* wakes the thread, waits if this was the last socket, unlocks */
	return r;
}

static int rdt_sock_options(const char *text, char *rest, size_t restlen, char *why, size_t whylen)
{
	char mine[256];
	struct rdt_config cfg;

	struct impair_params p;

	if (rdt_options_split(text, mine, sizeof mine, rest, restlen) < 0) {
		snprintf(why, whylen, "options after '?' are too long");
		return -1;
	}
	/* delay= makes the sender wait: beneath rdt, the one thread that serves every rdt connection of the process. */
	if (impair_parse(rest, &p, why, whylen) == 0 && p.delay_ms > 0) {
		snprintf(why, whylen, "delay= is refused on rdt: it would hold socklab's protocol thread, which serves every "
				      "rdt connection of the process, and stall them all (drop=, dup= and reorder= act on its datagrams)");
		return -1;
	}
	return rdt_sock_config(text, &cfg, why, whylen);
}

const struct transport rdt_transport = {
	.scheme = "rdt",
	.summary = "rdt: socklab's own reliable messages over UDP (arq=sw|gbn|sr, window=N; drop=P loses its datagrams)",
	.domain = AF_UNSPEC,
	.type = SOCK_SEQPACKET, /* what the application holds: one end of a socketpair (rdt_sock.h) */
	.flags = TRANSPORT_CONNECTED | TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_USER_SPACE,
	.bind = rdt_sock_bind,
	.listen = rdt_sock_listen,
	.accept = rdt_sock_accept,
	.dial = rdt_sock_dial,
	.send = rdt_sock_send,
	.recv = rdt_sock_recv,
	.sendto = transport_no_sendto,
	.recvfrom = transport_no_recvfrom,
	.shutdown = rdt_sock_shutdown,
	.getname = rdt_sock_getname,
	.close = rdt_sock_close,
	.set_file_mode = transport_no_set_file_mode,
	/* A send per message through rdt_sock_send (its size check, its count), and one message per recv: the
	 * socketpair's sendmmsg would skip both, and a batch saves no system call that the protocol thread does not
	 * make again for each message anyway. */
	.send_batch = transport_stream_send_batch,
	.recv_batch = transport_stream_recv_batch,
	.options = rdt_sock_options,
};
