/* cli.c - turning library errors into the one line a learner reads, and other shared chores. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/engine/engine.h"
#include "core/errors.h"
#include "core/io.h"
#include "core/sys/trace.h"

static void trace_to_stderr(const char *line, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "trace: %s\n", line);
}

void cli_trace_on(void)
{
	trace_set_sink(trace_to_stderr, NULL);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "socklab: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'socklab %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *token = optind > 0 ? argv[optind - 1] : "";
	int is_long = strncmp(token, "--", 2) == 0;
	int len = (int)strcspn(token, "=");
	char name[48];

	/* A short option in a cluster ("-qx") is named by optopt; a long one by its word. */
	if (is_long)
		snprintf(name, sizeof name, "%.*s", len > 40 ? 40 : len, token);
	else
		snprintf(name, sizeof name, "-%c", optopt);
	if (is_long && optopt && token[len] == '=')
		return cli_usage_error(cmd, "option '%s' takes no value", name);
	if (c == ':' || (is_long && optopt))
		return cli_usage_error(cmd, "option '%s' needs a value", name);
	return cli_usage_error(cmd, "unknown option '%s'", name);
}

static int error_line(const char *cmd, const struct transport *t, int err, const char *op, const char *fmt,
		      va_list ap)
{
	const char *hint = errno_hint(err, op, t);

	fprintf(stderr, "socklab: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s%s%s%s\n", errno_text(err), hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	return EXIT_RUNTIME;
}

int cli_error(const char *cmd, int err, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = error_line(cmd, NULL, err, op, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_error_on(const char *cmd, const struct transport *t, int err, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = error_line(cmd, t, err, op, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_endpoint(const char *cmd, const char *text, enum endpoint_role role, struct endpoint *ep)
{
	char why[256];

	if (endpoint_parse(text, role, ep, why, sizeof why) == 0)
		return 0;
	fprintf(stderr, "socklab: %s: bad endpoint '%.60s%s': %s\n", cmd, text, strlen(text) > 60 ? "..." : "", why);
	return EXIT_USAGE;
}

/* The name lookup failed: say so with getaddrinfo's own words. */
static int lookup_error(const char *cmd, const char *text, int gai)
{
	char why[128];

	snprintf(why, sizeof why, "%s", gai_strerror(gai));
	why[0] = (char)tolower((unsigned char)why[0]);
	fprintf(stderr, "socklab: %s: look up %s: %s (check the host name)\n", cmd, text, why);
	return EXIT_RUNTIME;
}

int cli_listen(const char *cmd, const char *text, const struct endpoint *ep, struct sock *s)
{
	return cli_listen_mode(cmd, text, ep, -1, s);
}

int cli_listen_mode(const char *cmd, const char *text, const struct endpoint *ep, int mode, struct sock *s)
{
	/* SOMAXCONN: a burst of thousands of connects waits in the kernel's queue instead of being dropped. */
	struct server_options o = { .backlog = SOMAXCONN, .mode = mode };
	int gai;

	if (mode >= 0 && (!transport_has_socket_file(ep->t) || ep->abstract))
		return cli_usage_error(cmd, "--mode applies to a unix socket file, and %.60s has none", text);
	if (sock_open_server(s, ep, &o, &gai) == 0)
		return 0;
	if (gai)
		return lookup_error(cmd, text, gai);
	if (strcmp(o.failed, "chmod") == 0)
		return cli_error_on(cmd, ep->t, errno, "chmod", "set the mode of %s to %03o", text, (unsigned)mode);
	return cli_error_on(cmd, ep->t, errno, "bind", "listen on %s", text);
}

int cli_dial(const char *cmd, const char *text, const struct endpoint *ep, struct sock *s)
{
	return cli_dial_within(cmd, text, ep, 0, s);
}

int cli_dial_within(const char *cmd, const char *text, const struct endpoint *ep, int timeout_ms, struct sock *s)
{
	int gai;

	if (sock_dial_endpoint_within(s, ep, timeout_ms, &gai) == 0)
		return 0;
	if (gai)
		return lookup_error(cmd, text, gai);
	return cli_error_on(cmd, ep->t, errno, "connect", "connect to %s", text);
}

const char *cli_bound_endpoint(struct sock *s, char *buf, size_t len)
{
	struct addr a;

	if (sock_getname(s, &a) < 0)
		snprintf(buf, len, "%s (address unknown)", s->t->scheme);
	else
		endpoint_format(s->t, &a, buf, len);
	return buf;
}

int cli_mode(const char *cmd, const char *text, int *mode)
{
	size_t n = strspn(text, "01234567");

	if (n == 0 || n > 4 || text[n] != '\0' || (*mode = (int)strtol(text, NULL, 8)) > 0777)
		return cli_usage_error(cmd, "--mode takes an octal file mode from 0 to 777 such as 660, not '%.20s'",
				       text);
	return 0;
}

int cli_message_fits(const char *cmd, const char *where, struct sock *s, size_t len)
{
	if (!sock_keeps_boundaries(s) || len <= IO_UDP4_MAX)
		return 0; /* every message transport carries this much: no need to ask */
	size_t kernel = sock_message_max(s, ENGINE_MESSAGE_MAX);
	if (kernel == 0)
		return cli_error(cmd, errno, NULL, "find the largest message %s takes", where);
	size_t most = kernel < ENGINE_MESSAGE_MAX ? kernel : ENGINE_MESSAGE_MAX;
	if (len <= most)
		return 0;
	fprintf(stderr, "socklab: %s: a message of %zu bytes for %s is too long: the most is %zu bytes (%s)\n", cmd, len,
		where, most,
		most == ENGINE_MESSAGE_MAX ? "socklab's servers read no more in one message"
		: !transport_has_socket_file(s->t) ? "a UDP datagram carries no more"
						    : "this socket's send buffer takes no more: see net.core.wmem_max");
	return EXIT_RUNTIME;
}

int cli_poller(const char *cmd, const char *text, enum poller_kind *kind)
{
	if (strcmp(text, "poll") == 0)
		*kind = POLLER_POLL;
	else if (strcmp(text, "epoll") == 0)
		*kind = POLLER_EPOLL;
	else
		return cli_usage_error(cmd, "--poller takes poll or epoll, not '%.20s'", text);
	return 0;
}

ssize_t cli_read_line(char **line, size_t *cap, FILE *in)
{
	ssize_t n = getline(line, cap, in);

	if (n > 0 && (*line)[n - 1] == '\n')
		n--;
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	if (n >= 0)
		(*line)[n] = '\0';
	return n;
}
