/* contrast_limits.c - scenarios 5 and 6: a big message, and a buffer smaller than the message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* Larger than the largest UDP datagram (65,507 bytes over IPv4). */
#define BIG 70000
/* The small-buffer scenario: a 100-byte message, a 10-byte buffer. */
#define MESSAGE 100
#define BUFFER 10

/*
 * Sends len bytes from the client while the server reads, so that neither
 * waits on the other whatever the buffer sizes. Counts the send() calls.
 */
static int send_while_reading(struct pair *p, const char *buf, size_t len, int *sends, struct drained *d)
{
	size_t sent = 0;

	if (sock_set_nonblocking(&p->cli) < 0)
		return -1;
	while (sent < len) {
		ssize_t n = sock_send(&p->cli, buf + sent, len - sent);
		if (n >= 0) {
			sent += (size_t)n;
			(*sends)++;
			if (sock_keeps_boundaries(&p->cli))
				break; /* a message goes whole or not at all */
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (lab_recv_once(p, d, 10) < 0) /* full: the reader makes room */
			return -1;
	}
	return 0;
}

/* 5. A 70,000-byte message: whole, in pieces, or refused? */
int scenario_size(struct lab *lab, const struct transport *t, struct cell *c)
{
	static char big[BIG];
	struct pair p;
	struct drained d = { 0 };
	char text[160];
	int sends = 0;

	memset(big, 'x', sizeof big);
	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	obs_int(c, "size", BIG);
	if (send_while_reading(&p, big, BIG, &sends, &d) < 0) {
		obs_str(c, "send", errno_name(errno));
		cell_say(c, "refused: send() = -1 %s", errno_name(errno));
		pair_close(&p);
		return 0;
	}
	sock_close(&p.cli);
	int r = lab_drain(&p, BIG, &d), err = errno;
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "recv", err);
	obs_int(c, "sends", sends);
	obs_int(c, "received", (long long)d.got);
	obs_drained(c, &d);
	cell_say(c, "%zu bytes in %d send%s and %d read%s: %s", d.got, sends, sends == 1 ? "" : "s", d.reads,
		 d.reads == 1 ? "" : "s", drained_text(&d, text, sizeof text));
	return 0;
}

/* 6. A 100-byte message, a 10-byte buffer: the rest waits, or is cut off? */
int scenario_buffer(struct lab *lab, const struct transport *t, struct cell *c)
{
	char msg[MESSAGE + 1], buf[BUFFER];
	struct pair p;
	struct drained rest = { 0 };
	int truncated = 0;

	for (size_t i = 0; i < MESSAGE; i++)
		msg[i] = (char)('0' + i % 10);
	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	if (sock_send_all(&p.cli, msg, MESSAGE) < 0) {
		pair_close(&p);
		return cell_fail(c, "send", errno);
	}
	struct sock *s = pair_server(&p);
	int ready = lab_wait(s, lab_patience(s));
	if (ready <= 0) {
		int err = errno;
		pair_close(&p);
		if (ready < 0)
			return cell_fail(c, "poll", err);
		obs_bool(c, "arrived", 0);
		cell_say(c, "the message is lost");
		return 0;
	}
	long long real = -1;
	if (sock_keeps_boundaries(s)) {
		/* recv(MSG_PEEK | MSG_TRUNC) returns the message's real size, however small the buffer. */
		real = sys_recvfrom(s->fd, buf, sizeof buf, MSG_PEEK | MSG_TRUNC, NULL, NULL);
		obs_result(c, "real_size", real, errno);
	}
	ssize_t n = pair_server_recv(&p, buf, sizeof buf, &truncated);
	int err = errno;
	obs_int(c, "buffer", BUFFER);
	obs_result(c, "first_read", n, err);
	obs_bool(c, "truncated", truncated);
	if (n < 0) {
		pair_close(&p);
		return cell_fail(c, "recv", err);
	}
	sock_close(&p.cli);
	if (lab_drain(&p, MESSAGE - (size_t)n, &rest) < 0) {
		pair_close(&p);
		return cell_fail(c, "recv", errno);
	}
	pair_close(&p);
	obs_int(c, "rest_reads", rest.reads);
	obs_int(c, "rest_bytes", (long long)rest.got);
	if (truncated)
		cell_say(c, "%zd of %lld bytes, MSG_TRUNC; the other %lld: %s", n, real, real - n,
			 rest.got ? "read later" : "gone");
	else
		cell_say(c, "%zd byte%s; the other %zu wait: %d more read%s", n, n == 1 ? "" : "s", rest.got, rest.reads,
			 rest.reads == 1 ? "" : "s");
	return 0;
}
