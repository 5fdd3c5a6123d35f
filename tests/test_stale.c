/* test_stale.c - the stale-socket check: two servers on one path at once, a full accept queue, another user's socket, the lock file. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "tests/support/robust.h"

#define NOBODY 65534

/* Each test runs over every unix transport. */
#define OVER_UNIX_TRANSPORTS(name)                                                              \
	ParameterizedTestParameters(stale, name)                                                \
	{                                                                                       \
		return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count()); \
	}

/* The endpoint and address of DIR/s.sock for t. */
static void where(const struct transport *t, const char *dir, struct endpoint *ep, struct addr *a)
{
	char text[200], why[128];
	size_t n;

	snprintf(text, sizeof text, "%s:%s/s.sock", t->scheme, dir);
	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, ep, why, sizeof why), 0, "%s", why);
	cr_assert_eq(endpoint_resolve(ep, ENDPOINT_SERVER, a, 1, &n), 0);
}

static ino_t inode(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

/*
 * Two servers on one path, the second starting while the first has bound
 * and not yet listened: a connect() would be refused, and the first one's
 * file taken for stale. The lock says it is not. Deterministic: the first
 * stops between its two steps.
 */
OVER_UNIX_TRANSPORTS(second_server_never_takes_a_bound_file)
ParameterizedTest(size_t *i, stale, second_server_never_takes_a_bound_file)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], path[128], lock[140], text[200];
	struct endpoint ep;
	struct addr a;
	struct sock first, second, c;
	int gai;

	test_tmpdir(dir, sizeof dir);
	where(t, dir, &ep, &a);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	sock_init(&first);
	cr_assert_eq(sock_bind(&first, t, &a), 0, "%s: %s", t->scheme, strerror(errno));
	ino_t mine = inode(path);
	cr_expect(S_ISREG(file_mode(lock)), "%s: no lock file beside the socket", t->scheme);
	cr_expect_eq(sock_listen_endpoint(&second, &ep, 4, &gai), -1, "%s: a second server took the path", t->scheme);
	cr_expect_eq(errno, EADDRINUSE, "%s: %s", t->scheme, strerror(errno));
	cr_expect_eq(inode(path), mine, "%s: the first server's file was removed", t->scheme);
	if (sock_is_connected(&first))
		cr_assert_eq(sock_listen(&first, 4), 0);
	snprintf(text, sizeof text, "%s:%s", t->scheme, path);
	cr_assert_eq(test_dial(&c, text), 0, "%s: the first server cannot be reached", t->scheme);
	sock_close(&c);
	sock_close(&first);
	cr_expect_eq(file_mode(path), 0, "%s: socket file left", t->scheme);
	cr_expect_eq(file_mode(lock), 0, "%s: lock file left", t->scheme);
	test_rmdir(dir);
}

/* Servers started at the same instant on one path: exactly one listens, and it is the one that can be reached. */
OVER_UNIX_TRANSPORTS(servers_started_at_once)
ParameterizedTest(size_t *i, stale, servers_started_at_once)
{
	enum { SERVERS = 6 };
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[200];

	test_tmpdir(dir, sizeof dir);
	snprintf(ep, sizeof ep, "%s:%s/s.sock", t->scheme, dir);
	for (int round = 0; round < 5; round++) {
		int go[2], out[SERVERS][2];
		pid_t pid[SERVERS];
		cr_assert(pipe(go) == 0);
		for (int k = 0; k < SERVERS; k++) {
			cr_assert(pipe(out[k]) == 0);
			if ((pid[k] = fork()) == 0) {
				char c;
				int null = open("/dev/null", O_WRONLY);
				dup2(out[k][1], 1);
				dup2(null, 2); /* "address already in use", five times */
				close(go[1]);
				if (read(go[0], &c, 1) < 0) /* every one waits here, then all go at once */
					_exit(99);
				execl(test_socklab(), "socklab", "echo-server", "--quiet", ep, (char *)NULL);
				_exit(127);
			}
			close(out[k][1]);
		}
		close(go[0]);
		close(go[1]); /* go */
		int listening = -1, refused = 0;
		for (int k = 0; k < SERVERS; k++) {
			char line[256] = "";
			ssize_t n = test_readable(out[k][0]) ? read(out[k][0], line, sizeof line - 1) : -1;
			if (n > 0 && strncmp(line, "listening on ", 13) == 0) {
				cr_expect_eq(listening, -1, "%s: two servers listen on one path", t->scheme);
				listening = k;
			} else {
				int st;
				waitpid(pid[k], &st, 0);
				refused += WIFEXITED(st) && WEXITSTATUS(st) == 1;
				pid[k] = 0;
			}
		}
		cr_expect_neq(listening, -1, "%s: none listens", t->scheme);
		cr_expect_eq(refused, SERVERS - 1, "%s: %d refused", t->scheme, refused);
		struct sock c;
		cr_expect_eq(test_dial(&c, ep), 0, "%s: the one listening cannot be reached", t->scheme);
		cr_expect_eq(test_echo_once(&c, "x", 1), 0, "%s", t->scheme);
		sock_close(&c);
		for (int k = 0; k < SERVERS; k++) {
			if (pid[k]) {
				int st;
				kill(pid[k], SIGTERM);
				waitpid(pid[k], &st, 0);
			}
			close(out[k][0]);
		}
	}
	char listing[256];
	dir_listing(dir, listing, sizeof listing);
	cr_expect_str_eq(listing, "./../", "%s: left in the directory: %s", t->scheme, listing);
	test_rmdir(dir);
}

/* A foreign socket (no lock: not socklab's) bound at DIR/s.sock, listening with a backlog of 0 when connected. */
static int foreign(const struct transport *t, const struct addr *a)
{
	int fd = socket(AF_UNIX, t->type, 0);

	cr_assert(fd >= 0 && bind(fd, (const struct sockaddr *)&a->ss, a->len) == 0);
	if (transport_is_connected(t))
		cr_assert(listen(fd, 0) == 0);
	return fd;
}

/*
 * A live server (not socklab's, so without a lock) whose accept queue is
 * full: a blocking connect() would wait for ever. The check must answer at
 * once that the path is in use, and leave the file alone.
 */
OVER_UNIX_TRANSPORTS(full_accept_queue_is_in_use)
ParameterizedTest(size_t *i, stale, full_accept_queue_is_in_use, .timeout = 20)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], path[128];
	struct endpoint ep;
	struct addr a;
	struct sock s;
	int gai, queued[64], n = 0;

	test_tmpdir(dir, sizeof dir);
	where(t, dir, &ep, &a);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	int fd = foreign(t, &a);
	ino_t theirs = inode(path);
	while (transport_is_connected(t) && n < 64) { /* fill the queue: until a connect() would wait */
		queued[n] = socket(AF_UNIX, t->type | SOCK_NONBLOCK, 0);
		if (connect(queued[n], (const struct sockaddr *)&a.ss, a.len) < 0) {
			cr_assert(errno == EAGAIN, "%s: %s", t->scheme, strerror(errno));
			close(queued[n]);
			break;
		}
		n++;
	}
	long long t0 = sys_now_ms();
	cr_expect_eq(sock_listen_endpoint(&s, &ep, 4, &gai), -1, "%s: took a live server's path", t->scheme);
	cr_expect_eq(errno, EADDRINUSE, "%s: %s", t->scheme, strerror(errno));
	cr_expect_lt(sys_now_ms() - t0, 1000, "%s: the check waited", t->scheme);
	cr_expect_eq(inode(path), theirs, "%s: their file was touched", t->scheme);
	while (n > 0)
		close(queued[--n]);
	close(fd);
	/* Now it is stale: its server is gone. The next server removes it, and its lock file goes with it at the end. */
	cr_assert_eq(sock_listen_endpoint(&s, &ep, 4, &gai), 0, "%s: %s", t->scheme, strerror(errno));
	sock_close(&s);
	char listing[256];
	dir_listing(dir, listing, sizeof listing);
	cr_expect_str_eq(listing, "./../", "%s: left: %s", t->scheme, listing);
	test_rmdir(dir);
}

/* A server killed without a chance to clean up leaves its socket file and its lock file: the next one takes both. */
OVER_UNIX_TRANSPORTS(killed_server_leaves_nothing_in_the_way)
ParameterizedTest(size_t *i, stale, killed_server_leaves_nothing_in_the_way)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	char dir[64], listing[256];

	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(start_unix_echo(&srv, t, dir, 022, NULL), 0);
	cr_expect_eq(test_server_stop(&srv, SIGKILL), 128 + SIGKILL);
	dir_listing(dir, listing, sizeof listing);
	cr_expect_str_eq(listing, "./../s.sock/s.sock.lock/", "%s: %s", t->scheme, listing);
	cr_assert_eq(start_unix_echo(&srv, t, dir, 022, NULL), 0, "%s: the stale files stopped the next server", t->scheme);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	dir_listing(dir, listing, sizeof listing);
	cr_expect_str_eq(listing, "./../", "%s: left: %s", t->scheme, listing);
	test_rmdir(dir);
}

/*
 * Another user's socket file, dead or alive: this user's connect() is
 * refused by permission (EACCES), so nobody can tell whether it is in use.
 * Say so, and leave it: not "another server is using that address".
 */
OVER_UNIX_TRANSPORTS(another_users_socket)
ParameterizedTest(size_t *i, stale, another_users_socket)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], path[128];
	struct endpoint ep;
	struct addr a;
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root, to be another user");
	test_tmpdir(dir, sizeof dir);
	cr_assert(chmod(dir, 01777) == 0); /* like /tmp */
	where(t, dir, &ep, &a);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	close(foreign(t, &a)); /* root's, and dead */
	cr_assert(chmod(path, 0755) == 0);
	ino_t theirs = inode(path);
	pid_t pid = fork();
	if (pid == 0) {
		struct sock s;
		int gai;
		if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(100);
		_exit(sock_listen_endpoint(&s, &ep, 4, &gai) == 0 ? 0 : errno == SL_ESOCKET_DENIED ? 1 : 2);
	}
	cr_assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	cr_expect_eq(WEXITSTATUS(st), 1, "%s: not SL_ESOCKET_DENIED (exit %d)", t->scheme, WEXITSTATUS(st));
	cr_expect_eq(inode(path), theirs, "%s: their file was touched", t->scheme);
	test_rmdir(dir);
}

/* What may be at PATH.lock instead of a lock file: refused, left as it was, and the socket path untouched. */
OVER_UNIX_TRANSPORTS(lock_path_obstacles)
ParameterizedTest(size_t *i, stale, lock_path_obstacles)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], path[128], lock[140], target[160];
	struct endpoint ep;
	struct addr a;
	struct sock s;
	int gai;

	test_tmpdir(dir, sizeof dir);
	where(t, dir, &ep, &a);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(lock, sizeof lock, "%s.lock", path);
	snprintf(target, sizeof target, "%s/target", dir);
	for (int k = 0; k < 3; k++) {
		if (k == 0)
			cr_assert(symlink(target, lock) == 0);
		else if (k == 1)
			cr_assert(mkdir(lock, 0755) == 0);
		else
			cr_assert(mkfifo(lock, 0644) == 0);
		mode_t before = file_mode(lock);
		cr_expect_eq(sock_listen_endpoint(&s, &ep, 4, &gai), -1, "%s: obstacle %d taken for a lock", t->scheme, k);
		cr_expect(errno == SL_EBADLOCK || (k == 1 && errno == EISDIR), "%s, obstacle %d: %s", t->scheme, k,
			  strerror(errno));
		cr_expect_eq(file_mode(lock), before, "%s: obstacle %d changed", t->scheme, k);
		cr_expect_eq(file_mode(target), 0, "%s: followed the symlink", t->scheme);
		cr_expect_eq(file_mode(path), 0, "%s: bound anyway", t->scheme);
		if (k == 1)
			rmdir(lock);
		else
			unlink(lock);
	}
	test_rmdir(dir);
}
