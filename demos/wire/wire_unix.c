/* wire_unix.c - socklab wire over a unix socket: no packets to capture, so the exchange's system calls instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sys/trace.h"
#include "demos/cli.h"
#include "wire.h"

#define CALLS_MAX 64

/* The exchange's calls, as the trace narrates them, and who made each. */
struct calls {
	const struct wire_exchange *x;
	int side[CALLS_MAX];
	char line[CALLS_MAX][200];
	int n, more;
};

static void collect(const char *line, void *ctx)
{
	struct calls *c = ctx;

	if (c->n == CALLS_MAX) {
		c->more++;
		return;
	}
	c->side[c->n] = c->x->side;
	snprintf(c->line[c->n++], sizeof c->line[0], "%s", line);
}

static const char why_none[] =
	"a unix socket never leaves the kernel: no interface, no IP header, no port, no checksum, no sequence number. "
	"The kernel moves the bytes from one socket's buffer to the other's, so there is nothing to capture";

static void print_text(FILE *out, const struct wire_options *o, const struct calls *c, const struct wire_exchange *x)
{
	fprintf(out, "socklab wire: %s, scenario %s: no packets\n", o->t->scheme, o->sc->name);
	wire_point(out, "%s", why_none);
	fprintf(out, "\nwhat the kernel did instead, call by call (the exchange's system calls, traced):\n");
	for (int i = 0; i < c->n; i++)
		fprintf(out, "  %s: %s\n", c->side[i] ? "server" : "client", c->line[i]);
	if (c->more)
		fprintf(out, "  (%d more calls)\n", c->more);
	if (x->nsaid)
		fprintf(out, "\nwhat the programs saw:\n");
	for (int i = 0; i < x->nsaid; i++)
		fprintf(out, "  %s\n", x->said[i]);
}

static void print_mermaid(FILE *out, const struct calls *c)
{
	fprintf(out, "sequenceDiagram\n    participant C as client\n    participant S as server\n"
		     "    Note over C,S: no packets: a unix socket never leaves the kernel\n");
	for (int i = 0; i < c->n; i++) {
		char line[200];
		snprintf(line, sizeof line, "%s", c->line[i]);
		line[strcspn(line, ";#")] = '\0'; /* mermaid's statement end and entity start */
		fprintf(out, "    Note over %s: %s\n", c->side[i] ? "S" : "C", line);
	}
}

static void print_json(FILE *out, const struct wire_options *o, const struct calls *c, const struct wire_exchange *x)
{
	fprintf(out, "{\"transport\": \"%s\", \"scenario\": \"%s\", \"packets\": [], \"note\": ", o->t->scheme, o->sc->name);
	wire_json_string(out, why_none);
	fprintf(out, ",\n  \"calls\": [");
	for (int i = 0; i < c->n; i++) {
		fprintf(out, "%s\n    {\"by\": \"%s\", \"call\": ", i ? "," : "", c->side[i] ? "server" : "client");
		wire_json_string(out, c->line[i]);
		fprintf(out, "}");
	}
	fprintf(out, "\n  ],\n  \"said\": [");
	for (int i = 0; i < x->nsaid; i++) {
		fprintf(out, "%s", i ? ", " : "");
		wire_json_string(out, x->said[i]);
	}
	fprintf(out, "]\n}\n");
}

int wire_unix(const struct wire_options *o)
{
	static struct wire_exchange x; /* static: the trace sink reads its side */
	static struct calls c;
	char dir[] = "/tmp/socklab-wire.XXXXXX";
	int rc = 0;

	x = (struct wire_exchange){ .t = o->t, .ep = o->ep, .messages = WIRE_LOSS_MESSAGES };
	c = (struct calls){ .x = &x };
	/* Only a transport named: the socket file goes in a directory of its own, and the trace says "wire.sock". */
	if (o->bare && (!mkdtemp(dir) || chdir(dir) < 0))
		return cli_error("wire", errno, NULL, "make a private directory in /tmp");
	trace_set_sink(collect, &c);
	int r = o->sc->run(&x);
	int err = errno;
	trace_set_sink(NULL, NULL);
	if (o->bare && (chdir("/") < 0 || rmdir(dir) < 0) && r == 0)
		r = -1, err = errno;
	if (r < 0)
		return cli_error("wire", err, "bind", "run the %s exchange over %s", o->sc->name, o->t->scheme);
	if (strcmp(o->format, "json") == 0)
		print_json(stdout, o, &c, &x);
	else if (strcmp(o->format, "mermaid") == 0)
		print_mermaid(stdout, &c);
	else
		print_text(stdout, o, &c, &x);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = cli_error("wire", errno ? errno : EIO, NULL, "write standard output");
	return rc;
}
