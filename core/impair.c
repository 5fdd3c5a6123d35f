/* impair.c - placeholder until the impairment layer lands: endpoints take no options yet. */
#include "impair.h"

#include <stdio.h>

#include "endpoint.h"

int impair_parse_options(const char *options, char *why, size_t whylen)
{
	if (options[0] == '\0')
		return 0;
	snprintf(why, whylen, "unknown option '%.40s' after '?'", options);
	return -1;
}

int impair_attach(struct sock *s, const struct endpoint *ep)
{
	(void)s, (void)ep;
	return 0;
}
