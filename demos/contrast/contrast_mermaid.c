/* contrast_mermaid.c - sequence diagrams drawn from real traces: each transport's client and server, step by step. */
#include <stdio.h>
#include <string.h>

#include "contrast.h"

/*
 * A trace line made stable for a picture: addresses and paths (which change
 * every run) are left out; descriptors, sizes and results stay.
 * "sendto(3, 2 bytes, 127.0.0.1:40211) = 2" becomes "sendto(3, 2 bytes) = 2".
 */
void call_label(const char *line, char *out, size_t len)
{
	const char *open = strchr(line, '('), *end = open ? strstr(open, ") = ") : NULL;
	size_t o = 0;

	if (!open || !end || line[0] == ' ') { /* the impairment layer's remark: "  (impair: ...)" */
		line += strspn(line, " (");
		size_t n = strlen(line);
		snprintf(out, len, "%.*s", (int)(n && line[n - 1] == ')' ? n - 1 : n), line);
		return;
	}
	o += (size_t)snprintf(out, len, "%.*s(", (int)(open - line), line);
	int first = 1;
	for (const char *a = open + 1; a < end && o < len;) {
		const char *comma = strstr(a, ", ");
		size_t n = (size_t)((comma && comma < end ? comma : end) - a);
		int address = a[0] != '(' && (memchr(a, ':', n) || memchr(a, '/', n) || a[0] == '@');
		if (!address) {
			o += (size_t)snprintf(out + o, len - o, "%s%.*s", first ? "" : ", ", (int)n, a);
			first = 0;
		}
		a += n + (comma && comma < end ? 2 : 0);
	}
	const char *res = end + 4;
	size_t n = strcspn(res, ",");
	if (res[0] == '-' && strstr(res, " (") && (size_t)(strstr(res, " (") - res) < n)
		n = (size_t)(strstr(res, " (") - res); /* "-1 ECONNREFUSED", without the words after it */
	if (o < len)
		snprintf(out + o, len - o, ") = %.*s", (int)n, res);
}

/* Does this call send something the peer will see: data, a handshake, the end of a connection? */
int call_reaches_peer(const struct call *k, const struct transport *t, const char *lbl, const char **what)
{
	int connected = transport_is_connected(t), failed = strstr(lbl, "= -1") != NULL;
	int reaches = 0;

	*what = "";
	if (strncmp(lbl, "send", 4) == 0)
		reaches = 1;
	else if (connected && strncmp(lbl, "connect(", 8) == 0)
		reaches = 1, *what = failed ? "" : "the handshake";
	else if (connected && strncmp(lbl, "shutdown(", 9) == 0)
		reaches = 1, *what = "the end";
	else if (connected && strncmp(lbl, "close(", 6) == 0 && (k->step == STEP_CLIENT_CLOSE || k->step == STEP_SERVER_END))
		reaches = 1, *what = "the end";
	return reaches;
}

static void draw(FILE *out, const struct call *k, const struct transport *t)
{
	char lbl[220];
	const char *me = k->server ? "s" : "c", *peer = k->server ? "c" : "s";

	const char *what;

	call_label(k->line, lbl, sizeof lbl);
	for (char *p = lbl; *p; p++)
		if (*p == ';' || *p == '#') /* mermaid's statement end and entity start */
			*p = ',';
	if (!call_reaches_peer(k, t, lbl, &what)) {
		fprintf(out, "    Note over %s_%s: %s\n", t->scheme, me, lbl);
		return;
	}
	/* What the peer's kernel sees of a connection's calls, beyond the data. */
	int failed = strstr(lbl, "= -1") != NULL;
	fprintf(out, "    %s_%s-%s%s_%s: %s%s%s%s\n", t->scheme, me, failed ? "x" : ">>", t->scheme, peer, lbl,
		*what && !failed ? " (" : "", failed ? "" : what, *what && !failed ? ")" : "");
}

void print_mermaid(FILE *out, const struct calls *runs, size_t n)
{
	fprintf(out, "%%%% socklab contrast --format mermaid: the calls of one exchange, traced in this run\n");
	fprintf(out, "sequenceDiagram\n");
	for (size_t i = 0; i < n; i++) {
		const char *s = runs[i].t->scheme;
		fprintf(out, "    box transparent %s\n", s);
		fprintf(out, "        participant %s_c as %s client\n", s, s);
		fprintf(out, "        participant %s_s as %s server\n", s, s);
		fprintf(out, "    end\n");
	}
	/* Step by step, each transport in turn, so that the same moment sits at the same height. */
	for (int step = 0; step < STEPS; step++)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < runs[i].n; j++)
				if (runs[i].v[j].step == step)
					draw(out, &runs[i].v[j], runs[i].t);
}
