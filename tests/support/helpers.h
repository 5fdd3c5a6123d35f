/* helpers.h - what the tests share: running socklab, servers on port 0, temporary directories. */
#ifndef SOCKLAB_TEST_HELPERS_H
#define SOCKLAB_TEST_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include "transports/endpoint.h"
#include "transports/registry.h"
#include "core/transport.h"

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
/*
 * A server in a child process: listens at a fresh endpoint of t in dir (as
 * test_server_endpoint), writes it into ep, and runs serve(ls, ctx) in the
 * child, which then exits. A kernel transport listens here, before the fork
 * (ls is the parent's copy: close it after the child is gone); socklab's own
 * protocol (rdt) listens in the child, whose protocol thread serves it, since
 * fork() copies no thread (ls stays closed here). Returns the child's pid.
 */
pid_t test_fork_listener(const struct transport *t, const char *dir, const char *name, int backlog,
			 void (*serve)(struct sock *ls, void *ctx), void *ctx, struct sock *ls, char *ep, size_t eplen);

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
/* The same, killing it after seconds: for a command whose run is long by design (bench --loss). */
int test_run_within(const char *const argv[], const void *input, size_t inlen, int seconds, struct run_result *r);
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

/*
 * Library-level clients: the tests' own sockets, through the same interface.
 * These and the foreign peers below live in helpers_net.c.
 */

/* Parses endpoint as a client would and dials it into s. 0, or -1 with errno. */
int test_dial(struct sock *s, const char *endpoint);

/*
 * Sends msg and reads its echo back whole: on a stream exactly len bytes, on
 * a message transport one message. Returns 0 when the reply is byte-exact,
 * -1 otherwise (a reply that differs sets errno to SL_EMISMATCH).
 */
int test_echo_once(struct sock *s, const void *msg, size_t len);

/* Waits until fd is readable, at most TEST_WAIT_S. 1 when it is, 0 if not. */
int test_readable(int fd);

/* A Linux abstract name no other test uses at the same time: "socklab-test-PID-TAG-N". */
void test_abstract_name(const char *tag, char *out, size_t len);

/* Fills buf with len bytes from a generator seeded with seed (the same seed, the same bytes). */
void test_fill_random(void *buf, size_t len, unsigned seed);

/*
 * Peers socklab did not write (socat, nc, python3...), each in a process
 * group of its own so that its children (socat's forks) are signalled too.
 * What it prints is collected as it is waited for.
 */
struct test_peer {
	pid_t pid;
	int in, out, err; /* pipes to its stdin, from its stdout and stderr; -1 once closed */
	char *outbuf, *errbuf; /* everything read so far, NUL-terminated */
	size_t outlen, errlen, outcap, errcap;
};

/* Starts argv with pipes on its three standard streams. 0, or -1 if it could not be started. */
int test_peer_start(struct test_peer *p, const char *const argv[]);
/* Writes all of buf to its standard input. 0 or -1. */
int test_peer_write(struct test_peer *p, const void *buf, size_t len);
/* Closes its standard input: the peer sees end of file. */
void test_peer_close_input(struct test_peer *p);
/*
 * Reads its output, on readiness, until stream (1: stdout, 2: stderr)
 * contains needle; at most TEST_WAIT_S. Returns where needle starts in
 * outbuf/errbuf, or NULL if it never came (or the peer closed that stream first).
 */
const char *test_peer_wait(struct test_peer *p, int stream, const char *needle);
/* As test_peer_wait, for a whole line that contains needle: copies it, without its newline, to line. 0 or -1. */
int test_peer_wait_line(struct test_peer *p, int stream, const char *needle, char *line, size_t len);
/* Waits for the peer to exit by itself, reading its output (SIGKILL after TEST_WAIT_S). Exit code or 128 + signal. */
int test_peer_wait_exit(struct test_peer *p);
/* Sends sig to its process group and waits as test_peer_wait_exit(). */
int test_peer_stop(struct test_peer *p, int sig);
/* Frees what test_peer_start() allocated (after stop or wait_exit). */
void test_peer_free(struct test_peer *p);

/* The local port of a UDP socket process pid holds (read from /proc), or 0 if it has none. */
unsigned test_udp_port_of(pid_t pid);

#endif
