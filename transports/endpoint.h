/* endpoint.h - "tcp://127.0.0.1:5555", "unix:/tmp/echo.sock": parse, resolve and print endpoints. */
#ifndef SOCKLAB_ENDPOINT_H
#define SOCKLAB_ENDPOINT_H

#include <stddef.h>

#include "core/addr.h"
#include "core/transport.h"


/* Longest endpoint text accepted; longer input is refused with a message. */
#define ENDPOINT_TEXT_MAX 1024
/* Longest host name (RFC 1035 limits names to 253 characters). */
#define ENDPOINT_HOST_MAX 254
/* Longest text endpoint_format() writes. */
#define ENDPOINT_FORMAT_MAX (ADDR_TEXT_MAX + 16)

/*
 * A parsed endpoint. The forms:
 *   tcp://HOST:PORT  udp://HOST:PORT    HOST a name, an IPv4 address, or an IPv6
 *                                       address in brackets; empty for a server
 *                                       means every local address.
 *   unix:PATH  unix:///ABS/PATH  unix:@NAME    likewise unixgram: and unixpacket:;
 *                                       @NAME is Linux's abstract namespace.
 *   rdt://HOST:PORT?arq=sr&window=32    socklab's own reliable protocol over UDP
 *                                       (transports/rdt/rdt_config.h: its options)
 *   ...?key=value&key=value             options for the impairment layer (impair.h),
 *                                       and a transport's own (its options slot).
 */
struct endpoint {
	const struct transport *t;
	char host[ENDPOINT_HOST_MAX]; /* inet: as written, without brackets; "" = every address */
	char port[6];                 /* inet: decimal, "0" lets the kernel choose (servers only) */
	char path[108];               /* unix: the path, or the abstract name without '@' */
	int abstract;                 /* unix: path is an abstract name */
	char options[256];            /* the text after '?', "" when none */
};

/* Parse for a server (port 0 and an empty host are allowed) or for a client. */
enum endpoint_role { ENDPOINT_CLIENT, ENDPOINT_SERVER };

/*
 * Parses text into *ep. Returns 0, or -1 with a message naming the bad part
 * in why ("unknown scheme 'tpc' (known: tcp, udp, unix, unixgram, unixpacket)").
 * Never touches the network: host names are resolved by endpoint_resolve().
 */
int endpoint_parse(const char *text, enum endpoint_role role, struct endpoint *ep, char *why, size_t whylen);

/*
 * Turns ep into socket addresses, at most max of them, in the order to try.
 * Host names go through getaddrinfo(3) (AF_UNSPEC, so IPv4 and IPv6 both
 * work); a server with no host gets the wildcard addresses, IPv6 first (on
 * Linux it also accepts IPv4). Returns 0 and sets *n, or an EAI_* code for
 * gai_strerror(3). May block while a name server answers.
 */
int endpoint_resolve(const struct endpoint *ep, enum endpoint_role role, struct addr *out, size_t max, size_t *n);

/*
 * Writes the endpoint for transport t at address a: "tcp://127.0.0.1:40211",
 * "udp://[::1]:5555", "unix:/tmp/echo.sock", "unix:@echo". Returns out.
 */
const char *endpoint_format(const struct transport *t, const struct addr *a, char *out, size_t outlen);

/*
 * Writes a local server endpoint for t, for programs that start their own
 * servers (contrast, bench, the tests): "tcp://127.0.0.1:0" (the kernel picks
 * the port) for an inet transport, "unix:DIR/NAME.sock" for one whose
 * addresses are socket files. Returns out.
 */
const char *endpoint_local(const struct transport *t, const char *dir, const char *name, char *out, size_t outlen);

/*
 * Server side in one call (endpoint_open.c): resolves ep, then for each
 * address in turn binds (and, on connected transports, listens with backlog)
 * until one works. Returns 0, or -1 with errno; if the name lookup failed,
 * *gai_err is set to the EAI_* code (and errno to ENOENT). Applies the
 * impairment ep asks for (impair/impair.h).
 */
int sock_listen_endpoint(struct sock *s, const struct endpoint *ep, int backlog, int *gai_err);

/* What a server asks of sock_open_server(), and where it failed. */
struct server_options {
	int backlog;        /* connected transports: listen(2)'s backlog */
	int mode;           /* unix socket files: their mode, 0 to 0777, set before listen(2); -1: as bind made it */
	const char *failed; /* out: the step that failed: "bind", "chmod", "listen" or "impair" */
};

/*
 * As sock_listen_endpoint(), with the mode of a socket file set between
 * bind(2) and listen(2), so that no client can connect while the file has
 * another mode (bind creates it with none: see af_unix.h). Returns 0, or -1
 * with errno and o->failed naming the step (EINVAL: a mode beyond 0777, or a
 * mode asked of an endpoint without a socket file).
 */
int sock_open_server(struct sock *s, const struct endpoint *ep, struct server_options *o, int *gai_err);

/* Client side in one call: resolves ep and dials each address until one works. As above. */
int sock_dial_endpoint(struct sock *s, const struct endpoint *ep, int *gai_err);

/*
 * As sock_dial_endpoint, each connect(2) given at most timeout_ms (0: no
 * limit but the kernel's): one that takes longer fails with ETIMEDOUT.
 */
int sock_dial_endpoint_within(struct sock *s, const struct endpoint *ep, int timeout_ms, int *gai_err);

#endif
