/* rdt_link.h - the rdt tests' network: the library's simulation (transports/rdt/rdt_sim.h), failing the test where it fails. */
#ifndef SOCKLAB_TEST_RDT_LINK_H
#define SOCKLAB_TEST_RDT_LINK_H

#include "transports/rdt/rdt_sim.h"

/*
 * The link itself (its clock, its rules and dice, the two cores) is
 * struct rdt_sim; these wrappers add what a test wants: a failure of the
 * simulation fails the test with its reason, and RDT_TRACE=1 in the
 * environment prints every event on stderr, as the transport's --trace would.
 * The rest (rdt_sim_free, rdt_sim_stats, rdt_sim_idle...) the tests call as it is.
 */

/* rdt_sim_init, with the RDT_TRACE narration when asked for. */
void link_init(struct rdt_sim *l);

/* rdt_sim_core; fails the test if cfg is refused. */
struct rdt *link_core(struct rdt_sim *l, int side, const struct rdt_config *cfg);

/* rdt_sim_step; fails the test on a malformed datagram or a broken invariant. Returns 0 or 1. */
int link_step(struct rdt_sim *l, long long until);

/* rdt_sim_run; fails the test as link_step, or when the link never settles. Returns done(l). */
int link_run(struct rdt_sim *l, long long until, int (*done)(struct rdt_sim *l));

/* rdt_sim_open; fails the test if the handshake does not end. */
void link_open(struct rdt_sim *l, const struct rdt_config *ca, const struct rdt_config *cb, uint32_t isn_a,
	       uint32_t isn_b);

/* rdt_sim_drain; fails the test when more arrives than cap. Returns how many messages. */
unsigned link_drain(struct rdt_sim *l, int side, unsigned char *out, size_t cap, size_t *used);

#endif
