/* helpers.c - run socklab and other programs from tests, and wait on them without sleeping. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sys/sys.h"

size_t test_transport_count(void)
{
	size_t n = 0;
	while (transport_registry[n])
		n++;
	return n;
}

size_t *test_transport_indexes(void)
{
	static size_t idx[32];
	for (size_t i = 0; i < test_transport_count() && i < 32; i++)
		idx[i] = i;
	return idx;
}

const char *test_socklab(void)
{
	const char *p = getenv("SOCKLAB");
	return p && *p ? p : "build/socklab";
}

/* Paths a test that fails half-way would leave in /tmp: removed when the test's process exits. */
static char leftovers[64][256];
static int nleftovers;
static pid_t leftovers_owner;

static void remove_leftovers(void)
{
	struct stat st;

	if (getpid() != leftovers_owner)
		return; /* a forked child that called exit(): the paths are its parent's */
	for (int i = 0; i < nleftovers; i++)
		if (lstat(leftovers[i], &st) == 0) {
			if (S_ISDIR(st.st_mode))
				test_rmdir(leftovers[i]);
			else
				unlink(leftovers[i]);
		}
}

static void remove_at_exit(const char *path)
{
	if (leftovers_owner != getpid()) {
		leftovers_owner = getpid();
		nleftovers = 0;
		atexit(remove_leftovers);
	}
	if (nleftovers == 64) { /* keep only what still exists */
		struct stat st;
		int n = 0;
		for (int i = 0; i < 64; i++)
			if (lstat(leftovers[i], &st) == 0)
				memmove(leftovers[n++], leftovers[i], sizeof leftovers[0]);
		nleftovers = n;
	}
	if (nleftovers < 64)
		snprintf(leftovers[nleftovers++], sizeof leftovers[0], "%s", path);
}

void test_tmpdir(char *out, size_t len)
{
	snprintf(out, len, "/tmp/socklab-test.XXXXXX");
	if (!mkdtemp(out))
		out[0] = '\0';
	else
		remove_at_exit(out);
}

void test_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			test_rmdir(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void test_server_endpoint(const struct transport *t, const char *dir, const char *name, char *out, size_t len)
{
	endpoint_local(t, dir, name, out, len);
}

/* argv[0] "socklab" is the program under test; anything else is found on PATH. */
static void exec_argv(const char *const argv[])
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a test that fails half-way leaves no server running */
#endif
	const char *prog = strcmp(argv[0], "socklab") == 0 ? test_socklab() : argv[0];
	execvp(prog, (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
	_exit(127);
}

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

int test_run_within(const char *const argv[], const void *input, size_t inlen, int seconds, struct run_result *r)
{
	int in[2], out[2], err[2];
	size_t outcap = 0, errcap = 0, sent = 0;

	memset(r, 0, sizeof *r);
	append(&r->out, &r->outlen, &outcap, "", 0);
	append(&r->err, &r->errlen, &errcap, "", 0);
	if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		exec_argv(argv);
	}
	close(in[0]), close(out[1]), close(err[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	if (inlen == 0)
		close(in[1]), in[1] = -1;
	long long deadline = sys_now_ms() + seconds * 1000LL;
	int open_fds = 2;
	while (open_fds > 0 && sys_now_ms() < deadline) {
		struct pollfd p[3] = { { .fd = out[0], .events = POLLIN }, { .fd = err[0], .events = POLLIN },
				       { .fd = in[1], .events = POLLOUT } };
		if (poll(p, in[1] >= 0 ? 3 : 2, 200) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				char buf[65536];
				ssize_t n = read(p[i].fd, buf, sizeof buf);
				if (n <= 0) {
					close(i == 0 ? out[0] : err[0]);
					if (i == 0)
						out[0] = -1;
					else
						err[0] = -1;
					open_fds--;
				} else if (i == 0) {
					append(&r->out, &r->outlen, &outcap, buf, (size_t)n);
				} else {
					append(&r->err, &r->errlen, &errcap, buf, (size_t)n);
				}
			}
		if (in[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t n = write(in[1], (const char *)input + sent, inlen - sent);
			if (n > 0)
				sent += (size_t)n;
			if (n < 0 || sent == inlen)
				close(in[1]), in[1] = -1;
		}
	}
	if (open_fds > 0)
		kill(pid, SIGKILL);
	int st = 0;
	waitpid(pid, &st, 0);
	r->status = status_code(st);
	if (in[1] >= 0)
		close(in[1]);
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	return 0;
}

int test_run(const char *const argv[], const void *input, size_t inlen, struct run_result *r)
{
	return test_run_within(argv, input, inlen, TEST_WAIT_S, r);
}

void test_run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* Reads one line from fd, waiting at most TEST_WAIT_S in total. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	long long deadline = sys_now_ms() + TEST_WAIT_S * 1000LL;

	while (n + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - sys_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		ssize_t r = read(fd, buf + n, 1);
		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

int test_server_start(struct test_server *s, const char *const argv[])
{
	int out[2];
	static int seq;
	char line[512];

	memset(s, 0, sizeof *s);
	snprintf(s->errpath, sizeof s->errpath, "/tmp/socklab-test-err.%d.%d", (int)getpid(), seq++);
	remove_at_exit(s->errpath);
	if (pipe(out) < 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		int err = open(s->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err, 2);
		close(out[0]), close(out[1]), close(err), close(null);
		exec_argv(argv);
	}
	close(out[1]);
	s->out = out[0];
	if (read_line(s->out, line, sizeof line) < 0 || strncmp(line, "listening on ", 13) != 0) {
		test_server_stop(s, SIGKILL);
		return -1;
	}
	snprintf(s->endpoint, sizeof s->endpoint, "%.*s", (int)sizeof s->endpoint - 1, line + 13);
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	size_t cap = f && fstat(fileno(f), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : 1;
	char *buf = calloc(1, cap);
	if (f && buf) {
		size_t n = fread(buf, 1, cap - 1, f);
		buf[n] = '\0';
	}
	if (f)
		fclose(f);
	return buf;
}

/* Every errtext read, freed as the test process exits: a test may look at srv.errtext until its end. */
static char **kept;
static size_t nkept;

static void free_kept(void)
{
	for (size_t i = 0; i < nkept; i++)
		free(kept[i]);
	free(kept);
}

static char *keep(char *text)
{
	char **k = realloc(kept, (nkept + 1) * sizeof *k);

	if (!k)
		return text;
	if (nkept == 0)
		atexit(free_kept);
	kept = k;
	kept[nkept++] = text;
	return text;
}

int test_server_stop(struct test_server *s, int sig)
{
	int st = 0;
	char drain[4096];

	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	/* Its standard output closes when it exits: wait for that, at most TEST_WAIT_S. */
	for (long long deadline = sys_now_ms() + TEST_WAIT_S * 1000LL;;) {
		struct pollfd p = { .fd = s->out, .events = POLLIN };
		long long left = deadline - sys_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			kill(s->pid, SIGKILL); /* it ignored the signal: the test sees 128 + 9 */
			break;
		}
		if (read(s->out, drain, sizeof drain) <= 0)
			break;
	}
	waitpid(s->pid, &st, 0);
	close(s->out);
	s->pid = 0;
	s->errtext = keep(read_file(s->errpath));
	unlink(s->errpath);
	return status_code(st);
}

char *test_server_stderr(const struct test_server *s)
{
	return s->errtext ? strdup(s->errtext) : read_file(s->errpath);
}

int test_echo_server(struct test_server *s, const struct transport *t, const char *dir)
{
	char ep[256];

	test_server_endpoint(t, dir, "echo", ep, sizeof ep);
	const char *argv[] = { "socklab", "echo-server", "--quiet", ep, NULL };
	return test_server_start(s, argv);
}

int test_open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own descriptor */
}
