/* test_modes.c - socket file permissions: what the umask gives, never world-writable, and what --mode sets. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/robust.h"

#define NOBODY 65534 /* the unprivileged user of Debian and most Linux systems */

ParameterizedTestParameters(modes, default_mode_follows_umask_never_world_writable)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

ParameterizedTest(size_t *i, modes, default_mode_follows_umask_never_world_writable)
{
	const struct transport *t = transport_registry[*i];
	static const mode_t masks[] = { 0000, 0002, 0022, 0077 };
	char dir[64], path[128];

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	for (size_t k = 0; k < sizeof masks / sizeof masks[0]; k++) {
		struct test_server srv;
		cr_assert(start_unix_echo(&srv, t, dir, masks[k], NULL) == 0, "%s: the server did not start", t->scheme);
		mode_t m = file_mode(path);
		cr_expect(S_ISSOCK(m), "%s: no socket file", t->scheme);
		cr_expect_eq(m & 0777, 0777 & ~masks[k] & ~(mode_t)S_IWOTH, "%s: umask %03o gave mode %03o", t->scheme,
			     (unsigned)masks[k], (unsigned)(m & 0777));
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
		cr_expect_eq(file_mode(path), 0, "%s: the socket file outlived its server", t->scheme);
	}
	test_rmdir(dir);
}

ParameterizedTestParameters(modes, mode_option_sets_the_mode)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

ParameterizedTest(size_t *i, modes, mode_option_sets_the_mode)
{
	const struct transport *t = transport_registry[*i];
	static const struct { mode_t mask; const char *mode; mode_t want; } cases[] = {
		{ 0077, "666", 0666 }, { 0000, "600", 0600 }, { 0022, "0660", 0660 }, { 0000, "0", 0 },
	};
	char dir[64], path[128];

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct test_server srv;
		cr_assert(start_unix_echo(&srv, t, dir, cases[k].mask, cases[k].mode) == 0, "%s --mode %s: did not start",
			  t->scheme, cases[k].mode);
		cr_expect_eq(file_mode(path) & 07777, cases[k].want, "%s --mode %s: mode %03o", t->scheme, cases[k].mode,
			     (unsigned)(file_mode(path) & 07777));
		cr_expect_eq(test_server_stop(&srv, SIGINT), 0);
		cr_expect_eq(file_mode(path), 0, "%s: the socket file outlived its server", t->scheme);
	}
	test_rmdir(dir);
}

/* In a child running as nobody: dial endpoint and echo one message. 0, or the errno that stopped it. */
static int echo_as_nobody(const char *endpoint)
{
	pid_t pid = fork();
	int st;

	cr_assert(pid >= 0);
	if (pid == 0) {
		struct sock s;
		if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(100);
		errno = 0;
		int r = test_dial(&s, endpoint) == 0 && test_echo_once(&s, "nobody", 6) == 0;
		_exit(r ? 0 : errno > 0 && errno < 100 ? errno : 101);
	}
	cr_assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	return WEXITSTATUS(st);
}

ParameterizedTestParameters(modes, mode_decides_who_may_connect)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

/* Connecting to (or sending to) a unix socket needs write permission on its file: that is what --mode grants. */
ParameterizedTest(size_t *i, modes, mode_decides_who_may_connect)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	char dir[64];

	if (geteuid() != 0)
		cr_skip_test("needs root, to run a client as another user");
	test_tmpdir(dir, sizeof dir);
	cr_assert(chmod(dir, 0711) == 0); /* others may reach the file, not list the directory */
	cr_assert(start_unix_echo(&srv, t, dir, 0022, NULL) == 0);
	cr_expect_eq(echo_as_nobody(srv.endpoint), EACCES, "%s: another user got in by default", t->scheme);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	cr_assert(start_unix_echo(&srv, t, dir, 0022, "666") == 0);
	cr_expect_eq(echo_as_nobody(srv.endpoint), 0, "%s: --mode 666 did not let another user in", t->scheme);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(modes, set_file_mode_in_the_library)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* sock_set_file_mode() touches only the file its socket made, never through a symlink. */
ParameterizedTest(size_t *i, modes, set_file_mode_in_the_library)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], text[256], path[128], target[160], why[128];
	struct endpoint ep;
	struct sock s;
	int gai;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "lib", text, sizeof text);
	cr_assert(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why) == 0, "%s", why);
	cr_assert(sock_listen_endpoint(&s, &ep, 4, &gai) == 0, "%s: %s", text, strerror(errno));
	errno = 0;
	if (!transport_has_socket_file(t)) {
		cr_expect(sock_set_file_mode(&s, 0666) == -1 && errno == EINVAL, "%s: no file, yet %s", t->scheme,
			  strerror(errno));
		sock_close(&s);
		test_rmdir(dir);
		return;
	}
	snprintf(path, sizeof path, "%s/lib.sock", dir);
	snprintf(target, sizeof target, "%s/target", dir);
	cr_expect(sock_set_file_mode(&s, 01777) == -1 && errno == EINVAL, "%s: mode 01777 accepted", t->scheme);
	cr_expect_eq(sock_set_file_mode(&s, 0604), 0, "%s: %s", t->scheme, strerror(errno));
	cr_expect_eq(file_mode(path) & 07777, 0604);
	/* Another file in its place, here a symlink to a file of ours: neither is changed. */
	FILE *f = fopen(target, "w");
	cr_assert(f && fclose(f) == 0 && chmod(target, 0600) == 0);
	cr_assert(rename(path, strcat(strcpy((char[200]){ 0 }, dir), "/moved")) == 0 && symlink(target, path) == 0);
	errno = 0;
	cr_expect(sock_set_file_mode(&s, 0666) == -1 && errno == ENOENT, "%s: changed a file not its own (%s)",
		  t->scheme, strerror(errno));
	cr_expect_eq(file_mode(target) & 07777, 0600, "%s: followed the symlink", t->scheme);
	sock_close(&s);
	cr_expect(S_ISLNK(file_mode(path)), "%s: close removed the symlink", t->scheme);
	errno = 0;
	cr_expect(sock_set_file_mode(&s, 0666) == -1 && errno == EINVAL, "%s: closed socket", t->scheme);
	test_rmdir(dir);
}

/* The servers, and what each needs after ENDPOINT to start; those whose --help offers --mode are tested. */
static const struct { const char *cmd, *extra; } servers[] = {
	{ "echo-server", NULL }, { "chat-server", NULL }, { "recv", "out" },
};

static size_t server_idx[] = { 0, 1, 2 };

ParameterizedTestParameters(modes, every_server_takes_mode)
{
	return cr_make_param_array(size_t, server_idx, sizeof server_idx / sizeof server_idx[0]);
}

ParameterizedTest(size_t *i, modes, every_server_takes_mode)
{
	const char *cmd = servers[*i].cmd;
	const char *help[] = { "socklab", cmd, "--help", NULL };
	char dir[64], ep[160], path[128], extra[160];
	struct run_result r;
	struct test_server srv;

	cr_assert(test_run(help, NULL, 0, &r) == 0);
	int has = r.status == 0 && strstr(r.out, "--mode");
	test_run_free(&r);
	if (!has)
		cr_skip_test("socklab %s has no --mode (yet)", cmd);
	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(ep, sizeof ep, "unix:%s", path);
	snprintf(extra, sizeof extra, "%s/%s", dir, servers[*i].extra ? servers[*i].extra : "");
	const char *argv[] = { "socklab", cmd, "--mode", "606", ep, servers[*i].extra ? extra : NULL, NULL };
	mode_t old = umask(077);
	cr_assert(test_server_start(&srv, argv) == 0, "%s --mode 606 did not start", cmd);
	umask(old);
	cr_expect_eq(file_mode(path) & 07777, 0606, "%s --mode 606: mode %03o", cmd, (unsigned)(file_mode(path) & 07777));
	test_server_stop(&srv, SIGTERM);
	cr_expect_eq(file_mode(path), 0, "%s: the socket file outlived its server", cmd);
	test_rmdir(dir);
}

ParameterizedTestParameters(modes, mode_is_set_before_anyone_may_connect)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

/*
 * --mode is the file's mode before a client can connect: bind creates the
 * file with no permission at all, the mode follows, and only then listen.
 * (Set after listen, a client that connected in between kept its connection.)
 */
ParameterizedTest(size_t *i, modes, mode_is_set_before_anyone_may_connect)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[160], path[128], why[128];
	struct endpoint e;
	struct addr a;
	struct sock s;
	size_t n;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(ep, sizeof ep, "%s:%s", t->scheme, path);
	/* The library: a server that will set the mode binds a file nobody may use. */
	cr_assert(endpoint_parse(ep, ENDPOINT_SERVER, &e, why, sizeof why) == 0 && endpoint_resolve(&e, ENDPOINT_SERVER, &a, 1, &n) == 0);
	sock_init(&s);
	s.file.has_mode = 1;
	s.file.mode = 0666;
	cr_assert_eq(sock_bind(&s, t, &a), 0, "%s: %s", t->scheme, strerror(errno));
	cr_expect_eq(file_mode(path) & 0777, 0, "%s: bound with mode %03o", t->scheme, (unsigned)(file_mode(path) & 0777));
	sock_close(&s);
	/* The command: bind, chmod, then listen, in that order. */
	const char *argv[] = { "socklab", "--trace", "echo-server", "--mode", "660", ep, NULL };
	struct test_server srv;
	cr_assert_eq(test_server_start(&srv, argv), 0);
	cr_expect_eq(file_mode(path) & 0777, 0660);
	test_server_stop(&srv, SIGTERM);
	const char *bind = strstr(srv.errtext, "bind("), *chmod = strstr(srv.errtext, "chmod(");
	const char *listen = strstr(srv.errtext, "listen("), *ready = strstr(srv.errtext, "getsockname(");
	cr_assert(bind && chmod, "%s: %s", t->scheme, srv.errtext);
	cr_expect(bind < chmod && (!listen || chmod < listen) && chmod < ready, "%s: %s", t->scheme, srv.errtext);
	cr_expect_eq(!listen, !transport_is_connected(t), "%s", t->scheme);
	test_rmdir(dir);
}
