/* bench_loss.c - socklab bench --loss: rdt's three modes through the impairment layer's loss: goodput, latency, resends. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "bench_socklab.h"
#include "demos/cli.h"
#include "transports/endpoint.h"
#include "transports/rdt/rdt_transport.h"

#define LOSS_PINGS 200    /* round trips of BENCH_PING bytes per cell */
#define LOSS_MSG 1400     /* bulk: bytes per message, one packet each */
#define LOSS_SEED 1       /* the client's seed; the server's is the next: a run repeats its losses */
#define LOSSES_MAX 8

/* What one mode at one loss measured. */
struct loss_cell {
	double mb_per_s, p50_us, p99_us;
	unsigned long long messages, resent; /* the client's data messages, and its packets sent again */
};

static unsigned char buf[65536];

/*
 * The server, in a child: listens at ep, writes its address into fd, then
 * serves one connection: echoes pings, counts the rest, and answers "E"
 * with the bytes it counted. Exits when the connection ends.
 */
static _Noreturn void serve(const char *ep, int fd)
{
	char text[ENDPOINT_FORMAT_MAX] = "", why[160];
	struct endpoint e;
	struct sock ls, c;
	struct addr a;
	int gai;
	unsigned long long bytes = 0;

	if (endpoint_parse(ep, ENDPOINT_SERVER, &e, why, sizeof why) == 0 && sock_listen_endpoint(&ls, &e, 1, &gai) == 0 &&
	    sock_getname(&ls, &a) == 0)
		endpoint_format(e.t, &a, text, sizeof text);
	if (write(fd, text, strlen(text) + 1) < 0 || !text[0] || sock_accept(&ls, &c) < 0)
		_exit(1);
	close(fd);
	for (ssize_t n; (n = sock_recv(&c, buf, sizeof buf, NULL)) > 0;) {
		if (buf[0] == BENCH_PING_TAG && send_all(&c, buf, (size_t)n) < 0)
			break;
		if (buf[0] == BENCH_END_TAG) {
			int len = snprintf(text, sizeof text, "%llu", bytes);
			if (send_all(&c, text, (size_t)len) < 0)
				break;
		} else if (buf[0] != BENCH_PING_TAG) {
			bytes += (size_t)n;
		}
	}
	sock_close(&c);
	sock_close(&ls);
	exit(0); /* rdt's exit closes what is left, as the kernel would */
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Round trips, then bulk for seconds, over c; fills *out. 0 or -1 with errno. */
static int measure(struct sock *c, double seconds, struct loss_cell *out)
{
	static double rtt[LOSS_PINGS];
	unsigned char msg[LOSS_MSG];
	char reply[32];

	memset(msg, 'x', sizeof msg);
	msg[0] = BENCH_PING_TAG;
	for (int k = 0; k < LOSS_PINGS; k++) {
		double t0 = bench_now();
		if (send_all(c, msg, BENCH_PING) < 0 || recv_exact(c, buf, BENCH_PING) < 0)
			return -1;
		rtt[k] = (bench_now() - t0) * 1e6;
	}
	qsort(rtt, LOSS_PINGS, sizeof rtt[0], by_value);
	out->p50_us = rtt[LOSS_PINGS / 2];
	out->p99_us = rtt[LOSS_PINGS * 99 / 100];
	msg[0] = BENCH_DATA_TAG;
	double start = bench_now();
	while (bench_now() - start < seconds) {
		if (send_all(c, msg, sizeof msg) < 0)
			return -1;
		out->messages++;
	}
	msg[0] = BENCH_END_TAG;
	ssize_t n = send_all(c, msg, 1) < 0 ? -1 : sock_recv(c, reply, sizeof reply - 1, NULL);
	if (n <= 0)
		return errno = n == 0 ? ECONNRESET : errno, -1;
	reply[n] = '\0';
	out->mb_per_s = strtod(reply, NULL) / (bench_now() - start) / 1e6;
	return 0;
}

/* One mode at one loss: a server in a child, a client here. 0 or -1 with errno. */
static int cell(const char *arq, double loss, double seconds, struct loss_cell *out)
{
	char ep[160], got[ENDPOINT_FORMAT_MAX] = "", cep[ENDPOINT_FORMAT_MAX + 96], why[160];
	struct endpoint e;
	struct sock c;
	struct rdt_stats st;
	int p[2], gai, rc = -1;

	memset(out, 0, sizeof *out);
	snprintf(ep, sizeof ep, "rdt://127.0.0.1:0?arq=%s&drop=%g&seed=%d", arq, loss, LOSS_SEED + 1);
	if (pipe(p) < 0)
		return -1;
	fflush(stdout); /* the child would print what is still buffered again */
	pid_t pid = fork();
	if (pid < 0)
		return close(p[0]), close(p[1]), -1;
	if (pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
#endif
		close(p[0]);
		serve(ep, p[1]);
	}
	close(p[1]);
	ssize_t n = read(p[0], got, sizeof got - 1);
	close(p[0]);
	snprintf(cep, sizeof cep, "%s?arq=%s&drop=%g&seed=%d", n > 0 ? got : "", arq, loss, LOSS_SEED);
	if (n > 1 && endpoint_parse(cep, ENDPOINT_CLIENT, &e, why, sizeof why) == 0 &&
	    sock_dial_endpoint(&c, &e, &gai) == 0) {
		rc = measure(&c, seconds, out);
		if (rc == 0 && rdt_sock_stats(&c, &st) == 0)
			out->resent = st.retransmits_timeout + st.retransmits_fast;
		int saved = errno;
		sock_close(&c);
		errno = saved;
	} else if (errno == 0) {
		errno = ECONNREFUSED;
	}
	kill(pid, rc == 0 ? 0 : SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

int bench_loss(const char *list, double seconds, int json)
{
	static const char *const modes[] = { "sw", "gbn", "sr" };
	double loss[LOSSES_MAX];
	size_t nloss = 0;

	for (const char *p = list; *p && nloss < LOSSES_MAX;) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0 || v >= 100 || (*end && *end != ','))
			return cli_usage_error("bench", "--loss takes percentages from 0 to 99, comma-separated, not '%.40s'", list);
		loss[nloss++] = v / 100;
		p = *end ? end + 1 : end;
	}
	if (!json)
		printf("socklab bench --loss: rdt, socklab's own protocol, through the impairment layer: each end drops\n"
		       "that share of its UDP datagrams (seeded: %d and %d); %d round trips of %d bytes, then %.1f s of\n"
		       "%d-byte messages. Retransmissions are the sender's, per message it sent.\n\n"
		       "%-5s %5s %12s %10s %10s %12s %9s\n", LOSS_SEED, LOSS_SEED + 1, LOSS_PINGS, BENCH_PING, seconds,
		       LOSS_MSG, "mode", "loss", "goodput MB/s", "p50 us", "p99 us", "messages", "resent/msg");
	for (size_t m = 0; m < 3; m++)
		for (size_t k = 0; k < nloss; k++) {
			struct loss_cell c;
			if (cell(modes[m], loss[k], seconds, &c) < 0)
				return cli_error("bench", errno, NULL, "rdt arq=%s at %g%% loss", modes[m], loss[k] * 100);
			double per = c.messages ? (double)c.resent / (double)c.messages : 0;
			if (json)
				printf("{\"transport\":\"rdt\",\"arq\":\"%s\",\"loss\":%.4f,\"mb_per_s\":%.3f,\"p50_us\":%.1f,"
				       "\"p99_us\":%.1f,\"messages\":%llu,\"resent\":%llu,\"resent_per_msg\":%.4f}\n",
				       modes[m], loss[k], c.mb_per_s, c.p50_us, c.p99_us, c.messages, c.resent, per);
			else
				printf("%-5s %4g%% %12.2f %10.1f %10.1f %12llu %9.3f\n", modes[m], loss[k] * 100, c.mb_per_s,
				       c.p50_us, c.p99_us, c.messages, per);
			fflush(stdout);
		}
	return 0;
}
