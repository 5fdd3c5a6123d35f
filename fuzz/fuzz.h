/* fuzz.h - the fuzz targets: each takes bytes as they could come from a user or the network, and aborts on a broken rule. */
#ifndef SOCKLAB_FUZZ_H
#define SOCKLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * A target is a function that libFuzzer calls with its inputs (through
 * fuzz/entry.c, built once per target by `make fuzz`) and that the test suite
 * calls with every file of fuzz/corpus/NAME and fuzz/regressions/NAME
 * (tests/test_fuzz.c), so that a crash found once stays fixed. Each returns 0;
 * a broken invariant aborts, as a memory error under the sanitizers does.
 */
struct fuzz_target {
	const char *name; /* fuzz/corpus/NAME, build/fuzz/fuzz-NAME */
	int (*run)(const uint8_t *data, size_t size);
};

/* Every target, NULL-terminated (targets.c). */
extern const struct fuzz_target fuzz_targets[];

int fuzz_endpoint(const uint8_t *data, size_t size);   /* endpoint_parse, resolve (no DNS) and format */
int fuzz_peer_table(const uint8_t *data, size_t size); /* the datagram session table, against a model */
int fuzz_xfer(const uint8_t *data, size_t size);       /* send/recv headers, checksum, the receiver's tally */
int fuzz_chat(const uint8_t *data, size_t size);       /* the chat protocol's parsing of what arrives */
int fuzz_cmsg(const uint8_t *data, size_t size);       /* control messages a peer or a cut buffer could leave */
int fuzz_rdt_wire(const uint8_t *data, size_t size);   /* rdt datagrams, their description, rdt's options */
int fuzz_rdt_conn(const uint8_t *data, size_t size);   /* two rdt cores, a network the input drives, forgeries */
int fuzz_wire(const uint8_t *data, size_t size);       /* captured frames: decoded, read as an exchange, printed */

/* Aborts, naming the rule (and fuzz_input, when set), when cond is false. */
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))
void fuzz_fail(const char *what, const char *file, int line);

/* The file being replayed, for the message of fuzz_fail() (libFuzzer names its own inputs). */
extern const char *fuzz_input;

#endif
