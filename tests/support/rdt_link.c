/* rdt_link.c - the rdt tests' network: Criterion wrappers over the library's simulation (transports/rdt/rdt_sim.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "rdt_link.h"

/* RDT_TRACE: each event on stderr, as the transport's --trace would print it. */
static void narrate(struct rdt_sim *l, int side, const struct rdt_event *e)
{
	char line[200];

	rdt_event_format(e, line, sizeof line);
	fprintf(stderr, "%10.3f ms %c %s\n", (double)l->now / 1000.0, "AB"[side], line);
}

void link_init(struct rdt_sim *l)
{
	rdt_sim_init(l);
	if (getenv("RDT_TRACE"))
		l->narrate = narrate;
}

struct rdt *link_core(struct rdt_sim *l, int side, const struct rdt_config *cfg)
{
	struct rdt *c = rdt_sim_core(l, side, cfg);

	cr_assert(c, "%s", l->broken);
	return c;
}

int link_step(struct rdt_sim *l, long long until)
{
	int r = rdt_sim_step(l, until);

	cr_assert_geq(r, 0, "%s", l->broken);
	return r;
}

int link_run(struct rdt_sim *l, long long until, int (*done)(struct rdt_sim *l))
{
	int r = rdt_sim_run(l, until, done);

	cr_assert_geq(r, 0, "%s", l->broken);
	return r;
}

void link_open(struct rdt_sim *l, const struct rdt_config *ca, const struct rdt_config *cb, uint32_t isn_a,
	       uint32_t isn_b)
{
	cr_assert_eq(rdt_sim_open(l, ca, cb, isn_a, isn_b), 0, "%s", l->broken);
}

unsigned link_drain(struct rdt_sim *l, int side, unsigned char *out, size_t cap, size_t *used)
{
	long n = rdt_sim_drain(l, side, out, cap, used);

	cr_assert_geq(n, 0, "%s", l->broken);
	return (unsigned)n;
}
