/* fuzz_endpoint.c - fuzz target: endpoint text as a user types it, parsed, resolved (without DNS) and printed back. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "transports/endpoint.h"
#include "core/transport.h"
#include "transports/registry.h"
#include "fuzz.h"

/* Is the field NUL-terminated within its array? */
#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static int in_registry(const struct transport *t)
{
	for (size_t i = 0; transport_registry[i]; i++)
		if (transport_registry[i] == t)
			return 1;
	return 0;
}

/* A numeric host resolves without asking a name server; a name might, so it is not resolved here. */
static int numeric_host(const char *host)
{
	unsigned char buf[16];
	return host[0] == '\0' || inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* What endpoint_format() wrote must parse back to the same address. */
static void check_round_trip(const struct endpoint *ep, const char *text, enum endpoint_role role)
{
	struct endpoint again;
	char why[256];

	if (ep->t->domain == AF_UNIX && !printable(ep->path))
		return; /* printed escaped ("@\\xa7"), for a terminal's sake: not meant to be read back */
	FUZZ_CHECK(endpoint_parse(text, role, &again, why, sizeof why) == 0);
	FUZZ_CHECK(again.t == ep->t);
	if (ep->t->domain == AF_UNIX) {
		FUZZ_CHECK(again.abstract == ep->abstract);
		FUZZ_CHECK(strcmp(again.path, ep->path) == 0);
	} else if (ep->port[0] != '0') { /* port 0 stays 0 until a socket is bound */
		FUZZ_CHECK(strcmp(again.port, ep->port) == 0);
	}
}

static void check_parsed(const struct endpoint *ep, enum endpoint_role role)
{
	struct addr addrs[8];
	char text[ENDPOINT_FORMAT_MAX + 64];
	size_t n;

	FUZZ_CHECK(ep->t && in_registry(ep->t));
	FUZZ_CHECK(TERMINATED(ep->host) && TERMINATED(ep->port) && TERMINATED(ep->path) && TERMINATED(ep->options));
	if (ep->t->domain == AF_UNIX) {
		FUZZ_CHECK(ep->path[0] != '\0' && ep->host[0] == '\0');
	} else {
		char *end;
		long port = strtol(ep->port, &end, 10);
		FUZZ_CHECK(*end == '\0' && port >= 0 && port <= 65535 && (port > 0 || role == ENDPOINT_SERVER));
		FUZZ_CHECK(ep->host[0] != '\0' || role == ENDPOINT_SERVER);
		if (!numeric_host(ep->host))
			return;
	}
	if (endpoint_resolve(ep, role, addrs, 8, &n) != 0)
		return; /* an address family this host lacks, say: an answer, not a crash */
	FUZZ_CHECK(n >= 1 && n <= 8);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(addrs[i].len > 0 && addrs[i].len <= sizeof addrs[i].ss);
		endpoint_format(ep->t, &addrs[i], text, ENDPOINT_FORMAT_MAX);
		FUZZ_CHECK(strlen(text) < ENDPOINT_FORMAT_MAX);
		if (ep->options[0] == '\0')
			check_round_trip(ep, text, role);
	}
}

int fuzz_endpoint(const uint8_t *data, size_t size)
{
	static const enum endpoint_role roles[] = { ENDPOINT_CLIENT, ENDPOINT_SERVER };
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* a NUL inside ends the text, as it would in argv */
	for (size_t r = 0; r < 2; r++) {
		struct endpoint ep;
		char why[256];
		memset(why, 'x', sizeof why);
		if (endpoint_parse(text, roles[r], &ep, why, sizeof why) == 0)
			check_parsed(&ep, roles[r]);
		else
			FUZZ_CHECK(TERMINATED(why) && why[0] != '\0');
	}
	free(text);
	return 0;
}
