/* helpers_rdt.c - socklab send and recv over rdt through the impairment layer's loss, for the transfer tests. */
#include "helpers_rdt.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "helpers_transfer.h"

/*
 * socklab send --size SIZE ENDPOINT FILE, waited for without test_run's TEST_WAIT_S (a
 * transfer through loss takes longer): its exit code and standard error in *r.
 */
static void run_send(const char *ep, const char *file, const char *dir, size_t size, struct run_result *r)
{
	char errpath[128], sz[32];
	int st = 0;

	memset(r, 0, sizeof *r);
	snprintf(errpath, sizeof errpath, "%s/send.err", dir);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600), null = open("/dev/null", O_RDWR);
		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		snprintf(sz, sizeof sz, "%zu", size ? size : 1400);
		execl(test_socklab(), "socklab", "send", "--timeout", "60", "--size", sz, ep, file, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		cr_assert_eq(errno, EINTR);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	FILE *f = fopen(errpath, "r");
	r->err = calloc(1, 1 << 16);
	cr_assert(r->err);
	if (f) {
		r->errlen = fread(r->err, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	unlink(errpath);
}

void rdt_transfer(const char *arq, size_t bytes, double drop, size_t size, struct rdt_transfer_run *run)
{
	char dir[64], in[128], out[128], ep[256], sendep[ENDPOINT_FORMAT_MAX + 64], line[96];
	struct test_server srv;
	struct run_result r;

	memset(run, 0, sizeof *run);
	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	uint32_t sum = test_make_file(in, bytes, 7);
	snprintf(ep, sizeof ep, "rdt://127.0.0.1:0?arq=%s&drop=%g&seed=1", arq, drop);
	const char *recv[] = { "socklab", "recv", "--timeout", "60", ep, out, NULL };
	cr_assert_eq(test_server_start(&srv, recv), 0, "recv did not start");
	snprintf(sendep, sizeof sendep, "%s?arq=%s&drop=%g&seed=2", srv.endpoint, arq, drop);
	long long t0 = sys_now_ms();
	run_send(sendep, in, dir, size, &r); /* as long as it takes: the test's own timeout bounds it */
	run->seconds = (double)(sys_now_ms() - t0) / 1000.0;
	run->recv_ok = test_server_stop(&srv, 0) == 0; /* it ends by itself after one transfer */
	char *log = test_server_stderr(&srv);
	snprintf(line, sizeof line, "cksum %lu %zu", (unsigned long)sum, bytes);
	run->sent_ok = r.status == 0 && strstr(r.err, line) && strstr(log, line);
	if (!run->sent_ok || !run->recv_ok)
		cr_log_error("arq=%s: send exit %d: %s\nrecv: %s", arq, r.status, r.err, log);
	run->same = test_same_file(in, out);
	free(log);
	test_run_free(&r);
	test_rmdir(dir);
}
