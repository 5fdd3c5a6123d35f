/* robust.h - what the robustness suites share: a server with a good client to keep serving, socket files, bad input. */
#ifndef SOCKLAB_TEST_ROBUST_H
#define SOCKLAB_TEST_ROBUST_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "helpers.h"

/*
 * Bad input (test_badinput.c, badinput_cases.c): one bad invocation of
 * socklab, or a shell line when the bad part is a redirection. Placeholders,
 * in argv, shell and says: {dir} a fresh private directory, {long} 300
 * characters (more than sun_path holds), {huge} 5,000 (more than any
 * endpoint), {refused} a TCP port where nobody listens, {busy} one where
 * somebody does, {echo} the endpoint of a running echo server.
 */
struct bad_case {
	const char *argv[8]; /* after "socklab"; unused when shell is set */
	int status;          /* 2 for usage and endpoint errors, 1 for failures at run time */
	const char *says;    /* the one line on standard error names the problem with this */
	const char *shell;   /* a /bin/sh command line instead, with $SOCKLAB the program */
};

extern const struct bad_case bad_cases[];
extern const size_t bad_case_count;

/* Names in dir, sorted, as one string ("a/b/"), to see that nothing was added or removed. */
void dir_listing(const char *dir, char *out, size_t len);
/* Is a process other than this one running with the NAME=VALUE marker in its environment? */
int marked_process_left(const char *marker);

/*
 * Socket files (test_files.c, test_modes.c).
 */

/* The unix transports of the registry, as indexes into it, for ParameterizedTestParameters. */
size_t unix_transport_count(void);
size_t *unix_transport_indexes(void);
/* Starts echo-server [--mode MODE] for t on DIR/s.sock, under umask mask. 0 or -1 (test_server_start). */
int start_unix_echo(struct test_server *srv, const struct transport *t, const char *dir, mode_t mask, const char *mode);
/* The st_mode of path, not following a symlink; 0 when there is nothing there. */
mode_t file_mode(const char *path);

/*
 * Hostile peers (test_hostile.c, test_exhaust.c): a scene.
 */

#define MEGABYTE (1024 * 1024)
#define SLOWLORIS 200        /* idle clients at once */
#define GARBAGE_MESSAGES 200 /* messages of garbage one client sends */
#define GOOD_MAX 4096        /* the good client's largest message */

struct scene {
	const struct transport *t;
	char dir[64];
	struct test_server srv;  /* socklab echo-server --quiet, in a process of its own */
	struct sock good;        /* connected first, served byte-exact until the end */
	unsigned long rounds;    /* the good client's round trips so far */
	int base_fds;            /* the server's descriptors while only the good client is there */
};

/*
 * Starts echo-server for transport_registry[i] (with its descriptors limited
 * to nofile when not 0), connects the good client and makes one round trip.
 */
void scene_start(struct scene *sc, size_t i, rlim_t nofile);

/*
 * One round trip of the good client: a numbered message of a varying size,
 * whose echo must come back byte-exact. On UDP, where a flood may cost a
 * datagram, it sends again after 250 ms (as a UDP client must), skipping late
 * echoes of earlier tries. Fails the test if no exact echo comes.
 */
void good_round(struct scene *sc);
void good_rounds(struct scene *sc, int n);

/* Dials the scene's server as a new (hostile) client. Fails the test if it cannot. */
void hostile_dial(struct scene *sc, struct sock *h);

/*
 * Sends up to total bytes of garbage in pieces of piece bytes (one message
 * each on a message transport) without reading anything, and stops early
 * once the socket takes nothing for idle_ms. Returns the bytes sent.
 */
size_t hostile_flood(struct sock *h, size_t total, size_t piece, int idle_ms);

/* The server's open descriptors (from /proc), and its resident memory in KB. */
int server_fds(const struct scene *sc);
long server_rss_kb(const struct scene *sc);
/* Its resident memory at most, so far (VmHWM), in KB. */
long server_peak_rss_kb(const struct scene *sc);
/* The CPU time the server has used so far, in milliseconds. */
long server_cpu_ms(const struct scene *sc);

/*
 * Makes round trips of the good client until the server holds fds
 * descriptors (each round trip is one more turn of the server's loop: no
 * sleeping), and fails the test if that does not happen within 2,000.
 */
void settle(struct scene *sc, int fds);

/*
 * The end of every scene: a last round trip, the server back to its
 * descriptors of the start, alive, and exiting 0 on SIGTERM. What it wrote
 * on standard error goes to *stderr_text (for the caller to free) when not NULL.
 */
void scene_end(struct scene *sc, char **stderr_text);

#endif /* SOCKLAB_TEST_ROBUST_H */
