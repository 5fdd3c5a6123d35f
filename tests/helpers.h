/* helpers.h - what the tests share: running socklab, servers on port 0, temporary directories. */
#ifndef SOCKLAB_TEST_HELPERS_H
#define SOCKLAB_TEST_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include "../core/endpoint.h"
#include "../core/transport.h"

/* Seconds any single wait in a test may take before the test fails (never a sleep). */
#define TEST_WAIT_S 10

/* The transports, for ParameterizedTestParameters: indexes into transport_registry. */
size_t test_transport_count(void);
/* Fills a static array with 0..n-1 and returns it (n = test_transport_count()). */
size_t *test_transport_indexes(void);

/* The program under test: $SOCKLAB, or build/socklab. */
const char *test_socklab(void);

/* A new private directory under /tmp; test_rmdir removes it with what is in it. */
void test_tmpdir(char *out, size_t len);
void test_rmdir(const char *dir);

/*
 * An endpoint where a server for t can listen: "tcp://127.0.0.1:0" (the
 * kernel picks the port) or "unix:DIR/NAME.sock" in dir.
 */
void test_server_endpoint(const struct transport *t, const char *dir, const char *name, char *out, size_t len);

/* A command's outcome: its exit code (or 128 + signal) and what it printed. */
struct run_result {
	int status;
	char *out; /* standard output, NUL-terminated (may contain NULs before that) */
	size_t outlen;
	char *err; /* standard error */
	size_t errlen;
};

/*
 * Runs argv (argv[0] "socklab" means the program under test) with input on
 * its standard input, waits for it to end (killing it after TEST_WAIT_S), and
 * captures its output. Returns 0, or -1 if it could not be started.
 */
int test_run(const char *const argv[], const void *input, size_t inlen, struct run_result *r);
void test_run_free(struct run_result *r);

/* A server started in the background, its output followed until it says where it listens. */
struct test_server {
	pid_t pid;
	int out;                   /* the read end of its standard output */
	char endpoint[ENDPOINT_FORMAT_MAX]; /* from its "listening on ..." line */
	char errpath[256];         /* its standard error goes to this file... */
	char *errtext;             /* ...which test_server_stop() reads here and removes */
};

/*
 * Starts argv (argv[0] "socklab" as above) and waits, on readiness and not
 * on a timer, for its first line "listening on ENDPOINT". Returns 0, or -1
 * if it exited or printed something else first (its stderr is in errpath).
 */
int test_server_start(struct test_server *s, const char *const argv[]);
/*
 * Sends sig (SIGTERM, SIGINT...) and waits for the server to exit (killing it
 * after TEST_WAIT_S). Returns the exit code, or 128 + signal.
 */
int test_server_stop(struct test_server *s, int sig);
/* What the server wrote on standard error so far, NUL-terminated (caller frees). */
char *test_server_stderr(const struct test_server *s);

/* Starts `socklab echo-server --quiet ENDPOINT` for t in dir. */
int test_echo_server(struct test_server *s, const struct transport *t, const char *dir);

/* Number of open file descriptors of this process. */
int test_open_fds(void);

#endif
