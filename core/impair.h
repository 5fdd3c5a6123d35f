/* impair.h - an unreliable network on demand: the impairment layer, a transport that wraps another. */
#ifndef SOCKLAB_IMPAIR_H
#define SOCKLAB_IMPAIR_H

#include <stddef.h>

struct sock;
struct endpoint;

/*
 * Checks the options of an endpoint (the text after '?'). Returns 0, or -1
 * with a message in why naming the bad option.
 */
int impair_parse_options(const char *options, char *why, size_t whylen);

/*
 * When ep names impairments, wraps s (already bound or dialed) so that its
 * operations pass through the impairment layer. Returns 0, or -1 with errno.
 */
int impair_attach(struct sock *s, const struct endpoint *ep);

#endif
