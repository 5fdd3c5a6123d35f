/* docs_runner.c - run each `console` block's commands in a fresh directory and compare what they print. */
#include "docs_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define OUTPUT_MAX (1 << 20) /* a command printing more than this is cut off (and will not match) */
#define SHOW_MAX 40          /* lines of expected and actual output shown in a report */
#define TICK_MS 100          /* how often a wait also checks whether the command has exited */

/* A command started by the runner: in a process group of its own, output on one pipe. */
struct job {
	pid_t pid;
	int out;  /* read end of its merged standard output and error; -1 once at end of file */
	int line; /* where the page shows it */
};

struct run {
	const struct docs_options *opt;
	const char *path;
	const char *dir;      /* the block's working directory */
	const char *bindir;   /* holds the "socklab" link, first on PATH */
	struct job bg[16];
	size_t nbg;
	char **report;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void appendf(char **s, const char *fmt, ...)
{
	va_list ap;
	size_t old = *s ? strlen(*s) : 0;

	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = realloc(*s, old + (size_t)n + 1);
	if (!p)
		abort();
	va_start(ap, fmt);
	vsnprintf(p + old, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*s = p;
}

static int start(struct run *r, const char *text, int line, struct job *j)
{
	int p[2];

	if (pipe(p) < 0)
		return -1;
	j->line = line;
	j->pid = fork();
	if (j->pid < 0) {
		close(p[0]), close(p[1]);
		return -1;
	}
	if (j->pid == 0) {
		char path[8192];
		const char *old = getenv("PATH");
		setpgid(0, 0);
		snprintf(path, sizeof path, "%s:%s", r->bindir, old ? old : "/usr/bin:/bin");
		setenv("PATH", path, 1);
		setenv("LC_ALL", "C", 1); /* error messages in the words the docs show */
		unsetenv("COLUMNS");      /* text that fits a terminal: the docs show what a pipe gets, 80 columns */
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0 || chdir(r->dir) < 0)
			_exit(126);
		close(null), close(p[0]), close(p[1]);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", text, (char *)NULL);
		_exit(127);
	}
	setpgid(j->pid, j->pid); /* also here, so that no signal can miss the group */
	close(p[1]);
	j->out = p[0];
	return 0;
}

/* Reads what is there from fd into buf (when buf is NULL, discards it). Returns 0 at end of file, 1 otherwise. */
static int drain(int fd, char **buf, size_t *len)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof tmp);

	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	if (buf && *len < OUTPUT_MAX) {
		size_t take = *len + (size_t)n > OUTPUT_MAX ? OUTPUT_MAX - *len : (size_t)n;
		char *p = realloc(*buf, *len + take + 1);
		if (!p)
			abort();
		memcpy(p + *len, tmp, take);
		*len += take;
		p[*len] = '\0';
		*buf = p;
	}
	return 1;
}

/*
 * Waits for job j's output: until end of file (the command and everything it
 * started have finished), or, when until_line, until its first newline.
 * Background jobs' output is read meanwhile, so that they never block on a
 * full pipe. Returns 0, or -1 on timeout. *exited is set once j has exited.
 */
static int collect(struct run *r, struct job *j, int until_line, int timeout_ms, char **out, size_t *len, int *status,
		   int *exited)
{
	long long deadline = now_ms() + timeout_ms;

	while (j->out >= 0 && !(until_line && *out && strchr(*out, '\n'))) {
		struct pollfd p[17] = { { .fd = j->out, .events = POLLIN } };
		for (size_t i = 0; i < r->nbg; i++)
			p[i + 1] = (struct pollfd){ .fd = r->bg[i].out, .events = POLLIN };
		long long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		int n = poll(p, r->nbg + 1, left < TICK_MS ? (int)left : TICK_MS);
		if (n < 0 && errno != EINTR)
			return -1;
		for (size_t i = 0; n > 0 && i < r->nbg; i++)
			if (p[i + 1].revents && !drain(r->bg[i].out, NULL, NULL))
				close(r->bg[i].out), r->bg[i].out = -1;
		if (n > 0 && p[0].revents && !drain(j->out, out, len))
			close(j->out), j->out = -1;
		if (!*exited && waitpid(j->pid, status, WNOHANG) == j->pid)
			*exited = 1;
		/* It exited, and something it left running in the background still holds the pipe: stop reading. */
		if (*exited && n == 0)
			break;
	}
	return 0;
}

/* Waits at most timeout_ms for pid to exit. Returns 1 when it has (status filled), 0 if not. */
static int wait_exit(pid_t pid, int timeout_ms, int *status)
{
	for (long long deadline = now_ms() + timeout_ms;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 1;
		if ((w < 0 && errno != EINTR) || now_ms() > deadline)
			return 0;
		poll(NULL, 0, 10); /* its output is closed: nothing to wait on but the exit itself */
	}
}

/* SIGTERM to the job's whole process group, then waits, reading its output; SIGKILL if it will not go. */
static void stop_job(const struct run *r, struct job *j, int exited)
{
	long long deadline = now_ms() + r->opt->stop_timeout_ms;
	int status;

	kill(-j->pid, SIGTERM);
	while (!exited) {
		pid_t w = waitpid(j->pid, &status, WNOHANG);
		if (w == j->pid || (w < 0 && errno != EINTR))
			break;
		long long left = deadline - now_ms();
		if (left <= 0) {
			kill(-j->pid, SIGKILL);
			waitpid(j->pid, &status, 0);
			break;
		}
		/* Its output reaches end of file when it exits; with no output left, look again soon. */
		struct pollfd p = { .fd = j->out, .events = POLLIN };
		int tick = j->out >= 0 ? TICK_MS : 10;
		if (poll(&p, 1, left < tick ? (int)left : tick) > 0 && !drain(j->out, NULL, NULL))
			close(j->out), j->out = -1;
	}
	kill(-j->pid, SIGKILL); /* anything the command left running in its group */
	if (j->out >= 0)
		close(j->out);
	j->out = -1;
}

static void report(struct run *r, const struct docs_cmd *c, const char *why, char **actual, size_t nactual, int status)
{
	appendf(r->report, "%s:%d: `%s%s`: %s\n  expected:\n", r->path, c->line, c->text, c->background ? " &" : "", why);
	for (size_t i = 0; i < c->nexpect && i < SHOW_MAX; i++)
		appendf(r->report, "    %4d | %s\n", c->line + 1 + (int)i, c->expect[i]);
	appendf(r->report, "  actual");
	if (status >= 0)
		appendf(r->report, " (exit %d)", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	appendf(r->report, ":\n");
	for (size_t i = 0; i < nactual && i < SHOW_MAX; i++)
		appendf(r->report, "         | %s\n", actual[i]);
	if (nactual > SHOW_MAX)
		appendf(r->report, "         (%zu more lines)\n", nactual - SHOW_MAX);
}

/* Runs one command. Returns 0 when its output matches, -1 (reported) when not. */
static int run_cmd(struct run *r, const struct docs_cmd *c)
{
	struct job j;
	char *out = NULL;
	size_t len = 0, nlines = 0;
	int status = -1, exited = 0, rc = -1;
	const char *why = "the output differs";

	if (c->background && r->nbg == sizeof r->bg / sizeof r->bg[0]) {
		report(r, c, "too many background commands in one block", NULL, 0, -1);
		return -1;
	}
	if (start(r, c->text, c->line, &j) < 0) {
		report(r, c, strerror(errno), NULL, 0, -1);
		return -1;
	}
	int timeout = c->background ? r->opt->ready_timeout_ms : r->opt->cmd_timeout_ms;
	int timed_out = collect(r, &j, c->background, timeout, &out, &len, &status, &exited) < 0;
	char **lines = docs_split_lines(out, &nlines);
	if (c->background) {
		/* Only the first line counts: it says the job is ready. The job runs on until the block ends. */
		if (timed_out)
			why = "no first line of output in time (a background command must print one when ready)";
		else if (nlines == 0)
			why = "it ended without printing a line";
		else if (!docs_line_matches(c->expect[0], lines[0]))
			nlines = 1;
		else
			rc = 0;
		if (rc < 0)
			stop_job(r, &j, exited);
		else
			r->bg[r->nbg++] = j;
	} else {
		if (timed_out)
			why = "timed out: killed";
		else if (docs_lines_match(c->expect, c->nexpect, lines, nlines))
			rc = 0;
		if (!exited && !timed_out)
			exited = wait_exit(j.pid, r->opt->stop_timeout_ms, &status);
		stop_job(r, &j, exited);
	}
	if (rc < 0)
		report(r, c, why, lines, nlines, exited ? status : -1);
	free(lines);
	free(out);
	return rc;
}

static int run_block(struct run *r, const struct docs_block *b)
{
	char dir[] = "/tmp/socklab-docs.XXXXXX";
	int rc = 0;

	if (!mkdtemp(dir))
		return -1;
	r->dir = dir;
	r->nbg = 0;
	for (size_t i = 0; i < b->ncmds && rc == 0; i++)
		rc = run_cmd(r, &b->cmds[i]);
	for (size_t i = 0; i < r->nbg; i++)
		stop_job(r, &r->bg[i], 0);
	r->nbg = 0;
	test_rmdir(dir);
	return rc;
}

size_t docs_skipped;

int docs_run_page(const struct docs_page *page, const struct docs_options *opt, char **report)
{
	char bindir[] = "/tmp/socklab-docs-bin.XXXXXX", link[PATH_MAX + 64], target[PATH_MAX] = "";
	struct run r = { .opt = opt, .path = page->path, .report = report };
	int failures = 0;

	char cwd[PATH_MAX];
	if (opt->socklab[0] == '/')
		snprintf(target, sizeof target, "%s", opt->socklab);
	else if (getcwd(cwd, sizeof cwd))
		snprintf(target, sizeof target, "%.2000s/%.2000s", cwd, opt->socklab);
	if (access(target, X_OK) < 0) {
		appendf(report, "%s: the socklab under test, %s: %s\n", page->path, opt->socklab, strerror(errno));
		return -1;
	}
	if (!mkdtemp(bindir))
		return -1;
	snprintf(link, sizeof link, "%s/socklab", bindir);
	if (symlink(target, link) < 0) {
		rmdir(bindir);
		return -1;
	}
	r.bindir = bindir;
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < page->nblocks; i++) {
		if (page->blocks[i].netns && opt->no_netns) {
			appendf(report, "%s:%d: skipped: %s\n", page->path, page->blocks[i].line, opt->no_netns);
			docs_skipped++;
		} else if (run_block(&r, &page->blocks[i]) != 0) {
			failures++;
		}
	}
	test_rmdir(bindir);
	return failures;
}
