/* contrast_kernel.c - the kernel's own figures for a cell: TCP_INFO, bytes queued on a socket, counters and settings. */
#ifdef __linux__
#define _DEFAULT_SOURCE /* struct tcp_info, TIOCOUTQ */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

#include "core/sys/sys.h"
#include "contrast.h"

int kernel_tcp_info(int fd, struct tcp_figures *f)
{
	memset(f, 0, sizeof *f);
#if defined(__linux__) && defined(TCP_INFO)
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	/* tcp(7), TCP_INFO: the kernel's view of this connection. Any other socket refuses the level. */
	memset(&ti, 0, sizeof ti);
	if (sys_getsockopt(fd, IPPROTO_TCP, TCP_INFO, "TCP_INFO", &ti, &len) < 0)
		return -1;
	f->ok = 1;
	f->rtt_ms = ti.tcpi_rtt / 1000.0; /* microseconds, smoothed */
	f->rttvar_ms = ti.tcpi_rttvar / 1000.0;
	f->cwnd = ti.tcpi_snd_cwnd;       /* segments */
	f->total_retrans = ti.tcpi_total_retrans;
	f->retransmits = ti.tcpi_retransmits; /* of the segment (or SYN) now waiting */
	f->state = ti.tcpi_state;
	return 0;
#else
	(void)fd;
	return -1;
#endif
}

long long kernel_queued_in(int fd)
{
	int v;

	return sys_ioctl_int(fd, FIONREAD, "FIONREAD", &v) == 0 ? v : -1;
}

long long kernel_queued_out(int fd)
{
#if defined(__linux__) && defined(TIOCOUTQ)
	int v;

	/* SIOCOUTQ, which Linux numbers as TIOCOUTQ (tcp(7), unix(7)). */
	return sys_ioctl_int(fd, TIOCOUTQ, "SIOCOUTQ", &v) == 0 ? v : -1;
#else
	(void)fd;
	return -1;
#endif
}

long long kernel_sockopt(int fd, int option, const char *name)
{
	int v;

	return sys_getsockopt_int(fd, SOL_SOCKET, option, name, &v) == 0 ? v : -1;
}

long long kernel_setting(const char *path)
{
	char buf[64];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fgets(buf, sizeof buf, f))
			v = atoll(buf);
		fclose(f);
	}
	return v;
}

int lab_time_wait(unsigned port)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	int count = 0;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char line[512];
		FILE *f = fopen(files[i], "r");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f)) {
			unsigned lport, state;
			/* "  0: 0100007F:9C40 0100007F:D2A4 06 ...": local address:port, remote, state */
			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &state) == 2 &&
			    lport == port && state == 0x06)
				count++;
		}
		fclose(f);
	}
	return count;
}
