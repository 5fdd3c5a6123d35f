/* contrast_talk.c - scenarios 1 to 4: a handshake, message boundaries, an empty message, the end of a conversation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/*
 * A connect(2)ed datagram socket: the kernel now relates errors about that
 * peer to it. An ICMP "port unreachable" comes back after the send, and the
 * next call on the socket reports it.
 */
static void connected_datagram(const struct transport *t, const struct addr *nobody, struct cell *c, char *say,
			       size_t len)
{
	char buf[16];
	int fd = sys_socket(nobody->ss.ss_family, t->type, 0);

	if (fd < 0) {
		obs_str(c, "connect", errno_name(errno));
		return;
	}
	int r = sys_connect(fd, nobody);
	obs_result(c, "connect", r, errno);
	if (r < 0) {
		snprintf(say + strlen(say), len - strlen(say), "; connect()ed: %s at once", errno_name(errno));
	} else {
		ssize_t n = sys_send(fd, "hello", 5);
		obs_result(c, "connected_send", n, errno);
		int ready = n >= 0 ? sys_wait(fd, 0, QUIET_MS) : 0;
		ssize_t m = ready > 0 ? sys_recv(fd, buf, sizeof buf, MSG_DONTWAIT) : 0;
		obs_str(c, "connected_next_call", ready <= 0 ? "nothing" : m < 0 ? errno_name(errno) : "data");
		if (n < 0)
			snprintf(say + strlen(say), len - strlen(say), "; connect()ed: send %s", errno_name(errno));
		else if (ready > 0 && m < 0)
			snprintf(say + strlen(say), len - strlen(say), "; connect()ed: %s on the next call",
				 errno_name(errno));
		else
			snprintf(say + strlen(say), len - strlen(say), "; connect()ed: still nothing");
	}
	sys_close(fd);
}

/* 1. Dial an address where nobody listens. */
int scenario_handshake(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct sock srv, cli;
	struct addr nobody;
	char say[200] = "", buf[16];

	/* An address where nobody is: bind one, note it, close it. */
	if (lab_open(lab, t, ENDPOINT_SERVER, NULL, 1, &srv) < 0)
		return cell_fail(c, "bind", errno);
	int r = sock_getname(&srv, &nobody), err = errno;
	sock_close(&srv);
	if (r < 0)
		return cell_fail(c, "getsockname", err);

	r = lab_open(lab, t, ENDPOINT_CLIENT, &nobody, 0, &cli);
	obs_result(c, "dial", r, errno);
	if (r < 0) {
		SAY(say, "connect(): %s, at once", errno_name(errno));
	} else {
		ssize_t n = sock_send(&cli, "hello", 5);
		obs_result(c, "send", n, errno);
		if (n < 0) {
			SAY(say, "send(): %s, at once", errno_name(errno));
		} else {
			/* The send "worked". Does anything ever tell this socket otherwise? */
			int ready = lab_wait(&cli, QUIET_MS);
			ssize_t m = ready > 0 ? sys_recv(cli.fd, buf, sizeof buf, MSG_DONTWAIT) : 0;
			obs_str(c, "next_call", ready <= 0 ? "nothing" : m < 0 ? errno_name(errno) : "data");
			SAY(say, "send() = %zd, into the void", n);
			if (ready > 0 && m < 0)
				SAY(say, "; next call: %s", errno_name(errno));
			else
				SAY(say, "; no error ever comes");
		}
		sock_close(&cli);
	}
	if (!transport_is_connected(t))
		connected_datagram(t, &nobody, c, say, sizeof say);
	cell_say(c, "%s", say);
	return 0;
}

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

/* 4. The client sends a question and shuts down its sending side: does the server see it, can it answer? */
int scenario_end(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	struct drained d = { 0 };
	char say[200] = "", buf[16];

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	if (sock_send_all(&p.cli, "question", 8) < 0) {
		pair_close(&p);
		return cell_fail(c, "send", errno);
	}
	int r = sock_shutdown(&p.cli, SHUT_WR);
	obs_result(c, "shutdown", r, errno);
	SAY(say, "shutdown(SHUT_WR): %s; ", r == 0 ? "ok" : errno_name(errno));
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
