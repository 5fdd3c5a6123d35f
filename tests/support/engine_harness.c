/* engine_harness.c - the server engine run in-process for tests, and the echo application it serves. */
#include "engine_harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The callbacks run in the engine's thread: no cr_assert there (it would unwind the wrong thread). */
static void on_open(struct session *s, void *arg)
{
	struct app *app = arg;
	if (app->greet)
		session_send(s, "hi", 2);
	if (write(app->events[1], "o", 1) != 1)
		app->lost++;
}

static void on_message(struct session *s, const void *data, size_t len, void *arg)
{
	struct app *app = arg;
	if (app->amplify) {
		char *big = malloc(app->amplify);
		if (big) { /* else the test sees no reply */
			test_fill_random(big, app->amplify, 5);
			session_send(s, big, app->amplify);
		}
		free(big);
		return;
	}
	session_send(s, data, len);
	if (len == 3 && memcmp(data, "bye", 3) == 0)
		session_close(s); /* after the echo: what was queued still goes */
}

static void on_close(struct session *s, enum session_end why, void *arg)
{
	struct app *app = arg;
	char c = (char)('0' + why);
	(void)s;
	app->ends[why]++;
	if (write(app->events[1], &c, 1) != 1)
		app->lost++;
}

static const struct engine_callbacks callbacks = { on_open, on_message, on_close, NULL };

static void *run(void *arg)
{
	struct server *srv = arg;
	srv->rc = engine_run(srv->e);
	return NULL;
}

void harness_start(struct server *srv, const struct transport *t, struct engine_options opt, struct app app)
{
	struct endpoint ep;
	struct addr a;
	char text[256];
	int gai;

	memset(srv, 0, sizeof *srv);
	srv->app = app;
	cr_assert_eq(pipe(srv->app.events), 0);
	test_tmpdir(srv->dir, sizeof srv->dir);
	test_server_endpoint(t, srv->dir, "engine", text, sizeof text);
	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, text, sizeof text), 0);
	cr_assert_eq(sock_listen_endpoint(&srv->ls, &ep, 128, &gai), 0, "%s: %s", t->scheme, strerror(errno));
	cr_assert_eq(sock_getname(&srv->ls, &a), 0);
	endpoint_format(t, &a, srv->endpoint, sizeof srv->endpoint);
	srv->e = engine_new(&srv->ls, &callbacks, &srv->app, &opt);
	cr_assert_not_null(srv->e, "engine_new: %s", strerror(errno));
	cr_expect_str_eq(engine_poller_name(srv->e), opt.poller == POLLER_POLL ? "poll" : "epoll");
	cr_assert_eq(pthread_create(&srv->thread, NULL, run, srv), 0);
}

char harness_next_event(struct server *srv)
{
	char c = '?';
	cr_assert(test_readable(srv->app.events[0]), "no session event within %d s", TEST_WAIT_S);
	cr_assert_eq(read(srv->app.events[0], &c, 1), 1);
	return c;
}

struct engine_stats harness_stop(struct server *srv)
{
	struct engine_stats last;
	struct stat st;
	char path[128];

	engine_stop(srv->e);
	cr_assert_eq(pthread_join(srv->thread, NULL), 0);
	cr_expect_eq(srv->rc, 0, "engine_run: %s", strerror(errno));
	last = *engine_stats(srv->e);
	engine_free(srv->e);
	cr_expect_eq(sock_close(&srv->ls), 0);
	snprintf(path, sizeof path, "%s/engine.sock", srv->dir);
	cr_expect(lstat(path, &st) < 0 && errno == ENOENT, "%s is still there", path);
	close(srv->app.events[0]), close(srv->app.events[1]);
	test_rmdir(srv->dir);
	cr_expect_eq(srv->app.lost, 0, "a callback could not report an event");
	return last;
}

struct criterion_test_params harness_params(int datagrams_only)
{
	static struct param p[64];
	size_t n = 0;
	for (size_t i = 0; i < test_transport_count() && n + 2 <= 64; i++) {
		if (datagrams_only && transport_is_connected(transport_registry[i]))
			continue;
		p[n++] = (struct param){ i, POLLER_POLL };
		p[n++] = (struct param){ i, POLLER_EPOLL };
	}
	return cr_make_param_array(struct param, p, n);
}
