/* wire_exchange.c - the exchanges socklab wire captures, written once over the transport interface: echo, handshake, loss... */
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"

static const char message[] = "hello\n";
#define MESSAGE_LEN (sizeof message - 1)
/* How long a connection may take to deliver (its retransmissions included), and how long a datagram may take. */
#define CONN_PATIENCE_MS 5000
#define DGRAM_PATIENCE_MS 200

void wire_said(struct wire_exchange *x, const char *fmt, ...)
{
	va_list ap;

	if (x->nsaid == WIRE_SAID_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(x->said[x->nsaid++], sizeof x->said[0], fmt, ap);
	va_end(ap);
}

/* The server's socket at x->ep; x->server becomes its address. */
static int serve(struct wire_exchange *x, struct sock *s)
{
	int gai;

	x->side = 1;
	if (sock_listen_endpoint(s, &x->ep, 16, &gai) < 0 || sock_getname(s, &x->server) < 0)
		return -1;
	x->listening = sock_is_connected(s);
	return 0;
}

/* A client of x->server, through an endpoint as every demo makes one. */
static int dial(struct wire_exchange *x, struct sock *s)
{
	char text[ENDPOINT_TEXT_MAX + 1], why[256];
	struct endpoint ep;
	int gai;

	x->side = 0;
	/* No server: the client goes where the endpoint says, and that is the address the capture follows. */
	size_t n;
	if (x->server.len == 0 && (endpoint_resolve(&x->ep, ENDPOINT_CLIENT, &x->server, 1, &n) != 0 || n == 0)) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	endpoint_format(x->t, &x->server, text, sizeof text);
	if (x->ep.options[0])
		snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", x->ep.options);
	if (endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why) < 0) {
		errno = EINVAL;
		return -1;
	}
	return sock_dial_endpoint(s, &ep, &gai);
}

/* Receives until len bytes came (a stream may deliver them in pieces) or the end. Returns the bytes, or -1. */
static ssize_t read_upto(struct sock *s, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		int r = sys_wait(s->fd, 0, CONN_PATIENCE_MS);
		if (r <= 0)
			return r < 0 ? -1 : (errno = SL_ETIMEDOUT_REPLY, -1);
		ssize_t n = sock_recv(s, buf + got, len - got, NULL);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The end of a connection: the client closes first, or (half) the server answers a half-close and closes. */
static void conn_end(struct wire_exchange *x, struct sock *cli, struct sock *acc, int half)
{
	char buf[64];

	if (half) {
		x->side = 1;
		sock_close(acc);
		x->side = 0;
		ssize_t end = read_upto(cli, buf, sizeof buf);
		wire_said(x, "client: recv() = %zd%s, then close()", end, end == 0 ? " (the server's end of the stream)" : "");
		sock_close(cli);
		return;
	}
	x->side = 0;
	sock_close(cli);
	x->side = 1;
	ssize_t end = read_upto(acc, buf, sizeof buf); /* the server reads on to the client's FIN: recv() = 0 */
	wire_said(x, "server: recv() = %zd%s, then close()", end, end == 0 ? " (the client's end of the stream)" : "");
	sock_close(acc);
}

/*
 * The round trips of a connection: the client sends the message (then, for a
 * half-close, shuts down its side), the server accepts once, reads and echoes,
 * the client reads the echo. Returns how many echoes came back whole, or -1
 * with *step naming the call that failed and errno set.
 */
static int conn_trips(struct wire_exchange *x, struct sock *srv, struct sock *cli, struct sock *acc, int trips, int half,
		      const char **step)
{
	char buf[64];
	int backs = 0;

	for (int i = 0; i < (trips ? trips : 1); i++) {
		x->side = 0;
		if ((trips && sock_send_all(cli, message, MESSAGE_LEN) < 0) || (half && sock_shutdown(cli, SHUT_WR) < 0))
			return *step = half ? "client: send() or shutdown()" : "client: send()", -1;
		x->side = 1;
		/* Accept once the client has sent: its data completes the handshake even if the last ACK was lost. */
		if (i == 0) {
			int r = sys_wait(srv->fd, 0, CONN_PATIENCE_MS);
			if (r <= 0 || sock_accept(srv, acc) < 0)
				return *step = "server: accept()", errno = r == 0 ? SL_ETIMEDOUT_REPLY : errno, -1;
		}
		ssize_t n = trips ? read_upto(acc, buf, half ? sizeof buf : MESSAGE_LEN) : 0;
		if (n < 0 || (n > 0 && sock_send_all(acc, buf, (size_t)n) < 0))
			return *step = "server: recv() or send()", -1;
		x->side = 0;
		if (trips && read_upto(cli, buf, MESSAGE_LEN) == (ssize_t)MESSAGE_LEN)
			backs++;
		if (x->tick)
			x->tick(x->tick_ctx);
	}
	return backs;
}

/* A connection: opened, trips round trips of the message (none for the handshake), then its end. */
static int conn_run(struct wire_exchange *x, int trips, int half)
{
	struct sock srv, cli, acc;
	const char *step = "";

	sock_init(&srv), sock_init(&cli), sock_init(&acc);
	if (serve(x, &srv) < 0)
		return -1;
	if (dial(x, &cli) < 0) {
		wire_said(x, "client: connect() = -1 %s (%s)", errno_name(errno), errno_text(errno));
	} else {
		int backs = conn_trips(x, &srv, &cli, &acc, trips, half, &step);
		if (backs < 0)
			wire_said(x, "%s failed: %s", step, errno_text(errno));
		else if (!trips)
			wire_said(x, "client: connect() = 0; server: accept() = a socket for it; no data");
		else
			wire_said(x, "client: %d of %d echo%s of '%.*s' came back whole%s", backs, trips,
				  trips == 1 ? "" : "es", (int)MESSAGE_LEN - 1, message,
				  half ? ", after its shutdown(SHUT_WR)" : "");
		if (backs >= 0)
			conn_end(x, &cli, &acc, half);
	}
	x->side = 0;
	sock_close(&cli);
	x->side = 1;
	sock_close(&acc), sock_close(&srv);
	return 0;
}

/* Waits for a datagram on s and reads it. Returns its size, or -1 (errno SL_ETIMEDOUT_REPLY when none came). */
static ssize_t dgram_get(struct sock *s, char *buf, size_t len, struct addr *from)
{
	int r = sys_wait(s->fd, 0, DGRAM_PATIENCE_MS);

	if (r <= 0)
		return r < 0 ? -1 : (errno = SL_ETIMEDOUT_REPLY, -1);
	return from ? sock_recvfrom(s, buf, len, from, NULL) : sock_recv(s, buf, len, NULL);
}

/* Datagrams: trips of a message and its echo (echo: 0 for one datagram and no answer); no server when !served. */
static int dgram_run(struct wire_exchange *x, int trips, int echo, int served)
{
	struct sock srv, cli;
	struct addr from;
	char buf[64];
	int heard = 0, backs = 0, lasterr = 0;

	sock_init(&srv), sock_init(&cli);
	if (served && serve(x, &srv) < 0)
		return -1;
	if (dial(x, &cli) < 0) {
		int saved = errno;
		sock_close(&srv);
		errno = saved;
		return -1;
	}
	for (int i = 0; i < trips; i++) {
		x->side = 0;
		if (sock_send(&cli, message, MESSAGE_LEN) < 0) {
			lasterr = errno;
			continue;
		}
		x->side = 1;
		ssize_t n = served ? dgram_get(&srv, buf, sizeof buf, &from) : -1;
		heard += n >= 0;
		if (n >= 0 && echo && sock_sendto(&srv, buf, (size_t)n, &from) < 0)
			lasterr = errno;
		x->side = 0;
		if (echo || !served) {
			if (dgram_get(&cli, buf, sizeof buf, NULL) >= 0)
				backs++;
			else
				lasterr = errno;
		}
		if (x->tick)
			x->tick(x->tick_ctx);
	}
	if (served)
		wire_said(x, "server: %d of %d datagram%s arrived", heard, trips, trips == 1 ? "" : "s");
	if (echo)
		wire_said(x, "client: %d of %d echo%s came back", backs, trips, trips == 1 ? "" : "es");
	else if (!served)
		wire_said(x, "client: sendto() = %zu; then its recv() %s", MESSAGE_LEN,
			  backs ? "got an answer" : lasterr == SL_ETIMEDOUT_REPLY ? "heard nothing in 0.2 s" :
			  errno_name(lasterr));
	x->side = 0;
	sock_close(&cli);
	x->side = 1;
	sock_close(&srv);
	return 0;
}

/* Connects where nobody answers: the observation is how connect() fails. */
static int conn_unanswered(struct wire_exchange *x)
{
	struct sock cli;

	sock_init(&cli);
	if (dial(x, &cli) < 0)
		wire_said(x, "client: connect() = -1 %s (%s)", errno_name(errno), errno_text(errno));
	else
		wire_said(x, "client: connect() = 0: something answered after all");
	sock_close(&cli);
	return 0;
}

static int run_echo(struct wire_exchange *x)
{
	return transport_is_connected(x->t) ? conn_run(x, 1, 0) : dgram_run(x, 1, 1, 1);
}

static int run_handshake(struct wire_exchange *x)
{
	return transport_is_connected(x->t) ? conn_run(x, 0, 0) : dgram_run(x, 1, 0, 1);
}

static int run_refused(struct wire_exchange *x)
{
	return transport_is_connected(x->t) ? conn_unanswered(x) : dgram_run(x, 1, 0, 0);
}

static int run_half_close(struct wire_exchange *x)
{
	return conn_run(x, 1, 1);
}

static int run_loss(struct wire_exchange *x)
{
	return transport_is_connected(x->t) ? conn_run(x, x->messages, 0) : dgram_run(x, x->messages, 1, 1);
}

const struct wire_scenario wire_scenarios[] = {
	{ "echo", "one message and its echo: a connection's handshake, data and end; a datagram each way", 1, 0, 0, 0,
	  run_echo },
	{ "handshake", "a connection opened and closed with no data; a datagram has no handshake to show", 1, 0, 0, 0,
	  run_handshake },
	{ "refused", "nobody at the port: TCP answers with RST, UDP with ICMP port unreachable", 0, 0, 0, 0,
	  run_refused },
	{ "half-close", "the client shuts down its sending side; the server still answers, then closes", 1, 1, 0, 0,
	  run_half_close },
	{ "no-server", "a firewall drops everything to the port: no answer at all, and TCP sends its SYN again",
	  0, 0, 1, 1, run_refused },
	{ "loss", "12 echoes while nftables drops --loss percent (default 20) of the data: retransmissions", 1, 0, 1, 1,
	  run_loss },
};
const size_t wire_nscenarios = sizeof wire_scenarios / sizeof wire_scenarios[0];

const struct wire_scenario *wire_scenario_find(const char *name)
{
	for (size_t i = 0; i < wire_nscenarios; i++)
		if (strcmp(wire_scenarios[i].name, name) == 0)
			return &wire_scenarios[i];
	return NULL;
}
