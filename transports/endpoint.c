/* endpoint.c - parse endpoint text, resolve it to socket addresses, print addresses back. */
#include "endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/errors.h"
#include "impair/impair.h"
#include "registry.h"

/* sun_path holds the path and its terminating NUL; an abstract name its leading NUL. */
#define SUN_PATH_SIZE sizeof(((struct sockaddr_un *)0)->sun_path)

/* "tcp, udp, unix, unixgram, unixpacket", from the registry. */
static const char *known_schemes(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; transport_registry[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", transport_registry[i]->scheme);
	return buf;
}

/* Quotes at most 40 bytes of s for a message, so garbage input cannot flood it. */
static const char *shorten(const char *s, size_t n, char *buf, size_t len)
{
	if (n > 40)
		snprintf(buf, len, "%.37s...", s);
	else
		snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

static int parse_port(const char *s, size_t n, enum endpoint_role role, const char *scheme, struct endpoint *ep,
		      char *why, size_t whylen)
{
	char q[48];
	unsigned long v = 0;

	if (n == 0)
		return fail_why(why, whylen, "missing port after ':' (write %s://HOST:PORT, e.g. %s://127.0.0.1:5555)", scheme,
				scheme);
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fail_why(why, whylen, "port '%s' is not a number", shorten(s, n, q, sizeof q));
		if (v <= 65535)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return fail_why(why, whylen, "port %s is out of range 1..65535", shorten(s, n, q, sizeof q));
	if (v == 0 && role == ENDPOINT_CLIENT)
		return fail_why(why, whylen, "port 0 is out of range 1..65535 (only a server may ask for port 0, "
					     "to let the kernel pick a free one)");
	snprintf(ep->port, sizeof ep->port, "%lu", v);
	return 0;
}

/* A host name or address: letters, digits and . - _ (and % for an IPv6 zone, : inside brackets). */
static int valid_host_char(char c, int bracketed)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
	       c == '_' || (bracketed && (c == ':' || c == '%'));
}

/*
 * Is host[0..n) an IPv6 address, with an optional zone ("fe80::1%eth0")?
 * Brackets exist for IPv6 alone (RFC 3986, section 3.2.2): "[1.2.3.4]" and
 * "[localhost]" are malformed, however getaddrinfo(3) would take them.
 */
static int is_ipv6_literal(const char *host, size_t n)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	size_t len = strcspn(host, "%");

	if (len > n)
		len = n;
	if (len == 0 || len >= sizeof text || (len < n && len + 1 == n)) /* nothing, too long, or an empty zone */
		return 0;
	memcpy(text, host, len);
	text[len] = '\0';
	return inet_pton(AF_INET6, text, bin) == 1;
}

static int parse_inet(const char *rest, enum endpoint_role role, struct endpoint *ep, char *why, size_t whylen)
{
	const char *scheme = ep->t->scheme, *host, *hend, *port;
	char q[48];
	int bracketed = 0;

	if (strncmp(rest, "//", 2) != 0)
		return fail_why(why, whylen, "expected '//' after '%s:' (write %s://HOST:PORT)", scheme, scheme);
	rest += 2;
	if (rest[0] == '[') {
		bracketed = 1;
		host = rest + 1;
		hend = strchr(host, ']');
		if (!hend)
			return fail_why(why, whylen, "unterminated '[' in host (write %s://[::1]:5555)", scheme);
		if (hend == host)
			return fail_why(why, whylen, "empty IPv6 address between '[' and ']'");
		if (hend[1] == '\0')
			return fail_why(why, whylen, "missing port after ']' (write %s://[%.*s]:PORT)", scheme,
					(int)(hend - host), host);
		if (hend[1] != ':')
			return fail_why(why, whylen, "expected ':' after ']', found '%c'", hend[1]);
		if (!is_ipv6_literal(host, (size_t)(hend - host)))
			return fail_why(why, whylen, "'[%s]': brackets hold an IPv6 address, such as [::1]; write a name or an "
					"IPv4 address without them (%s://127.0.0.1:PORT)", shorten(host, (size_t)(hend - host), q,
					sizeof q), scheme);
		port = hend + 2;
	} else {
		host = rest;
		hend = strrchr(rest, ':');
		if (!hend) {
			if (rest[0] == '\0')
				return fail_why(why, whylen, "missing host and port (write %s://HOST:PORT)", scheme);
			return fail_why(why, whylen, "missing port: write %s://%s:PORT", scheme,
					shorten(rest, strlen(rest), q, sizeof q));
		}
		if (memchr(host, ':', (size_t)(hend - host)))
			return fail_why(why, whylen, "an IPv6 address needs brackets: %s://[%s]:PORT", scheme,
					shorten(host, (size_t)(hend - host), q, sizeof q));
		if (memchr(host, ']', (size_t)(hend - host)))
			return fail_why(why, whylen, "']' without '['");
		port = hend + 1;
	}
	size_t hlen = (size_t)(hend - host);
	if (hlen >= sizeof ep->host)
		return fail_why(why, whylen, "host name is %zu characters; the most is %zu", hlen, sizeof ep->host - 1);
	for (size_t i = 0; i < hlen; i++)
		if (!valid_host_char(host[i], bracketed))
			return fail_why(why, whylen, "host '%s' has a character a host name cannot have: '%c'",
					shorten(host, hlen, q, sizeof q), host[i]);
	if (hlen == 0 && role == ENDPOINT_CLIENT)
		return fail_why(why, whylen, "missing host (write %s://127.0.0.1:PORT; only a server may leave it empty, "
					     "for every local address)", scheme);
	const char *slash = strchr(port, '/');
	if (slash)
		return fail_why(why, whylen, "unexpected '%s' after the port", shorten(slash, strlen(slash), q, sizeof q));
	if (parse_port(port, strlen(port), role, scheme, ep, why, whylen) < 0)
		return -1;
	memcpy(ep->host, host, hlen);
	ep->host[hlen] = '\0';
	return 0;
}

static int parse_unix(const char *rest, struct endpoint *ep, char *why, size_t whylen)
{
	const char *scheme = ep->t->scheme;

	if (strncmp(rest, "//", 2) == 0) {
		if (rest[2] != '/')
			return fail_why(why, whylen, "a unix endpoint has no host: write %s:/abs/path, %s:///abs/path, "
						     "%s:relative/path or %s:@name", scheme, scheme, scheme, scheme);
		rest += 2; /* unix:///tmp/x is unix:/tmp/x */
	}
	if (rest[0] == '@') {
#ifdef __linux__
		size_t n = strlen(rest + 1);
		if (n == 0)
			return fail_why(why, whylen, "missing abstract name after '@' (write %s:@echo)", scheme);
		if (n > SUN_PATH_SIZE - 1)
			return fail_why(why, whylen, "abstract name is %zu bytes; sun_path holds at most %zu", n,
					SUN_PATH_SIZE - 1);
		memcpy(ep->path, rest + 1, n + 1);
		ep->abstract = 1;
		return 0;
#else
		return fail_why(why, whylen, "abstract socket names (@name) exist only on Linux: use a path");
#endif
	}
	size_t n = strlen(rest);
	if (n == 0)
		return fail_why(why, whylen, "missing path after '%s:' (write %s:/tmp/echo.sock)", scheme, scheme);
	if (n > SUN_PATH_SIZE - 1)
		return fail_why(why, whylen, "unix path is %zu bytes; sun_path holds at most %zu: use a shorter path", n,
				SUN_PATH_SIZE - 1);
	memcpy(ep->path, rest, n + 1);
	return 0;
}

int endpoint_parse(const char *text, enum endpoint_role role, struct endpoint *ep, char *why, size_t whylen)
{
	char buf[ENDPOINT_TEXT_MAX + 1], q[48], known[128];

	memset(ep, 0, sizeof *ep);
	size_t len = strlen(text);
	if (len == 0)
		return fail_why(why, whylen, "empty endpoint (write tcp://127.0.0.1:5555 or unix:/tmp/echo.sock)");
	if (len > ENDPOINT_TEXT_MAX)
		return fail_why(why, whylen, "endpoint is %zu characters; the most is %d", len, ENDPOINT_TEXT_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			return fail_why(why, whylen, "endpoint has a control character at position %zu", i + 1);
	memcpy(buf, text, len + 1);

	char *colon = strchr(buf, ':');
	if (!colon)
		return fail_why(why, whylen, "missing scheme in '%s' (write tcp://HOST:PORT, udp://HOST:PORT or unix:PATH)",
				shorten(buf, len, q, sizeof q));
	if (colon == buf)
		return fail_why(why, whylen, "missing scheme before ':' (known: %s)", known_schemes(known, sizeof known));
	ep->t = transport_find(buf, (size_t)(colon - buf));
	if (!ep->t)
		return fail_why(why, whylen, "unknown scheme '%s' (known: %s)", shorten(buf, (size_t)(colon - buf), q, sizeof q),
				known_schemes(known, sizeof known));

	char *query = strchr(colon + 1, '?');
	if (query) {
		*query++ = '\0';
		if (strlen(query) >= sizeof ep->options)
			return fail_why(why, whylen, "options after '?' are %zu characters; the most is %zu", strlen(query),
					sizeof ep->options - 1);
		memcpy(ep->options, query, strlen(query) + 1);
		/*
		 * The transport's own options (rdt's arq=...), then the impairment
		 * layer's. On a transport built in user space they act beneath it,
		 * on the datagrams it is made of, which really are lost: judged alone.
		 */
		char rest[sizeof ep->options];
		if (ep->t->options(ep->options, rest, sizeof rest, why, whylen) < 0 ||
		    impair_parse_options(transport_in_user_space(ep->t) ? NULL : ep->t, rest, why, whylen) < 0)
			return -1;
	}
	if (transport_has_socket_file(ep->t))
		return parse_unix(colon + 1, ep, why, whylen);
	return parse_inet(colon + 1, role, ep, why, whylen);
}

static int resolve_unix(const struct endpoint *ep, struct addr *out)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t n = strlen(ep->path);

	memset(out, 0, sizeof *out);
	sun->sun_family = AF_UNIX;
	if (ep->abstract) {
		memcpy(sun->sun_path + 1, ep->path, n); /* sun_path[0] stays NUL: the abstract namespace */
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	} else {
		memcpy(sun->sun_path, ep->path, n + 1);
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

int endpoint_resolve(const struct endpoint *ep, enum endpoint_role role, struct addr *out, size_t max, size_t *n)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	int wildcard = role == ENDPOINT_SERVER && ep->host[0] == '\0';

	*n = 0;
	if (max == 0)
		return EAI_MEMORY;
	if (transport_has_socket_file(ep->t)) {
		*n = 1;
		return resolve_unix(ep, out);
	}
	hints.ai_family = AF_UNSPEC;
	/* socklab's own protocol rides on UDP, so its addresses are UDP's: the type its application holds (rdt's
	 * SOCK_SEQPACKET socketpair) means nothing to getaddrinfo(3), and musl's refuses it (EAI_SERVICE). */
	hints.ai_socktype = transport_in_user_space(ep->t) ? SOCK_DGRAM : ep->t->type;
	hints.ai_flags = AI_NUMERICSERV | (role == ENDPOINT_SERVER ? AI_PASSIVE : 0);
	int rc = getaddrinfo(wildcard ? NULL : ep->host, ep->port, &hints, &res);
	if (rc != 0)
		return rc;
	/* Two passes for the wildcard: IPv6 first, since [::] also takes IPv4 on Linux. */
	for (int pass = 0; pass < 2; pass++)
		for (struct addrinfo *ai = res; ai && *n < max; ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof out->ss)
				continue;
			int first = !wildcard || ai->ai_family == AF_INET6;
			if (first != (pass == 0))
				continue;
			memset(&out[*n], 0, sizeof out[*n]);
			memcpy(&out[*n].ss, ai->ai_addr, ai->ai_addrlen);
			out[*n].len = ai->ai_addrlen;
			(*n)++;
		}
	freeaddrinfo(res);
	return *n ? 0 : EAI_NONAME;
}

const char *endpoint_format(const struct transport *t, const struct addr *a, char *out, size_t outlen)
{
	char text[ADDR_TEXT_MAX];

	addr_format(a, text, sizeof text);
	/* A unix path that starts with "//" would read as a host after "unix:": "unix:////x" reads back. */
	int slashes = a->ss.ss_family != AF_UNIX || strncmp(text, "//", 2) == 0;
	snprintf(out, outlen, "%s%s%s", t->scheme, slashes ? "://" : ":", text);
	return out;
}

const char *endpoint_local(const struct transport *t, const char *dir, const char *name, char *out, size_t outlen)
{
	if (transport_has_socket_file(t))
		snprintf(out, outlen, "%s:%s/%s.sock", t->scheme, dir, name);
	else
		snprintf(out, outlen, "%s://127.0.0.1:0", t->scheme);
	return out;
}
