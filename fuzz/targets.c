/* targets.c - the registry of fuzz targets, and what a broken rule does. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

const struct fuzz_target fuzz_targets[] = {
	{ "endpoint", fuzz_endpoint },
	{ "peer_table", fuzz_peer_table },
	{ "xfer", fuzz_xfer },
	{ "chat", fuzz_chat },
	{ "cmsg", fuzz_cmsg },
	{ "rdt_wire", fuzz_rdt_wire },
	{ "rdt_conn", fuzz_rdt_conn },
	{ "wire", fuzz_wire },
	{ NULL, NULL },
};

const char *fuzz_input;

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: fuzz rule broken: %s%s%s\n", file, line, what, fuzz_input ? ", with input " : "",
		fuzz_input ? fuzz_input : "");
	abort();
}
