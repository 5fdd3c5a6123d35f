/* contrast_calls.c - scenario 11: the system calls each side makes, captured by the same layer as --trace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/sys/trace.h"
#include "demos/cli.h"
#include "contrast.h"

/* Where the trace sink puts each line while the exchange runs. */
struct capture {
	struct calls *out;
	int server; /* who is calling now */
	int step;
	int mute;   /* waiting for data: the poll(2) calls are the lab's, not the lesson's */
	int full;   /* out of memory: lines are dropped, the exchange goes on */
};

static void collect(const char *line, void *ctx)
{
	struct capture *cap = ctx;
	struct calls *c = cap->out;

	if (cap->mute || cap->full)
		return;
	if (c->n == c->cap) {
		size_t cap2 = c->cap ? c->cap * 2 : 32;
		struct call *v = realloc(c->v, cap2 * sizeof *v);
		if (!v) {
			cap->full = 1;
			return;
		}
		c->v = v;
		c->cap = cap2;
	}
	struct call *k = &c->v[c->n++];
	snprintf(k->line, sizeof k->line, "%s", line);
	k->server = cap->server;
	k->step = cap->step;
}

void calls_free(struct calls *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

/* Who calls next, and at which step. */
static void side(struct capture *cap, int server, enum step step)
{
	cap->server = server;
	cap->step = step;
}

/* Waits for data without recording the waiting. */
static int quiet_wait(struct capture *cap, struct sock *s)
{
	cap->mute = 1;
	int r = lab_wait(s, lab_patience(s));
	cap->mute = 0;
	return r;
}

/* The exchange: open, ask "hi", answer "hi", close; every call of each side recorded. */
static int exchange(struct lab *lab, const struct transport *t, struct capture *cap, struct pair *p)
{
	char buf[16];

	side(cap, 1, STEP_SERVER_OPEN);
	if (lab_open(lab, t, ENDPOINT_SERVER, NULL, 0, &p->srv) < 0)
		return -1;
	cap->mute = 1; /* the lab asks where the server is: not part of the lesson */
	int r = sock_getname(&p->srv, &p->at);
	cap->mute = 0;
	side(cap, 0, STEP_CLIENT_OPEN);
	if (r < 0 || lab_open(lab, t, ENDPOINT_CLIENT, &p->at, 0, &p->cli) < 0)
		return -1;
	side(cap, 1, STEP_ACCEPT);
	if (sock_is_connected(&p->srv) && (quiet_wait(cap, &p->srv) <= 0 || sock_accept(&p->srv, &p->acc) < 0))
		return -1;
	side(cap, 0, STEP_ASK);
	if (sock_send_all(&p->cli, "hi", 2) < 0)
		return -1;
	/* A datagram may be lost (?drop=, make lab): then the calls show a question nobody answers. */
	side(cap, 1, STEP_HEAR);
	int heard = quiet_wait(cap, pair_server(p));
	if (heard < 0 || (heard > 0 && pair_server_recv(p, buf, sizeof buf, NULL) < 0))
		return -1;
	side(cap, 1, STEP_ANSWER);
	if (heard > 0 && pair_server_send(p, "hi", 2) < 0)
		return -1;
	side(cap, 0, STEP_GET);
	int answered = heard > 0 ? quiet_wait(cap, &p->cli) : 0;
	if (answered < 0 || (answered > 0 && sock_recv(&p->cli, buf, sizeof buf, NULL) < 0))
		return -1;
	side(cap, 0, STEP_CLIENT_CLOSE);
	sock_close(&p->cli);
	if (sock_is_connected(&p->srv)) {
		side(cap, 1, STEP_SERVER_END);
		if (quiet_wait(cap, &p->acc) > 0)
			(void)sock_recv(&p->acc, buf, sizeof buf, NULL); /* 0: the client's close arrived */
		sock_close(&p->acc);
	}
	side(cap, 1, STEP_SERVER_CLOSE);
	sock_close(&p->srv);
	return 0;
}

int contrast_capture(struct lab *lab, const struct transport *t, struct calls *out)
{
	struct capture cap = { .out = out };
	struct pair p;
	int traced = trace_on; /* socklab --trace contrast: give the narration back afterwards */

	memset(&p, 0, sizeof p);
	sock_init(&p.srv);
	sock_init(&p.cli);
	sock_init(&p.acc);
	out->t = t;
	trace_set_sink(collect, &cap);
	int r = exchange(lab, t, &cap, &p);
	int err = errno;
	cap.mute = 1;
	pair_close(&p);
	trace_set_sink(NULL, NULL);
	if (traced)
		cli_trace_on();
	errno = err;
	return r;
}

/*
 * "sendto" from "sendto(3, 2 bytes, 127.0.0.1:5555) = 2"; "(lost)" from the
 * impairment layer's "  (impair: lost: ...)"; NULL for other remarks.
 */
static const char *call_name(const char *line, char *buf, size_t len)
{
	static const char impair[] = "  (impair: ";
	size_t n = strcspn(line, "(");

	if (strncmp(line, impair, sizeof impair - 1) == 0) {
		line += sizeof impair - 1;
		snprintf(buf, len, "(%.*s)", (int)strcspn(line, ":"), line);
		return buf;
	}
	if (line[0] == ' ' || line[n] != '(')
		return NULL;
	snprintf(buf, len, "%.*s", (int)n, line);
	return buf;
}

/* 11. The calls each side made, in order: the same layer as --trace records them. */
int scenario_calls(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct calls calls = { 0 };
	char client[200] = "", server[200] = "", name[32];

	if (contrast_capture(lab, t, &calls) < 0) {
		int err = errno;
		calls_free(&calls);
		return cell_fail(c, "exchange", err);
	}
	for (int s = 0; s < 2; s++) {
		char *say = s ? server : client;
		obs_list_begin(c, s ? "server" : "client");
		for (size_t i = 0; i < calls.n; i++) {
			if (calls.v[i].server != s)
				continue;
			obs_item_str(c, calls.v[i].line, strlen(calls.v[i].line));
			if (call_name(calls.v[i].line, name, sizeof name))
				snprintf(say + strlen(say), sizeof client - strlen(say), "%s%s", say[0] ? " " : "", name);
		}
		obs_list_end(c);
	}
	cell_say(c, "client: %s; server: %s", client, server);
	calls_free(&calls);
	return 0;
}
