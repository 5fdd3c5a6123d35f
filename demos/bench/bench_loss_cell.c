/* bench_loss_cell.c - one cell of the loss sweep: a forked server, round trips then bulk, over rdt or kernel TCP. */
#define _GNU_SOURCE /* struct tcp_info (glibc: _DEFAULT_SOURCE; musl: only _GNU_SOURCE) */
#include "bench_loss.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#endif

#include "bench_socklab.h"
#include "core/sys/sys.h"
#include "transports/endpoint.h"
#include "transports/rdt/rdt_transport.h"

#define SRTT_EVERY 256 /* rdt: its SRTT is read every this many messages of the bulk, and averaged */
#define REPLY 64 /* the server's answer to the end: "BYTES DATAGRAMS", padded, the same size on every transport */

static unsigned char buf[65536];

/*
 * The server, in a child: listens at ep, writes its address into fd, then
 * serves one connection, framed alike on a stream and on messages: echoes
 * LOSS_PINGS pings of BENCH_PING bytes, counts the LOSS_MSG-byte messages,
 * and answers the one tagged BENCH_END_TAG with the bytes it counted and, on
 * rdt, the datagrams it received. Exits when the connection ends.
 */
static _Noreturn void serve(const char *ep, int fd)
{
	char text[ENDPOINT_FORMAT_MAX] = "", why[160];
	struct endpoint e;
	struct sock ls, c;
	struct addr a;
	struct rdt_stats st;
	int gai;
	unsigned long long bytes = 0;

	if (endpoint_parse(ep, ENDPOINT_SERVER, &e, why, sizeof why) == 0 && sock_listen_endpoint(&ls, &e, 1, &gai) == 0 &&
	    sock_getname(&ls, &a) == 0)
		endpoint_format(e.t, &a, text, sizeof text);
	if (write(fd, text, strlen(text) + 1) < 0 || !text[0] || sock_accept(&ls, &c) < 0)
		_exit(1);
	close(fd);
	for (int k = 0; k < LOSS_PINGS; k++)
		if (recv_exact(&c, buf, BENCH_PING) < 0 || send_all(&c, buf, BENCH_PING) < 0)
			_exit(1);
	while (recv_exact(&c, buf, LOSS_MSG) == 0) {
		if (buf[0] != BENCH_END_TAG) {
			bytes += LOSS_MSG;
			continue;
		}
		long long got = rdt_sock_stats(&c, &st) == 0 ? (long long)st.datagrams_received : -1;
		memset(text, ' ', REPLY);
		text[snprintf(text, REPLY, "%llu %lld", bytes, got)] = ' ';
		if (send_all(&c, text, REPLY) < 0)
			break;
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

/* Round trips, then bulk for seconds, over c; fills *out but resent and lost. 0 or -1 with errno. */
static int measure(struct sock *c, double seconds, struct loss_cell *out, long long *server_got)
{
	static double rtt[LOSS_PINGS];
	struct rdt_stats st;
	unsigned char msg[LOSS_MSG];
	char reply[REPLY + 1];

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
	double start = bench_now(), srtt = 0;
	unsigned long long samples = 0;
	while (bench_now() - start < seconds) {
		if (send_all(c, msg, sizeof msg) < 0)
			return -1;
		if (++out->messages % SRTT_EVERY == 0 && rdt_sock_stats(c, &st) == 0 && st.srtt > 0)
			srtt += (double)st.srtt, samples++;
	}
	out->srtt_us = samples ? srtt / (double)samples : 0;
	msg[0] = BENCH_END_TAG;
	if (send_all(c, msg, sizeof msg) < 0 || recv_exact(c, reply, REPLY) < 0)
		return -1;
	reply[REPLY] = '\0';
	char *end;
	out->mb_per_s = strtod(reply, &end) / (bench_now() - start) / 1e6;
	*server_got = strtoll(end, NULL, 10);
	return 0;
}

/* What the client sent again: rdt's own count, or TCP's from TCP_INFO (tcpi_total_retrans, tcp(7)). */
static void count_resent(const struct sock *c, long long server_got, struct loss_cell *out)
{
	struct rdt_stats st;

	if (rdt_sock_stats(c, &st) == 0) {
		out->resent = st.retransmits_timeout + st.retransmits_fast;
		if (server_got >= 0 && (long long)st.datagrams_sent >= server_got)
			out->lost = (long long)st.datagrams_sent - server_got;
		return;
	}
#if defined(__linux__) && defined(TCP_INFO)
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	if (sys_getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, "TCP_INFO", &ti, &len) == 0)
		out->resent = ti.tcpi_total_retrans;
#endif
}

/* Forks the server at ep; its address into got. The pid, or -1 with errno. */
static pid_t start_server(const char *ep, char *got, size_t gotlen)
{
	int p[2];

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
	ssize_t n = read(p[0], got, gotlen - 1);
	got[n > 0 ? n : 0] = '\0';
	close(p[0]);
	return pid;
}

/*
 * rdt's options for one end: the mode, gbn's and sr's window, and the
 * impairment layer's loss with that end's seed. At 0% no layer at all: it
 * would drop nothing and, being there, keep rdt from UDP's receive offload.
 */
static void rdt_options(char *out, size_t len, const char *arq, double loss, unsigned long long seed)
{
	char window[32] = "", drop[64] = "";

	if (strcmp(arq, "sw") != 0)
		snprintf(window, sizeof window, "&window=%d", LOSS_WINDOW);
	if (loss > 0)
		snprintf(drop, sizeof drop, "&drop=%g&seed=%llu", loss, seed);
	snprintf(out, len, "?arq=%s%s%s", arq, window, drop);
}

int bench_loss_cell(const char *arq, double loss, double seconds, unsigned long long seed, struct loss_cell *out)
{
	char ep[160], got[ENDPOINT_FORMAT_MAX] = "", cep[ENDPOINT_FORMAT_MAX + 96], why[160], opts[96] = "";
	struct endpoint e;
	struct sock c;
	int gai, rc = -1;
	long long server_got = -1;

	memset(out, 0, sizeof *out);
	out->lost = out->dropped = -1;
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:0");
	if (arq) {
		rdt_options(opts, sizeof opts, arq, loss, seed + 1); /* the server's */
		snprintf(ep, sizeof ep, "rdt://127.0.0.1:0%s", opts);
		rdt_options(opts, sizeof opts, arq, loss, seed); /* the client's */
	}
	pid_t pid = start_server(ep, got, sizeof got);
	if (pid < 0)
		return -1;
	snprintf(cep, sizeof cep, "%s%s", got, opts);
	errno = 0;
	if (got[0] && endpoint_parse(cep, ENDPOINT_CLIENT, &e, why, sizeof why) == 0 &&
	    sock_dial_endpoint(&c, &e, &gai) == 0) {
		rc = measure(&c, seconds, out, &server_got);
		if (rc == 0)
			count_resent(&c, server_got, out);
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
