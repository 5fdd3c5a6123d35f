/* engine_harness.h - the server engine in-process for tests: a thread, an echo application, events on a pipe. */
#ifndef SOCKLAB_TEST_ENGINE_HARNESS_H
#define SOCKLAB_TEST_ENGINE_HARNESS_H

#include <criterion/parameterized.h>
#include <pthread.h>

#include "core/engine/engine.h"
#include "helpers.h"

/* The application: echo, plus what a test asks for. Every session event is one byte on a pipe. */
struct app {
	int events[2];  /* 'o' for an open, '0' + enum session_end for a close */
	int greet;      /* on_open sends "hi" */
	size_t amplify; /* on_message answers with this many bytes instead of an echo */
	unsigned ends[SESSION_SHED + 1]; /* by enum session_end: the last is SESSION_SHED */
	int lost;       /* events that could not be written to the pipe */
};

/* An engine serving a listener of its own, in a thread of its own. */
struct server {
	char dir[64], endpoint[ENDPOINT_FORMAT_MAX];
	struct sock ls;
	struct engine *e;
	pthread_t thread;
	int rc;
	struct app app;
};

/* A test's parameter: a transport (an index into transport_registry) and a poller. */
struct param {
	size_t t;
	enum poller_kind poller;
};

/* Every transport under both pollers, or only those without connections. */
struct criterion_test_params harness_params(int datagrams_only);

/*
 * Binds t on port 0 or in a new temporary directory, and starts an engine
 * on it with options opt and application app (its pipe is made here).
 * srv->endpoint is where clients dial. Fails the test if any step fails.
 */
void harness_start(struct server *srv, const struct transport *t, struct engine_options opt, struct app app);

/* The next session event, waited for on readiness: 'o', or '0' + why for a close. */
char harness_next_event(struct server *srv);

/* Stops the engine, frees everything, checks the socket file is gone. Returns the engine's last stats. */
struct engine_stats harness_stop(struct server *srv);

#endif
