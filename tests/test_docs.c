/* test_docs.c - every `console` block in README.md and docs/ pages, run and checked; and the runner's own tests. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "demos/netns.h"
#include "tests/support/docs_runner.h"
#include "tests/support/helpers.h"

#define CMD_TIMEOUT_MS 30000   /* a documented command taking longer has hung */
#define READY_TIMEOUT_MS 10000 /* a documented server not ready by then will not be */
#define STOP_TIMEOUT_MS 5000

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	size_t got = s ? fread(s, 1, (size_t)n, f) : 0;
	fclose(f);
	if (s)
		s[got] = '\0';
	return s;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The pages to run: $SOCKLAB_DOCS (space-separated paths) if set, else README.md and the docs/ pages in name order. */
static size_t pages(char ***out)
{
	char **list = NULL;
	size_t n = 0;
	const char *only = getenv("SOCKLAB_DOCS");

	if (only && *only) {
		char *copy = strdup(only), *save = NULL;
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			list = realloc(list, (n + 1) * sizeof *list);
			list[n++] = strdup(t);
		}
		free(copy);
	} else {
		DIR *d = opendir("docs");
		cr_assert(d, "no docs/ here (%s): run the tests from the repository's root", strerror(errno));
		for (struct dirent *e; (e = readdir(d)) != NULL;) {
			size_t len = strlen(e->d_name);
			if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0) {
				list = realloc(list, (n + 1) * sizeof *list);
				list[n] = malloc(len + 6);
				snprintf(list[n++], len + 6, "docs/%s", e->d_name);
			}
		}
		closedir(d);
		qsort(list, n, sizeof *list, by_name);
		if (access("README.md", R_OK) == 0) {
			list = realloc(list, (n + 1) * sizeof *list);
			memmove(list + 1, list, n * sizeof *list);
			list[0] = strdup("README.md");
			n++;
		}
	}
	*out = list;
	return n;
}

/*
 * Can this machine make a private network namespace, as `console netns`
 * blocks need (demos/netns.h)? NULL if it can, else the reason, which the
 * skipped blocks report. Asked in a child, which the namespace dies with.
 */
static const char *netns_refused(void)
{
	static char why[256];
	int p[2];

	if (pipe(p) < 0)
		return "pipe() failed";
	pid_t pid = fork();
	if (pid == 0) {
		char w[256];
		close(p[0]);
		int r = netns_enter_private(w, sizeof w);
		if (r < 0 && write(p[1], w, strlen(w)) < 0)
			_exit(2);
		_exit(r < 0);
	}
	close(p[1]);
	ssize_t n = pid < 0 ? -1 : read(p[0], why, sizeof why - 1);
	close(p[0]);
	int st = 0;
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return NULL;
	why[n > 0 ? n : 0] = '\0';
	return why[0] ? why : "no private network namespace here";
}

/*
 * The pages run in a network namespace of their own (demos/netns.h): their
 * fixed ports and abstract names are then theirs alone, and a server a reader
 * left running from the tour, or another program on the host, cannot make a
 * block fail. Where the kernel allows no namespace, they run on the host's.
 */
static void private_network(void)
{
	char why[512];

	if (netns_enter_private(why, sizeof why) < 0) /* information, not a warning: Criterion fails on warnings */
		cr_log_info("docs run on the host's network (%s): a server on a documented port makes its block fail", why);
}

static void run_pages(char **list, size_t n);

/* The real thing: every page, one after another, never in parallel (they share fixed ports). */
Test(docs, every_console_block, .timeout = 900)
{
	char **list;
	size_t n = pages(&list);

	private_network();
	run_pages(list, n);
}

/*
 * A reader's leftover servers on the tour's ports: the tour's blocks still
 * pass. The leftovers live in a namespace of this test's own, standing for
 * the host's, so that other programs on the host are not disturbed.
 */
Test(docs, a_leftover_server_is_no_matter, .timeout = 300)
{
	static const char script[] =
		"import socket, sys\n"
		"held = []\n"
		"for port in range(5600, 5606):\n"
		"    t = socket.socket(); t.bind(('127.0.0.1', port)); t.listen(); held.append(t)\n"
		"    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', port)); held.append(u)\n"
		"print('listening on tcp://127.0.0.1:5600', flush=True)\n"
		"sys.stdin.read()\n";
	struct test_peer py;
	char line[128], **list = malloc(sizeof *list);
	const char *argv[] = { "python3", "-c", script, NULL };
	char why[512];

	if (netns_enter_private(why, sizeof why) < 0)
		cr_skip_test("no private network namespace: %s", why);
	cr_assert_eq(test_peer_start(&py, argv), 0);
	cr_assert_eq(test_peer_wait_line(&py, 1, "listening on ", line, sizeof line), 0, "%s", py.errbuf);
	list[0] = strdup("docs/tour.md");
	private_network();
	run_pages(list, 1);
	test_peer_close_input(&py);
	test_peer_wait_exit(&py);
	test_peer_free(&py);
}

static void run_pages(char **list, size_t n)
{
	const struct docs_options opt = { test_socklab(), CMD_TIMEOUT_MS, READY_TIMEOUT_MS, STOP_TIMEOUT_MS,
					  netns_refused() };
	char *report = NULL, why[512];
	size_t blocks = 0, cmds = 0;
	int failures = 0;

	for (size_t i = 0; i < n; i++) {
		struct docs_page page;
		char *text = slurp(list[i]);
		if (!text) {
			cr_log_error("%s: %s", list[i], strerror(errno));
			failures++;
		} else if (docs_parse(text, list[i], &page, why, sizeof why) < 0) {
			cr_log_error("%s", why);
			failures++;
		} else {
			blocks += page.nblocks;
			for (size_t b = 0; b < page.nblocks; b++)
				cmds += page.blocks[b].ncmds;
			int f = docs_run_page(&page, &opt, &report);
			failures += f < 0 ? 1 : f;
		}
		if (text)
			docs_page_free(&page);
		free(text);
		free(list[i]);
	}
	free(list);
	if (report)
		fprintf(stderr, "%s", report);
	cr_log_info("docs: %zu blocks, %zu commands, %zu skipped (no network namespace)", blocks, cmds, docs_skipped);
	cr_expect_eq(failures, 0, "%d failing docs blocks (or pages):\n%s", failures, report ? report : "");
	free(report);
}

/* Runs text as a page with short time limits, on a machine that can (no_netns NULL) or cannot make namespaces. */
static int run_text_on(const char *text, const char *no_netns, char **report)
{
	const struct docs_options opt = { test_socklab(), 3000, 3000, 2000, no_netns };
	struct docs_page p;
	char why[256];

	*report = NULL;
	cr_assert_eq(docs_parse(text, "t.md", &p, why, sizeof why), 0, "%s", why);
	int f = docs_run_page(&p, &opt, report);
	docs_page_free(&p);
	return f;
}

/* As run_text_on(), where namespaces can be made; returns the failures and the report. */
static int run_text(const char *text, char **report)
{
	return run_text_on(text, NULL, report);
}

/* A `console netns` block runs where namespaces can be made, and is skipped, saying why, where they cannot. */
Test(docs_run, netns_blocks_are_skipped_only_without_namespaces)
{
	const char *text = "```console netns\n$ echo ran\nother\n```\n```console\n$ echo plain\nplain\n```\n";
	char *report;
	size_t skipped = docs_skipped;

	cr_expect_eq(run_text_on(text, NULL, &report), 1, "the netns block must run, and fail here: %s", report);
	cr_expect(report && strstr(report, "| ran"), "%s", report ? report : "");
	free(report);
	cr_expect_eq(run_text_on(text, "user namespaces are off", &report), 0, "%s", report ? report : "");
	cr_expect(report && strstr(report, "t.md:1: skipped: user namespaces are off"), "%s", report ? report : "");
	cr_expect_eq(docs_skipped, skipped + 1);
	free(report);
}

Test(docs_run, output_is_checked)
{
	char *report;

	cr_expect_eq(run_text("```console\n$ echo one; echo two >&2\none\ntwo\n$ printf 'a\\nb\\n'\na\n...\n```\n", &report),
		     0, "%s", report ? report : "");
	free(report);
	/* A difference fails, and the report names the file, the line, the command and both outputs. */
	cr_expect_eq(run_text("```console\n$ true\n$ echo actual\nexpected\n$ echo never-run\n```\n", &report), 1);
	cr_assert(report);
	cr_expect(strstr(report, "t.md:3: `echo actual`: the output differs"), "%s", report);
	cr_expect(strstr(report, "expected") && strstr(report, "| actual") && strstr(report, "(exit 0)"), "%s", report);
	cr_expect(!strstr(report, "never-run"), "a block stops at its first failure: %s", report);
	free(report);
}

Test(docs_run, each_block_has_a_fresh_directory_and_the_socklab_under_test)
{
	char *report;
	const char *text = "```console\n$ pwd\n/tmp/socklab-docs...\n$ touch f; ls\nf\n"
			   "$ command -v socklab\n/tmp/socklab-docs-bin.../socklab\n$ socklab --version\nsocklab ...\n```\n"
			   "```console\n$ ls\n```\n";

	cr_expect_eq(run_text(text, &report), 0, "%s", report ? report : "");
	free(report);
}

Test(docs_run, a_hung_command_is_killed)
{
	char *report;
	long long t0 = sys_now_ms();

	cr_expect_eq(run_text("```console\n$ echo started; sleep 60\nstarted\n```\n", &report), 1);
	cr_expect(report && strstr(report, "timed out: killed"), "%s", report ? report : "");
	cr_expect(report && strstr(report, "| started"), "the output so far is shown: %s", report ? report : "");
	cr_expect_lt(sys_now_ms() - t0, 10000);
	free(report);
}

/* A background job: ready on its first line, running during the block, stopped and reaped at its end. */
Test(docs_run, background_jobs_are_awaited_then_stopped)
{
	char dir[64], text[1024], path[128], *report;

	test_tmpdir(dir, sizeof dir);
	snprintf(text, sizeof text,
		 "```console\n"
		 "$ echo $$ > %s/pid; trap 'echo TERM > %s/term; exit 0' TERM; sleep 0.2; echo ready; echo more; sleep 60 & wait &\n"
		 "ready\n"
		 "$ cat %s/pid >/dev/null && echo after\n"
		 "after\n"
		 "```\n",
		 dir, dir, dir);
	long long t0 = sys_now_ms();
	cr_expect_eq(run_text(text, &report), 0, "%s", report ? report : "");
	cr_expect_lt(sys_now_ms() - t0, 1500, "SIGTERM should have stopped it at once");
	free(report);
	snprintf(path, sizeof path, "%s/term", dir);
	cr_expect_eq(access(path, F_OK), 0, "the background job never got SIGTERM");
	snprintf(path, sizeof path, "%s/pid", dir);
	FILE *f = fopen(path, "r");
	int pid = 0;
	cr_assert(f && fscanf(f, "%d", &pid) == 1);
	fclose(f);
	cr_expect(kill(pid, 0) < 0 && errno == ESRCH, "the background job %d is still there", pid);

	/* The wrong first line, or none at all, fails the block. */
	cr_expect_eq(run_text("```console\n$ echo oops &\nready\n```\n", &report), 1);
	cr_expect(report && strstr(report, "| oops"), "%s", report ? report : "");
	free(report);
	cr_expect_eq(run_text("```console\n$ true &\nready\n```\n", &report), 1);
	cr_expect(report && strstr(report, "ended without printing"), "%s", report ? report : "");
	free(report);
	test_rmdir(dir);
}
