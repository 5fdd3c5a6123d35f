/* test_wire_loss.c - socklab wire on a lossy namespace: retransmissions counted as the kernel counts them; silence; nobody. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_wire.h"

/* The retransmissions the capture marked and the kernel's RetransSegs delta, from the ladder's summary line. */
static void retransmissions(const char *out, long long *marked, long long *kernel)
{
	*marked = wire_number_after(out, "\nretransmissions: ");
	*kernel = wire_number_after(out, "the kernel's Tcp RetransSegs here: ");
}

/* Lines of the ladder that mark a retransmission. */
static long long marked_lines(const char *out)
{
	long long n = 0;
	for (const char *p = out; (p = strstr(p, "RETRANSMISSION")); p++)
		n++;
	return n;
}

Test(wire_loss, seeded_loss_retransmissions_match_retranssegs, .timeout = 60)
{
	struct run_result r;
	long long marked, kernel;

	WIRE_RUN(&r, "wire", "--scenario", "loss", "--seed", "3", "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	retransmissions(r.out, &marked, &kernel);
	cr_expect(marked > 0, "no retransmission at 20%% loss, seed 3:\n%s", r.out);
	cr_expect_eq(marked, kernel, "the capture marked %lld, the kernel counted %lld:\n%s", marked, kernel, r.out);
	cr_expect_eq(marked_lines(r.out), marked, "%s", r.out);
	cr_expect(strstr(r.out, "client: 12 of 12 echoes of 'hello' came back whole"), "TCP lost data:\n%s", r.out);
	cr_expect(wire_number_after(r.out, "nftables dropped ") > 0, "%s", r.out);
	cr_expect(!strstr(r.out, "warning:"), "%s", r.out);
	test_run_free(&r);
}

/* Random drops (no --seed), over IPv6, on one echo: short, whatever the dice say (the seeded test above is long). */
Test(wire_loss, random_loss_retransmissions_match_retranssegs, .timeout = 60)
{
	struct run_result r;
	long long marked, kernel;

	WIRE_RUN(&r, "wire", "--loss", "25", "tcp://[::1]:5900");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	retransmissions(r.out, &marked, &kernel);
	cr_expect(marked >= 0 && marked == kernel, "the capture marked %lld, the kernel counted %lld:\n%s", marked, kernel,
		  r.out);
	test_run_free(&r);
}

Test(wire_loss, udp_loss_is_not_repaired)
{
	struct run_result r;

	WIRE_RUN(&r, "wire", "--scenario", "loss", "--seed", "1", "--loss", "50", "udp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	long long dropped = wire_number_after(r.out, "nftables dropped ");
	long long heard = wire_number_after(r.out, "server: "), back = wire_number_after(r.out, "client: ");
	cr_expect(dropped > 0 && back < 12, "nothing lost at 50%%:\n%s", r.out);
	/* Each datagram is lost on its way there or its echo on the way back: nothing is sent twice. */
	cr_expect_eq((12 - heard) + (heard - back), dropped, "%s", r.out);
	cr_expect(!strstr(r.out, "RETRANSMISSION"), "%s", r.out);
	test_run_free(&r);
}

Test(wire_loss, no_server_tcp_sends_its_syn_again, .timeout = 30)
{
	struct run_result r;
	long long marked, kernel;

	WIRE_RUN(&r, "wire", "--scenario", "no-server", "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "client: connect() = -1 ETIMEDOUT"), "%s", r.out);
	cr_expect(!strstr(r.out, "RST") && !strstr(r.out, "<-"), "an answer came:\n%s", r.out);
	retransmissions(r.out, &marked, &kernel);
	cr_expect(marked >= 1 && marked == kernel, "marked %lld, kernel %lld:\n%s", marked, kernel, r.out);
	/* The first retransmission waits the initial RTO, 1 s (RFC 6298 2.1): its time is 1000 ms and some. */
	const char *second = strstr(strstr(r.out, "SYN seq=0") + 1, "SYN seq=0");
	cr_assert(second, "%s", r.out);
	while (second > r.out && second[-1] != '\n')
		second--;
	double ms = strtod(second, NULL);
	cr_expect(ms >= 900 && ms < 1500, "the SYN came again after %.3f ms:\n%s", ms, r.out);
	test_run_free(&r);
}

Test(wire_loss, no_server_udp_is_silence)
{
	struct run_result r;

	WIRE_RUN(&r, "wire", "--scenario", "no-server", "udp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "scenario no-server, 1 packet\n") && !strstr(r.out, "ICMP"), "%s", r.out);
	cr_expect(strstr(r.out, "heard nothing in 0.2 s"), "%s", r.out);
	test_run_free(&r);
}

Test(wire_loss, half_close_passes_fin_wait_2_and_close_wait)
{
	struct run_result r;
	static char norm[65536];

	WIRE_RUN(&r, "wire", "--scenario", "half-close", "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	wire_normalise(r.out, norm, sizeof norm);
	/* The client's FIN first; the server still sends its data, whose ACK of that FIN moves the client on. */
	cr_expect(strstr(norm, "T FIN_WAIT_1 -- FIN,ACK seq=7 ack=1 len=0 win=W --> CLOSE_WAIT\n"
			       "T FIN_WAIT_2 <-- PSH,ACK seq=1 ack=8 len=6 win=W --\n"),
		  "%s", r.out);
	cr_expect(strstr(norm, "T TIME_WAIT <-- FIN,ACK seq=7 ack=8 len=0 win=W -- LAST_ACK\n"
			       "T -- ACK seq=8 ack=8 len=0 win=W --> CLOSED\n"),
		  "%s", r.out);
	test_run_free(&r);
}

/* Unprivileged, through a user namespace: the same ladder, said to be unprivileged. */
Test(wire_loss, nobody_captures_too)
{
	struct run_result r;

	if (geteuid() != 0)
		cr_skip_test("already unprivileged: every other test of wire shows it");
	const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", test_socklab(),
			       "wire", "--loss", "10", "tcp", NULL };
	cr_assert(test_run(argv, NULL, 0, &r) == 0, "cannot run setpriv");
	if (r.status == 1 && strstr(r.err, "enter a private network namespace"))
		cr_skip_test("this kernel gives nobody no user namespace: %s", r.err);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "in a network namespace of its own, unprivileged\n"), "%s", r.out);
	cr_expect(strstr(r.out, "nftables dropped "), "nftables did not work unprivileged:\n%s", r.out);
	test_run_free(&r);
}
