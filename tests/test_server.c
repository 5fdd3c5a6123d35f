/* test_server.c - echo-server's life: clean shutdown on SIGTERM and SIGINT, and what it finds at a socket path. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/io.h"
#include "tests/support/helpers.h"

TestSuite(server, .timeout = 60);

struct stop_param {
	size_t t;
	int sig;
};

ParameterizedTestParameters(server, shutdown)
{
	static struct stop_param p[64];
	size_t n = 0;
	for (size_t i = 0; i < test_transport_count() && n + 2 <= 64; i++) {
		p[n++] = (struct stop_param){ i, SIGTERM };
		p[n++] = (struct stop_param){ i, SIGINT };
	}
	return cr_make_param_array(struct stop_param, p, n);
}

/* Exit 0; every connected client sees the end of its stream; the socket file is gone. */
ParameterizedTest(struct stop_param *p, server, shutdown)
{
	const struct transport *t = transport_registry[p->t];
	struct test_server srv;
	struct sock c[3];
	char dir[64], path[128], buf[8];
	struct stat st;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/echo.sock", dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	for (int k = 0; k < 3; k++) {
		cr_assert_eq(test_dial(&c[k], srv.endpoint), 0);
		cr_expect_eq(test_echo_once(&c[k], "before", 6), 0);
	}
	if (transport_has_socket_file(t))
		cr_expect_eq(lstat(path, &st), 0, "%s: no socket file while serving", t->scheme);
	cr_expect_eq(test_server_stop(&srv, p->sig), 0, "%s: %s did not make it exit 0:\n%s", t->scheme,
		     strsignal(p->sig), srv.errtext);
	for (int k = 0; k < 3; k++) {
		if (sock_is_connected(&c[k])) {
			cr_assert_eq(sock_set_recv_timeout(&c[k], TEST_WAIT_S * 1000), 0);
			ssize_t n = sock_recv(&c[k], buf, sizeof buf, NULL);
			cr_expect(n == 0 || (n < 0 && errno == ECONNRESET), "%s: client %d: %zd, not the end of the stream",
				  t->scheme, k, n);
		}
		sock_close(&c[k]);
	}
	errno = 0;
	cr_expect(lstat(path, &st) < 0 && errno == ENOENT, "%s: %s survived the server", t->scheme, path);
	test_rmdir(dir);
}

/* The unix transports, for the tests about socket files. */
static struct criterion_test_params unix_transports(void)
{
	static size_t idx[32];
	size_t n = 0;
	for (size_t i = 0; i < test_transport_count() && n < 32; i++)
		if (transport_has_socket_file(transport_registry[i]))
			idx[n++] = i;
	return cr_make_param_array(size_t, idx, n);
}

/* Makes a socket file at path that nobody listens on: bind, then close without unlink. */
static void stale_socket(const struct transport *t, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, t->type, 0);

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sun, sizeof sun) == 0, "%s: %s", path, strerror(errno));
	close(fd);
}

static void write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert(fd >= 0 && write(fd, "precious", 8) == 8, "%s: %s", path, strerror(errno));
	close(fd);
}

ParameterizedTestParameters(server, removes_only_its_own_file)
{
	return unix_transports();
}

/* If another file took the path while the server ran, the server leaves it alone when it stops. */
ParameterizedTest(size_t *i, server, removes_only_its_own_file)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	char dir[64], path[128];
	struct stat before, after;

	for (int regular = 0; regular <= 1; regular++) {
		test_tmpdir(dir, sizeof dir);
		snprintf(path, sizeof path, "%s/echo.sock", dir);
		cr_assert_eq(test_echo_server(&srv, t, dir), 0);
		cr_assert_eq(unlink(path), 0);
		if (regular)
			write_file(path);
		else
			stale_socket(t, path); /* say, a second server that started in the meantime */
		cr_assert_eq(lstat(path, &before), 0);
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
		cr_expect_eq(lstat(path, &after), 0, "%s: the server removed a %s it did not create", t->scheme,
			     regular ? "regular file" : "socket file");
		cr_expect(before.st_ino == after.st_ino && before.st_dev == after.st_dev);
		test_rmdir(dir);
	}
}

ParameterizedTestParameters(server, stale_socket_is_replaced)
{
	return unix_transports();
}

/* A socket file left by a server that died (nobody listens) is replaced, and removed at the end. */
ParameterizedTest(size_t *i, server, stale_socket_is_replaced)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64], path[128];
	struct stat st;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/echo.sock", dir);
	stale_socket(t, path);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0, "%s: a stale socket file stopped the server", t->scheme);
	const char *argv[] = { "socklab", "echo-client", srv.endpoint, "fresh", NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
	cr_expect_str_eq(r.out, "fresh\n");
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	errno = 0;
	cr_expect(lstat(path, &st) < 0 && errno == ENOENT);
	test_rmdir(dir);
}

ParameterizedTestParameters(server, live_address_is_refused)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A second server on a live address: exit 1, "address already in use"; the first is unharmed. */
ParameterizedTest(size_t *i, server, live_address_is_refused)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64], path[128], name[96], ep[160];
	struct stat before, after;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/echo.sock", dir);
	for (int abstract = 0; abstract <= (transport_has_socket_file(t)); abstract++) {
		if (abstract) {
			test_abstract_name("live", name, sizeof name);
			snprintf(ep, sizeof ep, "%s:@%s", t->scheme, name);
			const char *sv[] = { "socklab", "echo-server", "--quiet", ep, NULL };
			cr_assert_eq(test_server_start(&srv, sv), 0);
		} else {
			cr_assert_eq(test_echo_server(&srv, t, dir), 0);
		}
		if (transport_has_socket_file(t) && !abstract)
			cr_assert_eq(lstat(path, &before), 0);
		const char *second[] = { "socklab", "echo-server", srv.endpoint, NULL };
		cr_assert_eq(test_run(second, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 1, "%s: a second server on %s: exit %d", t->scheme, srv.endpoint, r.status);
		cr_expect(strstr(r.err, "address already in use") && strstr(r.err, srv.endpoint), "%s: %s", t->scheme, r.err);
		cr_expect(strchr(r.err, '\n') == r.err + r.errlen - 1, "%s: not one line: %s", t->scheme, r.err);
		test_run_free(&r);
		const char *client[] = { "socklab", "echo-client", srv.endpoint, "unharmed", NULL };
		cr_assert_eq(test_run(client, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 0, "%s: the first server stopped answering: %s", t->scheme, r.err);
		test_run_free(&r);
		if (transport_has_socket_file(t) && !abstract)
			cr_expect(lstat(path, &after) == 0 && after.st_ino == before.st_ino, "%s: the live socket file changed",
				  t->scheme);
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	}
	test_rmdir(dir);
}

ParameterizedTestParameters(server, never_removes_other_files)
{
	return unix_transports();
}

/* A regular file, a directory or a symlink at the path: refused, never removed, never followed. */
ParameterizedTest(size_t *i, server, never_removes_other_files)
{
	static const char *const kinds[] = { "regular file", "directory", "symlink to a file", "dangling symlink",
					     "symlink to a stale socket" };
	const struct transport *t = transport_registry[*i];
	char dir[64], path[128], target[128], ep[192], buf[16];
	struct run_result r;
	struct stat st;

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		test_tmpdir(dir, sizeof dir);
		snprintf(path, sizeof path, "%s/echo.sock", dir);
		snprintf(target, sizeof target, "%s/target", dir);
		switch (k) {
		case 0: write_file(path); break;
		case 1: cr_assert_eq(mkdir(path, 0700), 0); break;
		case 2: write_file(target); break;
		case 4: stale_socket(t, target); break;
		}
		if (k >= 2)
			cr_assert_eq(symlink(target, path), 0);
		snprintf(ep, sizeof ep, "%s:%s", t->scheme, path);
		const char *argv[] = { "socklab", "echo-server", ep, NULL };
		cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 1, "%s, %s: exit %d", t->scheme, kinds[k], r.status);
		cr_expect(strstr(r.err, "a file that is not a socket is in the way") && strstr(r.err, "never deletes it"),
			  "%s, %s: %s", t->scheme, kinds[k], r.err);
		cr_expect(strchr(r.err, '\n') == r.err + r.errlen - 1, "not one line: %s", r.err);
		test_run_free(&r);
		cr_assert_eq(lstat(path, &st), 0, "%s: the %s was removed", t->scheme, kinds[k]);
		cr_expect_eq(st.st_mode & S_IFMT, (mode_t)(k == 0 ? S_IFREG : k == 1 ? S_IFDIR : S_IFLNK), "%s", kinds[k]);
		const char *precious = k == 0 ? path : k == 2 ? target : NULL;
		if (precious) {
			int fd = open(precious, O_RDONLY);
			cr_expect(fd >= 0 && read(fd, buf, sizeof buf) == 8 && memcmp(buf, "precious", 8) == 0,
				  "%s: the content changed", kinds[k]);
			close(fd);
		}
		if (k == 3)
			cr_expect(lstat(target, &st) < 0, "a dangling symlink was followed: %s was created", target);
		if (k == 4)
			cr_expect(lstat(target, &st) == 0 && S_ISSOCK(st.st_mode), "the symlink's target was removed");
		test_rmdir(dir);
	}
}

ParameterizedTestParameters(server, abstract_names)
{
	return unix_transports();
}

/* @name lives in Linux's abstract namespace: it works, and no file appears anywhere. */
ParameterizedTest(size_t *i, server, abstract_names)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64], name[96], ep[160], expect[192];

	test_tmpdir(dir, sizeof dir);
	test_abstract_name("abstract", name, sizeof name);
	snprintf(ep, sizeof ep, "%s:@%s", t->scheme, name);
	/* The server runs in an empty directory, so that any file it made there would show. */
	const char *argv[] = { "sh", "-c", "cd \"$1\" && exec \"$2\" echo-server --quiet \"$3\"", "sh", dir,
			       test_socklab(), ep, NULL };
	cr_assert_eq(test_server_start(&srv, argv), 0, "%s: %s did not start", t->scheme, ep);
	cr_expect_str_eq(srv.endpoint, ep);
	const char *client[] = { "socklab", "echo-client", ep, "abstract", "names", NULL };
	cr_assert_eq(test_run(client, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
	cr_expect_str_eq(r.out, "abstract\nnames\n");
	test_run_free(&r);
	/* The kernel lists it in /proc/net/unix with an '@', while the server runs. */
	snprintf(expect, sizeof expect, "@%s\n", name);
	const char *cat[] = { "cat", "/proc/net/unix", NULL };
	cr_assert_eq(test_run(cat, NULL, 0, &r), 0);
	cr_expect(strstr(r.out, expect), "%s: @%s is not in /proc/net/unix", t->scheme, name);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	const char *ls[] = { "ls", "-A", dir, NULL };
	cr_assert_eq(test_run(ls, NULL, 0, &r), 0);
	cr_expect_str_eq(r.out, "", "%s: files appeared: %s", t->scheme, r.out);
	test_run_free(&r);
	test_rmdir(dir);
}
