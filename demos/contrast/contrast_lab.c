/* contrast_lab.c - what every contrast scenario needs: sockets through endpoints, patient reads, kernel counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* The largest read a scenario makes: more than any datagram. */
#define READ_MAX (128 * 1024)

int lab_open(struct lab *lab, const struct transport *t, enum endpoint_role role, const struct addr *at, int plain,
	     struct sock *s)
{
	char text[ENDPOINT_TEXT_MAX + 1], why[256];
	struct endpoint ep;
	int gai;

	sock_init(s);
	if (at) {
		endpoint_format(t, at, text, sizeof text);
	} else {
		char name[16];
		snprintf(name, sizeof name, "s%u", ++lab->seq);
		endpoint_local(t, lab->dir, name, text, sizeof text);
	}
	if (!plain && lab->options) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "?%s", lab->options);
	}
	/* Through endpoint_parse and sock_*_endpoint, so that ?options apply as in every demo. */
	if (endpoint_parse(text, role, &ep, why, sizeof why) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (role == ENDPOINT_SERVER)
		return sock_listen_endpoint(s, &ep, 16, &gai);
	return sock_dial_endpoint(s, &ep, &gai);
}

int lab_wait(struct sock *s, int ms)
{
	return sys_wait(s->fd, 0, ms);
}

int lab_patience(const struct sock *s)
{
	return sock_is_connected(s) ? EXPECT_MS : QUIET_MS;
}

int pair_open(struct lab *lab, const struct transport *t, struct pair *p)
{
	return pair_open_sized(lab, t, p, 0, 0);
}

int pair_open_sized(struct lab *lab, const struct transport *t, struct pair *p, int rcvbuf, int sndbuf)
{
	memset(p, 0, sizeof *p);
	sock_init(&p->srv);
	sock_init(&p->cli);
	sock_init(&p->acc);
	if (lab_open(lab, t, ENDPOINT_SERVER, NULL, 0, &p->srv) < 0 || sock_getname(&p->srv, &p->at) < 0)
		goto fail;
	/* On the listener: the accepted socket inherits it, and TCP sizes its window from it at the handshake. */
	if (rcvbuf && sys_setsockopt_int(p->srv.fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", rcvbuf) < 0)
		goto fail;
	if (lab_open(lab, t, ENDPOINT_CLIENT, &p->at, 0, &p->cli) < 0 ||
	    (sndbuf && sys_setsockopt_int(p->cli.fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", sndbuf) < 0))
		goto fail;
	if (sock_is_connected(&p->srv)) {
		/* connect() has returned, but a lost ACK can keep the connection out of the queue a while. */
		int r = lab_wait(&p->srv, ACCEPT_MS);
		if (r == 0)
			errno = ETIMEDOUT;
		if (r <= 0 || sock_accept(&p->srv, &p->acc) < 0)
			goto fail;
		/* TCP's accepted socket inherits the listener's buffer; a unix one does not: set it there too. */
		if (rcvbuf && sys_setsockopt_int(p->acc.fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", rcvbuf) < 0)
			goto fail;
	}
	return 0;
fail:;
	int saved = errno;
	pair_close(p);
	errno = saved;
	return -1;
}

void pair_close(struct pair *p)
{
	sock_close(&p->cli);
	sock_close(&p->acc);
	sock_close(&p->srv);
}

struct sock *pair_server(struct pair *p)
{
	return sock_is_connected(&p->srv) ? &p->acc : &p->srv;
}

ssize_t pair_server_recv(struct pair *p, void *buf, size_t len, int *truncated)
{
	if (sock_is_connected(&p->srv))
		return sock_recv(&p->acc, buf, len, truncated);
	return sock_recvfrom(&p->srv, buf, len, &p->from, truncated);
}

ssize_t pair_server_send(struct pair *p, const void *buf, size_t len)
{
	if (sock_is_connected(&p->srv))
		return sock_send(&p->acc, buf, len);
	return sock_sendto(&p->srv, buf, len, &p->from);
}

int lab_recv_once(struct pair *p, struct drained *d, int ms)
{
	static char buf[READ_MAX];
	struct sock *s = pair_server(p);
	int truncated = 0;

	int r = lab_wait(s, ms);
	if (r <= 0)
		return r; /* nothing came, or waiting failed */
	ssize_t n = pair_server_recv(p, buf, sizeof buf, &truncated);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0 && sock_is_connected(s)) {
		d->eof = 1;
		return 1;
	}
	if ((size_t)d->reads < sizeof d->sizes / sizeof d->sizes[0])
		d->sizes[d->reads] = (size_t)n;
	if (d->reads == 0 || (size_t)n < d->min)
		d->min = (size_t)n;
	if ((size_t)n > d->max)
		d->max = (size_t)n;
	d->reads++;
	size_t keep = (size_t)n < sizeof d->data - d->dlen ? (size_t)n : sizeof d->data - d->dlen;
	memcpy(d->data + d->dlen, buf, keep);
	d->dlen += keep;
	d->got += (size_t)n;
	return 1;
}

int lab_drain(struct pair *p, size_t want, struct drained *d)
{
	struct sock *s = pair_server(p);

	while (d->got < want && !d->eof) {
		int r = lab_recv_once(p, d, lab_patience(s));
		if (r <= 0)
			return r;
	}
	return 0;
}

void obs_drained(struct cell *c, const struct drained *d)
{
	size_t shown = (size_t)d->reads < 16 ? (size_t)d->reads : 16, off = 0;

	obs_int(c, "reads", d->reads);
	obs_list_begin(c, "sizes");
	for (size_t i = 0; i < shown; i++)
		obs_item_int(c, (long long)d->sizes[i]);
	obs_list_end(c);
	obs_list_begin(c, "data");
	for (size_t i = 0; i < shown && off < d->dlen; off += d->sizes[i++]) {
		size_t n = d->sizes[i] < d->dlen - off ? d->sizes[i] : d->dlen - off;
		obs_item_str(c, d->data + off, n < 32 ? n : 32); /* the start of each read */
	}
	obs_list_end(c);
}

const char *drained_text(const struct drained *d, char *buf, size_t len)
{
	size_t o = 0, off = 0;

	buf[0] = '\0';
	if (d->reads > 6) { /* too many to list */
		if (d->min == d->max)
			snprintf(buf, len, "%zu byte%s each", d->min, d->min == 1 ? "" : "s");
		else
			snprintf(buf, len, "%zu to %zu bytes each", d->min, d->max);
		return buf;
	}
	for (int i = 0; i < d->reads && o < len; off += d->sizes[i++]) {
		if (d->sizes[i] <= 12 && off + d->sizes[i] <= d->dlen)
			o += (size_t)snprintf(buf + o, len - o, "%s'%.*s'", i ? " " : "", (int)d->sizes[i], d->data + off);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%zu bytes", i ? ", " : "", d->sizes[i]);
	}
	return buf;
}

size_t lab_read(struct sock *s, char *buf, size_t want)
{
	size_t got = 0;

	while (got < want && lab_wait(s, lab_patience(s)) > 0) {
		ssize_t n = sock_recv(s, buf + got, want - got, NULL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}
