/* helpers_rdt.h - socklab send and recv over rdt through the impairment layer's loss, for the transfer tests. */
#ifndef SOCKLAB_HELPERS_RDT_H
#define SOCKLAB_HELPERS_RDT_H

#include <stddef.h>

/* A mode of rdt, as a test parameter (Criterion copies parameters: no pointers in them). */
struct rdt_arq_name {
	char name[8];
};

/* What one transfer did. */
struct rdt_transfer_run {
	int same;         /* the file that arrived is the one sent, byte for byte */
	int sent_ok;      /* send exited 0 and both reports carry the file's cksum */
	int recv_ok;      /* recv exited 0 */
	double seconds;   /* send's run, start to exit */
};

/*
 * Sends bytes of seeded random data with socklab send to socklab recv over
 * rdt with arq= (gbn, sr...), both ends' impairment layer dropping drop of
 * their UDP datagrams (seeds 1 and 2, so that a run repeats), in messages of
 * size bytes (send's --size; 0: its default). Fills *run.
 */
void rdt_transfer(const char *arq, size_t bytes, double drop, size_t size, struct rdt_transfer_run *run);

#endif
