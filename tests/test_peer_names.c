/* test_peer_names.c - what peers choose and socklab prints: unix names escaped, replies checked before printing; brackets only around IPv6. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/addr.h"
#include "tests/support/robust.h"

/* A name a hostile peer may bind: clear the screen, set the window title, then a byte outside ASCII. */
#define EVIL "\033[2J\033]0;pwned\007\xff"

/* 1 when text holds a byte a terminal would act on (control characters, DEL, C1), newlines apart. */
static int has_controls(const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n') || (c >= 0x7f && c < 0xa0))
			return 1;
	}
	return 0;
}

static void unix_addr(struct addr *a, const char *path, int abstract)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;

	memset(a, 0, sizeof *a);
	sun->sun_family = AF_UNIX;
	size_t n = strlen(path);

	cr_assert(n + 1 < sizeof sun->sun_path);
	memcpy(sun->sun_path + abstract, path, n);
	a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + strlen(path) + !abstract);
}

Test(peer_names, unix_paths_are_escaped_like_abstract_names)
{
	char out[ADDR_TEXT_MAX];
	struct addr a;

	for (int abstract = 0; abstract < 2; abstract++) {
		unix_addr(&a, "/tmp/" EVIL ".sock", abstract);
		addr_format(&a, out, sizeof out);
		cr_expect_not(has_controls(out, strlen(out)), "%s name printed raw", abstract ? "abstract" : "path");
		cr_expect(strstr(out, "\\x1b[2J\\x1b]0;pwned\\x07\\xff.sock"), "%s", out);
	}
	unix_addr(&a, "/tmp/plain name.sock", 0);
	cr_expect_str_eq(addr_format(&a, out, sizeof out), "/tmp/plain name.sock");
	unix_addr(&a, "/tmp/x.sock", 0);
	cr_expect_str_eq(addr_format(&a, out, 4), "/tm");
}

ParameterizedTestParameters(peer_names, server_logs_escape_a_peers_path)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

/* A client binds a path full of escape sequences and talks to the servers: their logs show it escaped. */
ParameterizedTest(size_t *i, peer_names, server_logs_escape_a_peers_path)
{
	const struct transport *t = transport_registry[*i];
	static const char *const servers[] = { "echo-server", "chat-server" };
	char dir[64], ep[200], path[160];
	struct test_server srv;
	struct addr self, to;

	test_tmpdir(dir, sizeof dir);
	for (size_t k = 0; k < 2; k++) {
		snprintf(ep, sizeof ep, "%s:%s/s.sock", t->scheme, dir);
		const char *argv[] = { "socklab", servers[k], ep, NULL };
		cr_assert_eq(test_server_start(&srv, argv), 0);
		snprintf(path, sizeof path, "%s/%s%zu", dir, EVIL, k);
		unix_addr(&self, path, 0);
		snprintf(path, sizeof path, "%s/s.sock", dir);
		unix_addr(&to, path, 0);
		int fd = socket(AF_UNIX, t->type, 0);
		cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&self.ss, self.len) == 0);
		if (transport_is_connected(t))
			cr_assert(connect(fd, (struct sockaddr *)&to.ss, to.len) == 0);
		cr_assert(sendto(fd, "hi", 2, 0, transport_is_connected(t) ? NULL : (struct sockaddr *)&to.ss,
				 transport_is_connected(t) ? 0 : to.len) == 2);
		cr_assert(test_readable(fd), "%s %s: no answer", servers[k], t->scheme);
		close(fd);
		test_server_stop(&srv, SIGTERM);
		cr_expect(strstr(srv.errtext, "\\x1b[2J"), "%s %s: %s", servers[k], t->scheme, srv.errtext);
		cr_expect_not(has_controls(srv.errtext, strlen(srv.errtext)), "%s %s: a raw escape in the log",
			      servers[k], t->scheme);
	}
	test_rmdir(dir);
}

/* An "echo server" that answers with escape sequences instead of the message: echo-client prints none of it. */
Test(peer_names, echo_client_never_prints_a_reply_that_differs)
{
	char dir[64], path[128], ep[160];
	struct addr a;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/liar.sock", dir);
	unix_addr(&a, path, 0);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(ls >= 0 && bind(ls, (struct sockaddr *)&a.ss, a.len) == 0 && listen(ls, 1) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char buf[64];
		int c = accept(ls, NULL, NULL);
		ssize_t n = read(c, buf, sizeof buf);
		_exit(n == 7 && write(c, "\033[2J!!\n", 7) == 7 ? 0 : 1); /* as long as "hello!\n", and not it */
	}
	close(ls);
	snprintf(ep, sizeof ep, "unix:%s", path);
	const char *argv[] = { "socklab", "echo-client", ep, "hello!", NULL };
	struct run_result r;
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect_not(has_controls(r.out, r.outlen), "the liar's bytes were printed");
	cr_expect(strstr(r.err, "the reply differs"), "%s", r.err);
	test_run_free(&r);
	waitpid(pid, NULL, 0);
	test_rmdir(dir);
}

/* Brackets are for IPv6 addresses (RFC 3986, 3.2.2): around anything else, the endpoint is malformed. */
Test(peer_names, brackets_only_around_ipv6)
{
	static const char *const bad[] = { "tcp://[1.2.3.4]:5555", "udp://[127.0.0.1]:5555", "tcp://[localhost]:5555",
					   "tcp://[::1%]:5555", "tcp://[12345::]:5555", "udp://[:::]:5555" };
	static const char *const good[] = { "tcp://[::1]:5555", "udp://[::ffff:127.0.0.1]:5555", "tcp://[fe80::1%lo]:5555" };
	struct endpoint ep;
	char why[256];

	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		for (int role = 0; role < 2; role++) {
			cr_expect_eq(endpoint_parse(bad[k], role ? ENDPOINT_SERVER : ENDPOINT_CLIENT, &ep, why, sizeof why), -1,
				     "%s accepted", bad[k]);
			cr_expect(strstr(why, "IPv6"), "%s: %s", bad[k], why);
		}
	for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
		cr_expect_eq(endpoint_parse(good[k], ENDPOINT_CLIENT, &ep, why, sizeof why), 0, "%s: %s", good[k], why);
	const char *argv[] = { "socklab", "echo-client", "tcp://[1.2.3.4]:5555", "hi", NULL };
	struct run_result r;
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2, "%s", r.err);
	cr_expect(strncmp(r.err, "socklab: echo-client: bad endpoint 'tcp://[1.2.3.4]:5555': ", 59) == 0, "%s", r.err);
	test_run_free(&r);
}
