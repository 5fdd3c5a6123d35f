/* test_pitfalls_fds.c - the descriptor pitfalls: each happens as it says, with the numbers it prints, and leaks nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers.h"

/*
 * Runs `socklab pitfalls name` into *r and checks it ran, and (balanced) that its last count shows
 * nothing left open.
 */
static void run_pitfall(const char *name, struct run_result *r, int balanced)
{
	const char *argv[] = { "socklab", "pitfalls", name, NULL };
	const char *last = NULL;
	int before = -1, after = -2;

	cr_assert_eq(test_run(argv, NULL, 0, r), 0);
	cr_assert_eq(r->status, 0, "%s: %s%s", name, r->out, r->err);
	cr_expect_str_empty(r->err, "%s: %s", name, r->err);
	for (const char *p = r->out; (p = strstr(p, "descriptors open in this process: ")) != NULL; p++)
		last = p;
	cr_assert(last, "%s: no count: %s", name, r->out);
	cr_expect_eq(sscanf(last, "descriptors open in this process: %d before, %d after", &before, &after), 2);
	if (balanced)
		cr_expect_eq(before, after, "%s leaves descriptors open: %s", name, last);
}

static void pitfall(const char *name, struct run_result *r)
{
	run_pitfall(name, r, 1);
}

Test(pitfalls_fds, small_buffer)
{
	struct run_result r;
	int installed = -1, closed = -1, before = 0, after = 0;

	pitfall("fds-small-buffer", &r);
	const char *p = strstr(r.out, "descriptors open in this process: ");
	cr_assert(p && sscanf(p, "descriptors open in this process: %d before, %d after", &before, &after) == 2);
	const char *q = strstr(r.out, " installed in this process, ");
	cr_assert(q, "%s", r.out);
	while (q > r.out && q[-1] != '\n')
		q--;
	cr_assert_eq(sscanf(q, "%d installed in this process, %d closed by the kernel", &installed, &closed), 2, "%s", q);
	cr_expect(strstr(r.out, ", MSG_CTRUNC: "), "%s", r.out);
	cr_expect_geq(installed, 1);
	cr_expect_eq(installed + closed, 3, "3 sent: %d installed, %d closed", installed, closed);
	cr_expect_eq(after - before, installed, "the count went up by what was installed");
	cr_expect(strstr(r.out, "sys_recv_ctl(keep 1) = 1: 1 kept, 2 closed by socklab"), "%s", r.out);
	test_run_free(&r);
}

Test(pitfalls_fds, no_buffer)
{
	struct run_result r;

	pitfall("fds-no-buffer", &r);
	cr_expect(strstr(r.out, "recvmsg(no control buffer) = 1, MSG_CTRUNC: the byte came, and 0 descriptors"), "%s", r.out);
	cr_expect(strstr(r.out, "0 installed, 3 closed by the kernel"), "%s", r.out);
	test_run_free(&r);
}

Test(pitfalls_fds, zero_bytes)
{
	struct run_result r;

	run_pitfall("fds-zero-bytes", &r, 0);
	/* The count after each receive: the same on a stream, one more where a descriptor came. */
	const char *p = r.out;
	for (int k = 0, want[3] = { 0, 1, 1 }; k < 3; k++) {
		int before = 0, after = 0;
		p = strstr(p, "descriptors open in this process: ");
		cr_assert(p, "%s", r.out);
		cr_assert_eq(sscanf(p, "descriptors open in this process: %d before, %d after", &before, &after), 2);
		cr_expect_eq(after - before, want[k], "receive %d: %d before, %d after", k, before, after);
		p++;
	}
	cr_expect(strstr(r.out, "SOCK_STREAM: sendmsg(\"\", SCM_RIGHTS with 1 descriptor) = 0\n"
				"  recvmsg() = -1 EAGAIN"), "%s", r.out);
	cr_expect(strstr(r.out, "0 descriptors: nothing to read: lost"), "%s", r.out);
	cr_expect(strstr(r.out, "SOCK_SEQPACKET: sendmsg(\"\", SCM_RIGHTS with 1 descriptor) = 0\n"
				"  recvmsg() = 0, 1 descriptor: delivered"), "%s", r.out);
	cr_expect(strstr(r.out, "SOCK_DGRAM: sendmsg(\"\", SCM_RIGHTS with 1 descriptor) = 0\n"
				"  recvmsg() = 0, 1 descriptor: delivered"), "%s", r.out);
	test_run_free(&r);
}

Test(pitfalls_fds, too_many)
{
	struct run_result r;

	pitfall("fds-too-many", &r);
	cr_expect(strstr(r.out, "SCM_RIGHTS with 253 descriptors) = 1\n  received 1 byte and 253 descriptors"), "%s", r.out);
	cr_expect(strstr(r.out, "SCM_RIGHTS with 254 descriptors) = -1 EINVAL (invalid argument)"), "%s", r.out);
	test_run_free(&r);
}

Test(pitfalls_fds, barrier)
{
	struct run_result r;

	pitfall("fds-barrier", &r);
	cr_expect(strstr(r.out, "recvmsg(60 bytes) = 6 \"aaabbb\", SCM_RIGHTS ["), "%s", r.out);
	cr_expect(strstr(r.out, "recvmsg(60 bytes) = 3 \"ccc\"\n"), "%s", r.out);
	cr_expect(strstr(r.out, "recvmsg(60 bytes) = 3 \"ddd\", SCM_RIGHTS ["), "%s", r.out);
	cr_expect(strstr(r.out, "recvmsg(60 bytes) = 3 \"eee\", SCM_RIGHTS ["), "%s", r.out);
	cr_expect(strstr(r.out, "recvmsg(2 bytes) = 2 \"ff\", SCM_RIGHTS ["), "%s", r.out);
	cr_expect(strstr(r.out, "recvmsg(2 bytes) = 1 \"f\"\n"), "%s", r.out);
	test_run_free(&r);
}

Test(pitfalls_fds, exec)
{
	struct run_result r;

	pitfall("fds-exec", &r);
	cr_expect(strstr(r.out, "recvmsg(flags 0): descriptor "), "%s", r.out);
	cr_expect(strstr(r.out, "FD_CLOEXEC off; /bin/sh run from here has it open too"), "%s", r.out);
	cr_expect(strstr(r.out, "recvmsg(MSG_CMSG_CLOEXEC): descriptor "), "%s", r.out);
	cr_expect(strstr(r.out, "FD_CLOEXEC on; /bin/sh run from here does not have it"), "%s", r.out);
	test_run_free(&r);
}

/* They make their own sockets: an endpoint is a usage error, in one line. */
Test(pitfalls_fds, take_no_endpoint)
{
	struct run_result r;
	const char *argv[] = { "socklab", "pitfalls", "fds-barrier", "unix:x.sock", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "fds-barrier takes no ENDPOINT"), "%s", r.err);
	test_run_free(&r);
}
