/* test_handshake.c - what connect() waits for, and --timeout bounding it: SYNs a firewall drops, in a network of the test's own. */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "demos/netns.h"
#include "tests/support/helpers.h"

#define FILTERED "5999" /* the port whose packets the namespace's firewall drops */
#define NO_ACK "5998"   /* the port where it drops only segments that carry nothing but an ACK */

/*
 * Moves this test's process into a private network namespace whose input
 * hook drops every TCP segment to port FILTERED: a SYN nobody answers, as
 * behind a firewall. Without it, connect() would wait for the kernel's SYN
 * retries, tcp_syn_retries = 6 by default: about 127 s (tcp(7)).
 */
static void filtered_network(void)
{
	char why[512];

	if (netns_enter_private(why, sizeof why) < 0)
		cr_skip_test("no private network namespace: %s", why);
	if (system("command -v nft >/dev/null 2>&1") != 0)
		cr_skip_test("no nft here (apt-get install nftables): it drops the SYNs");
	/* Port FILTERED: every packet dropped. Port NO_ACK: only a bare ACK dropped, the handshake's last step. */
	if (system("printf 'table inet t {\\n chain in {\\n type filter hook input priority 0;\\n tcp dport " FILTERED
		   " drop\\n udp dport " FILTERED " drop\\n tcp dport " NO_ACK " tcp flags == ack drop\\n }\\n}\\n' | "
		   "nft -f - 2>/dev/null") != 0)
		cr_skip_test("nft refused the rule (no nf_tables in this kernel?)");
}

/* Each client with --timeout 1 gives up after about a second, with one line that says what did not answer. */
Test(handshake, clients_give_up, .timeout = 60)
{
	static const char *const cmds[][8] = {
		{ "socklab", "echo-client", "--timeout", "1", "tcp://127.0.0.1:" FILTERED, "hi" },
		{ "socklab", "chat-client", "--timeout", "1", "tcp://127.0.0.1:" FILTERED, NULL },
		{ "socklab", "send", "--timeout", "1", "tcp://127.0.0.1:" FILTERED, "/dev/null" },
		{ "socklab", "load", "--timeout", "1", "--clients", "1", "tcp://127.0.0.1:" FILTERED },
	};

	filtered_network();
	for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
		const char *argv[9] = { 0 };
		struct run_result r;
		memcpy(argv, cmds[k], sizeof cmds[k]);
		long long start = sys_now_ms();
		cr_assert_eq(test_run(argv, "", 0, &r), 0);
		long long ms = sys_now_ms() - start;
		cr_expect_eq(r.status, 1, "%s: exit %d: %s", cmds[k][1], r.status, r.err);
		cr_expect(strstr(r.err, "connection timed out"), "%s: %s", cmds[k][1], r.err);
		if (strcmp(cmds[k][1], "load") != 0)
			cr_expect(strstr(r.err, "connect to tcp://127.0.0.1:" FILTERED ": connection timed out (nothing "
						"answered the handshake"), "%s: %s", cmds[k][1], r.err);
		cr_expect(ms >= 950, "%s: gave up after %lld ms: it did not wait for the handshake", cmds[k][1], ms);
		cr_expect(ms < 5000, "%s: %lld ms for --timeout 1", cmds[k][1], ms);
		test_run_free(&r);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal while connect() waits (no SA_RESTART: poll gets EINTR) neither ends nor stretches the wait. */
Test(handshake, signals_do_not_cut_it_short, .timeout = 30)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval every = { .it_interval = { 0, 100000 }, .it_value = { 0, 100000 } };
	struct addr a = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

	filtered_network();
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(FILTERED));
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	cr_assert_eq(setitimer(ITIMER_REAL, &every, NULL), 0); /* a signal every 100 ms */
	long long start = sys_now_ms();
	int r = sys_connect_within(fd, &a, 700);
	int err = errno;
	long long ms = sys_now_ms() - start;
	setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	cr_expect_eq(r, -1);
	cr_expect_eq(err, ETIMEDOUT, "%s", strerror(err));
	cr_expect(ms >= 690 && ms < 3000, "%lld ms for 700", ms);
	close(fd);
}

/* A port that refuses (RST) is known at once, timeout or not: the timeout is a bound, not a delay. */
Test(handshake, refusal_is_at_once)
{
	struct run_result r;
	const char *argv[] = { "socklab", "echo-client", "--timeout", "5", "tcp://127.0.0.1:1", "hi", NULL };

	long long start = sys_now_ms();
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "connection refused (is a server listening?)"), "%s", r.err);
	cr_expect(sys_now_ms() - start < 4000, "a refusal waited for the timeout");
	test_run_free(&r);
}

/*
 * connect() returns when the SYN-ACK arrives, before the server's kernel has
 * the connection: with the client's last ACK dropped, connect() has returned
 * 0, and still nothing waits on the listener to be accepted (RFC 9293,
 * section 3.5). Its first data, which carries an ACK too, completes it.
 */
Test(handshake, connect_returns_at_the_syn_ack, .timeout = 30)
{
	struct addr a = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	char buf[4];

	filtered_network();
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(NO_ACK));
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ls = sys_socket(AF_INET, SOCK_STREAM, 0), c = sys_socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(ls >= 0 && c >= 0 && sys_bind(ls, &a) == 0 && sys_listen(ls, 4) == 0);
	cr_assert_eq(sys_connect_within(c, &a, 5000), 0, "connect: %s", strerror(errno));
	/* Nothing to accept: the server's kernel never saw the last ACK. (A wait for what must not come.) */
	cr_expect_eq(sys_wait(ls, 0, 500), 0, "the listener had the connection before the handshake's last ACK");
	cr_assert_eq(sys_send(c, "x", 1), 1);
	cr_assert_eq(sys_wait(ls, 0, TEST_WAIT_S * 1000), 1, "data did not complete the handshake");
	int acc = sys_accept(ls, NULL);
	cr_assert_geq(acc, 0);
	cr_expect_eq(sys_recv(acc, buf, sizeof buf, 0), 1);
	close(acc), close(c), close(ls);
}

/* contrast --filtered: how long connect() waited, how many SYNs the kernel sent, and UDP's silence. */
Test(handshake, contrast_shows_the_filtered_port, .timeout = 60)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--transports", "tcp,udp", "--scenarios", "handshake", "--filtered",
			       FILTERED, "--format", "json", NULL };

	filtered_network();
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\"filtered_connect\": \"no answer: socklab stopped waiting\""), "%s", r.out);
	const char *n = strstr(r.out, "\"filtered_syn_retransmits\": ");
	cr_expect(n && atoi(n + 28) >= 1, "no SYN sent again: %s", r.out);
	const char *ms = strstr(r.out, "\"filtered_ms\": ");
	cr_expect(ms && atoi(ms + 15) >= 2400, "%s", r.out);
	cr_expect(strstr(r.out, "\"filtered_next_call\": \"nothing\""), "UDP heard something: %s", r.out);
	cr_expect(strstr(r.out, "\"dial\": \"ECONNREFUSED\""), "the refusal beside it: %s", r.out);
	test_run_free(&r);
}
