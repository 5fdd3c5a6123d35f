/* contrast_handshake.c - scenario 1: dial where nobody listens, and (make lab) where a firewall drops every packet. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* How long a dial to the filtered port may wait: long enough for the SYN to be sent again, short for a class. */
#define FILTERED_MS 2500
#define SYN_RETRIES "/proc/sys/net/ipv4/tcp_syn_retries"

/*
 * A connect(2)ed datagram socket: the kernel now relates errors about that
 * peer to it. An ICMP "port unreachable" comes back after the send, and the
 * next call on the socket reports it.
 */
static void connected_datagram(const struct transport *t, const struct addr *nobody, struct cell *c, char *say,
			       size_t len)
{
	char buf[16];
	int fd = sys_socket(nobody->ss.ss_family, t->type, 0);

	if (fd < 0) {
		obs_str(c, "connect", errno_name(errno));
		return;
	}
	int r = sys_connect(fd, nobody);
	obs_result(c, "connect", r, errno);
	if (r < 0) {
		snprintf(say + strlen(say), len - strlen(say), "; connect()ed: %s at once", errno_name(errno));
	} else {
		ssize_t n = sys_send(fd, "hello", 5);
		obs_result(c, "connected_send", n, errno);
		int ready = n >= 0 ? sys_wait(fd, 0, QUIET_MS) : 0;
		ssize_t m = ready > 0 ? sys_recv(fd, buf, sizeof buf, MSG_DONTWAIT) : 0;
		obs_str(c, "connected_next_call", ready <= 0 ? "nothing" : m < 0 ? errno_name(errno) : "data");
		if (n < 0)
			snprintf(say + strlen(say), len - strlen(say), "; connect()ed: send %s", errno_name(errno));
		else if (ready > 0 && m < 0)
			snprintf(say + strlen(say), len - strlen(say), "; connect()ed: %s on the next call",
				 errno_name(errno));
		else
			snprintf(say + strlen(say), len - strlen(say), "; connect()ed: still nothing");
	}
	sys_close(fd);
}

/*
 * A port on 127.0.0.1 whose packets a firewall drops (make lab's nftables
 * rule): nothing refuses, nothing answers. TCP sends its SYN again and again
 * while connect() waits, up to tcp_syn_retries times (tcp(7); the first wait
 * is RFC 6298's 1 s, later ones double, after Linux 6.x's linear ones,
 * tcp_syn_linear_timeouts): socklab gives up after FILTERED_MS and counts
 * them in TCP_INFO first. UDP's send "works", and no ICMP error ever comes back.
 */
static void filtered(unsigned port, const struct transport *t, int family, struct cell *c, char *say, size_t len)
{
	struct addr a = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	struct tcp_figures tf;
	char buf[16];

	(void)family; /* the lab's rule is for 127.0.0.1 */
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = sys_socket(AF_INET, t->type, 0);
	if (fd < 0)
		return;
	if (transport_is_connected(t)) {
		long long start = sys_now_ms();
		int r = sys_connect_within(fd, &a, FILTERED_MS), err = errno;
		long long ms = sys_now_ms() - start, tries = kernel_setting(SYN_RETRIES);
		kernel_tcp_info(fd, &tf);
		/* ETIMEDOUT here is socklab's own giving up (sys_connect_within), not the kernel's: said in words. */
		int gave_up = r < 0 && err == ETIMEDOUT;
		if (gave_up)
			obs_str(c, "filtered_connect", "no answer: socklab stopped waiting");
		else
			obs_result(c, "filtered_connect", r, err);
		obs_int(c, "filtered_ms", ms);
		if (tf.ok)
			obs_int(c, "filtered_syn_retransmits", tf.retransmits);
		snprintf(say + strlen(say), len - strlen(say), "; port %u filtered: %s after %lld ms", port,
			 gave_up ? "no answer" : r == 0 ? "connected" : errno_name(err), ms);
		if (tf.ok)
			snprintf(say + strlen(say), len - strlen(say), ", the SYN sent %u times", tf.retransmits + 1);
		if (tries >= 0)
			snprintf(say + strlen(say), len - strlen(say), " (alone, the kernel would retry up to %lld times)", tries);
	} else {
		ssize_t n = sys_sendto(fd, "hello", 5, &a);
		int connected = sys_connect(fd, &a) == 0 && sys_send(fd, "hello", 5) == 5;
		int ready = sys_wait(fd, 0, QUIET_MS);
		ssize_t m = ready > 0 ? sys_recv(fd, buf, sizeof buf, MSG_DONTWAIT) : 0;
		obs_result(c, "filtered_send", n, errno);
		obs_str(c, "filtered_next_call", ready <= 0 ? "nothing" : m < 0 ? errno_name(errno) : "data");
		snprintf(say + strlen(say), len - strlen(say), "; port %u filtered: send() = %zd, %s", port, n,
			 ready > 0 && m < 0 ? errno_name(errno) : connected ? "no error, connect()ed or not" : "no error");
	}
	sys_close(fd);
}

/* 1. Dial an address where nobody listens (and, in make lab, a port whose packets a firewall drops). */
int scenario_handshake(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct sock srv, cli;
	struct addr nobody;
	char say[240] = "", buf[16];

	/* An address where nobody is: bind one, note it, close it. */
	if (lab_open(lab, t, ENDPOINT_SERVER, NULL, 1, &srv) < 0)
		return cell_fail(c, "bind", errno);
	int r = sock_getname(&srv, &nobody), err = errno;
	sock_close(&srv);
	if (r < 0)
		return cell_fail(c, "getsockname", err);

	long long start = sys_now_ms();
	r = lab_open(lab, t, ENDPOINT_CLIENT, &nobody, 0, &cli);
	err = errno;
	long long ms = sys_now_ms() - start;
	obs_result(c, "dial", r, err);
	if (r < 0) {
		obs_int(c, "dial_ms", ms);
		SAY(say, "connect(): %s after %lld ms", errno_name(err), ms);
	} else {
		ssize_t n = sock_send(&cli, "hello", 5);
		obs_result(c, "send", n, errno);
		if (n < 0) {
			SAY(say, "send(): %s, at once", errno_name(errno));
		} else {
			/* The send "worked". Does anything ever tell this socket otherwise? */
			int ready = lab_wait(&cli, QUIET_MS);
			ssize_t m = ready > 0 ? sys_recv(cli.fd, buf, sizeof buf, MSG_DONTWAIT) : 0;
			obs_str(c, "next_call", ready <= 0 ? "nothing" : m < 0 ? errno_name(errno) : "data");
			SAY(say, "send() = %zd, into the void", n);
			if (ready > 0 && m < 0)
				SAY(say, "; next call: %s", errno_name(errno));
			else
				SAY(say, "; no error ever comes");
		}
		sock_close(&cli);
	}
	if (!transport_is_connected(t))
		connected_datagram(t, &nobody, c, say, sizeof say);
	if (lab->filtered && !transport_has_socket_file(t))
		filtered(lab->filtered, t, nobody.ss.ss_family, c, say, sizeof say);
	cell_say(c, "%s", say);
	return 0;
}

