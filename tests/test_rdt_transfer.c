/* test_rdt_transfer.c - socklab send and recv over rdt through real loss: every byte, in order, for gbn and sr. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers_rdt.h"
#include "tests/support/helpers_transfer.h"

ParameterizedTestParameters(rdt_transfer, ten_megabytes_through_loss)
{
	static struct rdt_arq_name arq[] = { { "gbn" }, { "sr" } };
	return cr_make_param_array(struct rdt_arq_name, arq, 2);
}

/*
 * 10 MB from socklab send to socklab recv over rdt, the impairment layer
 * beneath both ends dropping 10% of the UDP datagrams (data one way, ACKs the
 * other), seeded: the file arrives whole and byte-exact, and the protocol
 * says it sent datagrams again. The 100 MB version runs in make loadcheck.
 */
ParameterizedTest(struct rdt_arq_name *arq, rdt_transfer, ten_megabytes_through_loss, .timeout = 240)
{
	struct rdt_transfer_run run;

	rdt_transfer(arq->name, 10 * 1000 * 1000, 0.1, 0, &run);
	cr_expect(run.same, "arq=%s: the file that arrived differs", arq->name);
	cr_expect(run.sent_ok && run.recv_ok, "arq=%s: send %d, recv %d", arq->name, run.sent_ok, run.recv_ok);
	cr_log_info("rdt arq=%s: 10 MB through 10%% loss each way in %.1f s", arq->name, run.seconds);
}

ParameterizedTestParameters(rdt_transfer, messages_in_pieces_through_loss)
{
	static struct rdt_arq_name arq[] = { { "gbn" }, { "sr" } };
	return cr_make_param_array(struct rdt_arq_name, arq, 2);
}

/*
 * Messages larger than a packet go in pieces (rdt_pieces.c), and the thread
 * takes many messages from the application at once: 3,000-byte messages are
 * three pieces each, so a batch finds the core full in the middle of one and
 * keeps the rest for later; 65,000-byte ones are 47 pieces, more than fit
 * the window. Through 2% loss each way, every byte arrives, in order.
 */
ParameterizedTest(struct rdt_arq_name *arq, rdt_transfer, messages_in_pieces_through_loss, .timeout = 240)
{
	static const size_t sizes[] = { 3000, 65000 };
	struct rdt_transfer_run run;

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		rdt_transfer(arq->name, 4 * 1000 * 1000, 0.02, sizes[k], &run);
		cr_expect(run.same, "arq=%s, %zu-byte messages: the file that arrived differs", arq->name, sizes[k]);
		cr_expect(run.sent_ok && run.recv_ok, "arq=%s, %zu-byte messages: send %d, recv %d", arq->name, sizes[k],
			  run.sent_ok, run.recv_ok);
	}
}
