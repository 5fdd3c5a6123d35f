/* test_fds.c - descriptor hygiene: after every scenario, success or failure, the process holds what it held before. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/engine/engine.h"
#include "core/errors.h"
#include "core/io.h"
#include "tests/support/helpers.h"

#define CLIENTS 16 /* clients of the in-process engine */

/* What each descriptor of this process is ("3 -> socket:[123]"), to name a leak. */
static void describe_fds(char *out, size_t len)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	out[0] = '\0';
	while (d && (e = readdir(d)) != NULL) {
		char path[300], target[128];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		snprintf(out + strlen(out), len - strlen(out), "  %s -> %s\n", e->d_name, target);
	}
	if (d)
		closedir(d);
}

/* Listens on t's endpoint in dir (or on text when given). 0, or -1 with errno. */
static int listen_on(struct sock *s, const struct transport *t, const char *dir, const char *text)
{
	char buf[256], why[256];
	struct endpoint ep;
	int gai;

	if (!text)
		test_server_endpoint(t, dir, "fds", buf, sizeof buf), text = buf;
	sock_init(s);
	if (endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why) < 0)
		cr_assert_fail("%s: %s", text, why);
	return sock_listen_endpoint(s, &ep, 64, &gai);
}

/* The endpoint a client dials to reach s. */
static const char *where(struct sock *s, char *buf, size_t len)
{
	struct addr a;
	cr_assert(sock_getname(s, &a) == 0);
	return endpoint_format(s->t, &a, buf, len);
}

static void parse_errors(const struct transport *t, const char *dir)
{
	static const char *const bad[] = { "", "tpc://x:1", "tcp://[::1:5", "unix:", "udp://h:99999", "x" };
	struct endpoint ep;
	char why[256];

	(void)t, (void)dir;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect(endpoint_parse(bad[i], ENDPOINT_CLIENT, &ep, why, sizeof why) < 0, "'%s' parsed", bad[i]);
}

static void listen_then_close(const struct transport *t, const char *dir)
{
	struct sock s;
	struct addr a;

	cr_assert(listen_on(&s, t, dir, NULL) == 0, "%s: %s", t->scheme, strerror(errno));
	cr_expect(sock_getname(&s, &a) == 0);
	cr_expect(sock_close(&s) == 0);
}

/* A second server on an address in use fails, and keeps no descriptor of its attempt. */
static void listen_where_taken(const struct transport *t, const char *dir)
{
	struct sock s, again;
	char ep[ENDPOINT_FORMAT_MAX];

	cr_assert(listen_on(&s, t, dir, NULL) == 0);
	cr_expect(listen_on(&again, t, dir, where(&s, ep, sizeof ep)) < 0 && errno == EADDRINUSE,
		  "%s: a second server on %s: %s", t->scheme, ep, strerror(errno));
	sock_close(&s);
}

/* Binding fails for a reason of the address: no such directory, a file in the way, an address not ours. */
static void listen_impossible(const struct transport *t, const char *dir)
{
	char text[256];
	struct sock s;

	if (transport_has_socket_file(t)) {
		snprintf(text, sizeof text, "%s:%s/no/such/dir.sock", t->scheme, dir);
		cr_expect(listen_on(&s, t, dir, text) < 0 && errno == ENOENT, "%s: %s", text, strerror(errno));
		snprintf(text, sizeof text, "%s:%s", t->scheme, dir);
		cr_expect(listen_on(&s, t, dir, text) < 0 && errno == SL_ENOTSOCK_FILE, "%s: %s", text, strerror(errno));
	} else {
		snprintf(text, sizeof text, "%s://192.0.2.1:0", t->scheme); /* TEST-NET-1: never a local address */
		cr_expect(listen_on(&s, t, dir, text) < 0 && errno == EADDRNOTAVAIL, "%s: %s", text, strerror(errno));
	}
}

/* A client of a server that has gone: refused at connect (connections) or at the first send (datagrams). */
static void dial_where_nobody_listens(const struct transport *t, const char *dir)
{
	struct sock s, c;
	char ep[ENDPOINT_FORMAT_MAX];

	cr_assert(listen_on(&s, t, dir, NULL) == 0);
	where(&s, ep, sizeof ep);
	sock_close(&s);
	if (test_dial(&c, ep) == 0) {
		cr_expect(!sock_is_connected(&c), "%s: connected to a closed server", t->scheme);
		cr_expect(sock_set_recv_timeout(&c, 200) == 0);
		char buf[8];
		if (sock_send(&c, "x", 1) == 1)
			cr_expect(sock_recv_reply(&c, buf, sizeof buf, NULL) < 0);
		sock_close(&c);
	}
}

/* A peer that accepts (or receives) and never answers: the client's timeouts end it cleanly. */
static void nobody_answers(const struct transport *t, const char *dir)
{
	struct sock s, c;
	char ep[ENDPOINT_FORMAT_MAX], big[200000], in[200000];
	size_t got;

	cr_assert(listen_on(&s, t, dir, NULL) == 0);
	cr_assert(test_dial(&c, where(&s, ep, sizeof ep)) == 0, "%s: %s", ep, strerror(errno));
	memset(big, 'x', sizeof big);
	if (sock_keeps_boundaries(&c)) {
		cr_expect(sock_set_recv_timeout(&c, 100) == 0);
		cr_expect(sock_send(&c, big, 10) == 10);
		cr_expect(sock_recv_reply(&c, in, sizeof in, NULL) < 0 && errno == SL_ETIMEDOUT_REPLY);
	} else {
		/* Nobody accepts, yet the kernel's backlog completes the handshake: sends fill the buffers, then wait. */
		cr_expect(sock_exchange(&c, big, sizeof big, in, sizeof in, &got, 100) < 0 &&
			  errno == SL_ETIMEDOUT_REPLY, "%s: %s", t->scheme, strerror(errno));
	}
	sock_close(&c);
	sock_close(&s);
}

/* The engine's echo, in a thread of this process. */
static void on_open(struct session *s, void *app) { (void)s, (void)app; }
static void on_message(struct session *s, const void *data, size_t len, void *app)
{
	(void)app;
	session_send(s, data, len);
}
static void on_close(struct session *s, enum session_end why, void *app) { (void)s, (void)why, (void)app; }
static const struct engine_callbacks echo = { on_open, on_message, on_close, NULL };

static void *run(void *e)
{
	engine_run(e);
	return NULL;
}

/* Clients come, echo, and go (half of them abruptly); the engine stops; nothing of them remains. */
static void engine_serves_and_stops(const struct transport *t, const char *dir)
{
	struct sock s, c[CLIENTS];
	char ep[ENDPOINT_FORMAT_MAX], msg[1000];
	pthread_t th;

	cr_assert(listen_on(&s, t, dir, NULL) == 0);
	struct engine *e = engine_new(&s, &echo, NULL, NULL);
	cr_assert(e && pthread_create(&th, NULL, run, e) == 0);
	where(&s, ep, sizeof ep);
	test_fill_random(msg, sizeof msg, 6);
	for (int i = 0; i < CLIENTS; i++) {
		cr_assert(test_dial(&c[i], ep) == 0, "%s: %s", ep, strerror(errno));
		cr_expect(test_echo_once(&c[i], msg, sizeof msg) == 0, "%s: client %d: %s", t->scheme, i, strerror(errno));
	}
	for (int i = 0; i < CLIENTS; i++) {
		if (i % 2 && sock_is_connected(&c[i])) /* unread data in flight: the close resets the connection */
			sock_send(&c[i], msg, sizeof msg);
		sock_close(&c[i]);
	}
	engine_stop(e);
	cr_assert(pthread_join(th, NULL) == 0);
	engine_free(e);
	sock_close(&s);
}

/* engine_new() when descriptors run out at each of its steps: it fails with EMFILE and gives back all it took. */
static void engine_without_descriptors(const struct transport *t, const char *dir)
{
	struct rlimit old, lim;
	struct sock s;
	int made = 0;

	cr_assert(listen_on(&s, t, dir, NULL) == 0);
	cr_assert(getrlimit(RLIMIT_NOFILE, &old) == 0);
	for (int extra = 0; extra < 6; extra++) {
		/* A limit with exactly `extra` free descriptor numbers below it (new ones take the lowest free). */
		int limit = 0;
		for (int free_below = 0; free_below < extra || fcntl(limit, F_GETFD) >= 0; limit++)
			free_below += fcntl(limit, F_GETFD) < 0;
		lim = old;
		lim.rlim_cur = (rlim_t)limit;
		cr_assert(setrlimit(RLIMIT_NOFILE, &lim) == 0);
		errno = 0;
		struct engine *e = engine_new(&s, &echo, NULL, NULL);
		int err = errno;
		cr_assert(setrlimit(RLIMIT_NOFILE, &old) == 0);
		if (e)
			made++, engine_free(e);
		else
			cr_expect(err == EMFILE, "%s: engine_new failed with %s", t->scheme, strerror(err));
	}
	cr_expect(made > 0 && made < 6, "%s: engine_new succeeded %d times in 6", t->scheme, made);
	sock_close(&s);
}

/* The impairment layer keeps state per socket: it must go with the socket. */
static void impaired_sockets(const struct transport *t, const char *dir)
{
	char text[300], ep[ENDPOINT_FORMAT_MAX], why[256];
	struct endpoint parsed;
	struct sock s, c;
	const char *opts = !transport_is_reliable(t) ? "?reorder=0.5&seed=3" : "?chunk=7&delay=1";

	test_server_endpoint(t, dir, "impaired", text, 200);
	strcat(text, opts);
	if (endpoint_parse(text, ENDPOINT_SERVER, &parsed, why, sizeof why) < 0)
		cr_skip_test("%s: no impairment layer yet (%s)", text, why);
	cr_assert(listen_on(&s, t, dir, text) == 0, "%s: %s", text, strerror(errno));
	struct engine *e = engine_new(&s, &echo, NULL, NULL);
	pthread_t th;
	cr_assert(e && pthread_create(&th, NULL, run, e) == 0);
	snprintf(text, sizeof text, "%s%s", where(&s, ep, sizeof ep), opts);
	cr_assert(test_dial(&c, text) == 0, "%s: %s", text, strerror(errno));
	cr_expect(sock_send_all(&c, "abcdefghijklmnop", 16) == 16);
	sock_close(&c);
	engine_stop(e);
	cr_assert(pthread_join(th, NULL) == 0);
	engine_free(e);
	sock_close(&s);
}

static void (*const scenarios[])(const struct transport *, const char *) = {
	parse_errors,        listen_then_close,         listen_where_taken,         listen_impossible,
	dial_where_nobody_listens, nobody_answers, engine_serves_and_stops, engine_without_descriptors,
	impaired_sockets,
};
static const char *const names[] = {
	"parse_errors",        "listen_then_close",         "listen_where_taken",         "listen_impossible",
	"dial_where_nobody_listens", "nobody_answers", "engine_serves_and_stops", "engine_without_descriptors",
	"impaired_sockets",
};
#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

static size_t pairs[32 * NSCENARIOS];

ParameterizedTestParameters(fds, none_left_open)
{
	size_t n = test_transport_count() * NSCENARIOS;
	for (size_t i = 0; i < n; i++)
		pairs[i] = i;
	return cr_make_param_array(size_t, pairs, n);
}

/* Each scenario on each transport, with the count of open descriptors taken before and after. */
ParameterizedTest(size_t *k, fds, none_left_open)
{
	const struct transport *t = transport_registry[*k / NSCENARIOS];
	size_t which = *k % NSCENARIOS;
	char dir[64], before[4096], after[4096];

	test_tmpdir(dir, sizeof dir);
	describe_fds(before, sizeof before);
	int n = test_open_fds();
	scenarios[which](t, dir);
	describe_fds(after, sizeof after);
	cr_expect_eq(test_open_fds(), n, "%s, %s: %d descriptors open before, %d after\nbefore:\n%safter:\n%s", t->scheme,
		     names[which], n, test_open_fds(), before, after);
	test_rmdir(dir);
}
