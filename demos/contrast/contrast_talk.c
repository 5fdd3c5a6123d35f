/* contrast_talk.c - scenarios 2 to 4: message boundaries, an empty message, the end of a conversation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* 2. Three messages sent back to back: how many reads, holding what? */
int scenario_boundaries(struct lab *lab, const struct transport *t, struct cell *c)
{
	static const char *const msgs[] = { "a", "bb", "ccc" };
	struct pair p;
	struct drained d = { 0 };
	char text[160];

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	for (size_t i = 0; i < 3; i++)
		if (sock_send_all(&p.cli, msgs[i], strlen(msgs[i])) < 0) {
			pair_close(&p);
			return cell_fail(c, "send", errno);
		}
	sock_close(&p.cli); /* all sent; a datagram held back by ?reorder= goes now */
	int r = lab_drain(&p, 6, &d);
	int err = errno;
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "recv", err);
	obs_int(c, "sends", 3);
	obs_drained(c, &d);
	cell_say(c, "%d read%s: %s", d.reads, d.reads == 1 ? "" : "s", drained_text(&d, text, sizeof text));
	return 0;
}

/* 3. A zero-length send, then "x", then close: what does the reader see? */
int scenario_empty(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	char say[200] = "", buf[16];
	int got_x = 0, empty_first = 0, reads = 0;

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	ssize_t n = sock_send(&p.cli, "", 0);
	obs_result(c, "send_empty", n, errno);
	if (sock_send_all(&p.cli, "x", 1) < 0) {
		pair_close(&p);
		return cell_fail(c, "send", errno);
	}
	sock_close(&p.cli);
	struct sock *s = pair_server(&p);
	obs_list_begin(c, "reads");
	for (; reads < 4; reads++) {
		if (lab_wait(s, lab_patience(s)) <= 0) {
			obs_item_str(c, "nothing", 7);
			SAY(say, "%snothing more", reads ? ", " : "");
			break;
		}
		ssize_t m = pair_server_recv(&p, buf, sizeof buf, NULL);
		if (m < 0) {
			obs_item_str(c, errno_name(errno), strlen(errno_name(errno)));
			SAY(say, "%s%s", reads ? ", " : "", errno_name(errno));
			break;
		}
		obs_item_int(c, m);
		empty_first |= m == 0 && !got_x;
		SAY(say, "%s%s", reads ? ", " : "", m == 0 ? (got_x ? "0 (the end)" : "0 (an empty message)") : "'x'");
		if (m == 0 && got_x)
			break;
		got_x |= m == 1;
	}
	obs_list_end(c);
	obs_bool(c, "empty_is_a_message", empty_first);
	pair_close(&p);
	cell_say(c, "send(\"\") = %zd; reads: %s", n, say);
	return 0;
}

/*
 * shutdown(SHUT_WR) on a connect()ed datagram socket, and the send after it:
 * the kernel's two answers. (Linux: 0, then EPIPE.)
 */
static void connected_shutdown(const struct transport *t, const struct addr *at, struct cell *c, char *say, size_t len)
{
	int fd = sys_socket(at->ss.ss_family, t->type, 0);

	if (fd < 0 || sys_connect(fd, at) < 0) {
		obs_str(c, "connected_shutdown", errno_name(errno));
		snprintf(say + strlen(say), len - strlen(say), "; connect(): %s", errno_name(errno));
	} else {
		int r = sys_shutdown(fd, SHUT_WR), err = errno;
		ssize_t n = sys_send(fd, "more", 4);
		obs_result(c, "connected_shutdown", r, err);
		obs_result(c, "connected_next_send", n, errno);
		snprintf(say + strlen(say), len - strlen(say), "; connect()ed: %s, then send: %s", r == 0 ? "0" : errno_name(err),
			 n < 0 ? errno_name(errno) : "ok");
	}
	if (fd >= 0)
		sys_close(fd);
}

/* 4. The client sends a question and shuts down its sending side: does the server see it, can it answer? */
int scenario_end(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	struct drained d = { 0 };
	char say[240] = "", buf[16];

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	if (sock_send_all(&p.cli, "question", 8) < 0) {
		pair_close(&p);
		return cell_fail(c, "send", errno);
	}
	/* The kernel's own answer on every transport: a datagram socket has no connection, and says so its way. */
	int r = sock_shutdown(&p.cli, SHUT_WR), err = errno;
	obs_result(c, "shutdown", r, err);
	SAY(say, "shutdown(SHUT_WR): %s", r == 0 ? "0" : errno_name(err));
	if (!transport_is_connected(t)) {
		/* Linux's inet_shutdown() shuts an unconnected UDP socket even as it says ENOTCONN. */
		ssize_t n = sock_send(&p.cli, "more", 4);
		obs_result(c, "next_send", n, errno);
		SAY(say, "%s send: %s", r == 0 ? ", then" : ", yet the next", n < 0 ? errno_name(errno) : "ok");
		connected_shutdown(t, &p.at, c, say, sizeof say);
	}
	SAY(say, "; ");
	if (lab_drain(&p, 8, &d) < 0) {
		pair_close(&p);
		return cell_fail(c, "recv", errno);
	}
	obs_bool(c, "question_arrived", d.got == 8);
	if (d.got != 8) { /* lost on the way (?drop=): nobody will ever know, not even the server */
		pair_close(&p);
		cell_say(c, "%sthe question is lost", say);
		return 0;
	}
	/* The question is in. What does the server's next read say? */
	struct sock *s = pair_server(&p);
	int ready = lab_wait(s, lab_patience(s));
	ssize_t n = ready > 0 ? pair_server_recv(&p, buf, sizeof buf, NULL) : -1;
	obs_str(c, "server_next_read", ready <= 0 ? "nothing" : n == 0 ? "0" : n < 0 ? errno_name(errno) : "data");
	obs_bool(c, "server_saw_end", ready > 0 && n == 0);
	SAY(say, "%s; ", ready <= 0 ? "the server sees no end" : n == 0 ? "the server reads 0: the end" : "?");
	/* The conversation is half over: can the server still answer? */
	ssize_t a = pair_server_send(&p, "answer", 6);
	int aerr = errno; /* for the summary, after pair_close() */
	obs_result(c, "answer_sent", a, aerr);
	size_t got = a == 6 ? lab_read(&p.cli, buf, 6) : 0;
	buf[got] = '\0';
	obs_str(c, "client_got", buf);
	pair_close(&p);
	if (a < 0)
		SAY(say, "its answer: %s", errno_name(aerr));
	else
		SAY(say, "its answer %s", got == 6 ? "arrives" : "is lost");
	cell_say(c, "%s", say);
	return 0;
}
