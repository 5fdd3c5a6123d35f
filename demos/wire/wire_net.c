/* wire_net.c - the private namespace's kernel: nftables rules that lose packets, a sysctl, and the counters of /proc/net. */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/errors.h"

/* Every rule lives in this table of the namespace, and dies with it: the host's rules are never touched. */
#define TABLE "socklab_wire"
#define SEEDED_SPAN 1000 /* a seeded loss drops a fixed set of packet numbers out of each 1000 */

/* The first line nft wrote on its standard error, into why. */
static void first_line(int fd, char *why, size_t whylen)
{
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf - 1);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(why, whylen, "nft refused the rules: %s", buf[0] ? buf : "no reason given");
}

/*
 * Runs `nft ARGS` with input on its standard input (NULL: none) and its
 * standard output into out (NULL: discarded). 0 when it exits 0.
 */
static int nft(const char *const argv[], const char *input, char *out, size_t outlen, char *why, size_t whylen)
{
	int fds[6] = { -1, -1, -1, -1, -1, -1 }; /* stdin, stdout, stderr: read end, write end of each */
	int status = -1, rc = -1;

	if (pipe(fds) < 0 || pipe(fds + 2) < 0 || pipe(fds + 4) < 0) {
		fail_why(why, whylen, "pipe: %s", errno_text(errno));
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fail_why(why, whylen, "fork: %s", errno_text(errno));
		goto out;
	}
	if (pid == 0) {
		/* Above 2 first: with fds 0-2 closed at the start, a pipe may have been given one of them. */
		int std[3] = { fcntl(fds[0], F_DUPFD, 3), fcntl(fds[3], F_DUPFD, 3), fcntl(fds[5], F_DUPFD, 3) };
		for (int i = 0; i < 3; i++)
			dup2(std[i], i), close(std[i]);
		for (int i = 0; i < 6; i++) /* else nft's own copy of a write end keeps it from ever reading the end */
			if (fds[i] > 2)
				close(fds[i]);
		execvp("nft", (char *const *)argv);
		_exit(127);
	}
	close(fds[0]), close(fds[3]), close(fds[5]);
	fds[0] = fds[3] = fds[5] = -1;
	size_t n = input ? strlen(input) : 0, done = 0;
	while (done < n) { /* SIGPIPE is ignored: a writer nft stopped reading gets EPIPE */
		ssize_t w = write(fds[1], input + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(fds[1]);
	fds[1] = -1;
	size_t got = 0;
	ssize_t r;
	while (out && got + 1 < outlen && ((r = read(fds[2], out + got, outlen - 1 - got)) > 0 || (r < 0 && errno == EINTR)))
		got += r > 0 ? (size_t)r : 0;
	if (out)
		out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(why, whylen, "needs the nft program (Debian package nftables: apt-get install nftables)");
	else if (rc < 0)
		first_line(fds[4], why, whylen);
out:
	for (int i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/* Loads a table of rules. */
static int load(const char *rules, char *why, size_t whylen)
{
	static const char *const argv[] = { "nft", "-f", "-", NULL };
	return nft(argv, rules, NULL, 0, why, whylen);
}

/* The chain both rule sets use: on input, after the capture has seen the packet, as a real network loses it. */
#define CHAIN_HEAD "table inet " TABLE " {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"

/* Appends " { 3, 17, ... }": the packet numbers (0..SEEDED_SPAN-1) a seeded loss drops, drawn from seed. */
static void seeded_set(char *out, size_t len, int pct, unsigned seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t o = strlen(out);
	int any = 0;

	o += (size_t)snprintf(out + o, len - o, "numgen inc mod %d {", SEEDED_SPAN);
	for (int i = 0; i < SEEDED_SPAN && o + 8 < len; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		if ((int)(x % 100) < pct)
			o += (size_t)snprintf(out + o, len - o, "%s %d", any++ ? "," : "", i);
	}
	if (!any)
		o += (size_t)snprintf(out + o, len - o, " %d", SEEDED_SPAN); /* a number numgen never makes */
	snprintf(out + o, len - o, " }");
}

int wire_net_loss(int pct, int seeded, unsigned seed, char *why, size_t whylen)
{
	static char rules[16384];
	char pick[8192];
	const char *kinds[] = { "meta l4proto udp", "meta l4proto tcp tcp flags & (syn | fin | rst) == 0" };

	snprintf(rules, sizeof rules, CHAIN_HEAD);
	for (int k = 0; k < 2; k++) {
		/* SYN, FIN and RST go through, so that connections open and close without waiting seconds. */
		pick[0] = '\0';
		if (pct >= 100)
			; /* every one, with no numgen: it counts 0..99, so "< 100" is no valid comparison for nft */
		else if (seeded)
			seeded_set(pick, sizeof pick, pct, seed + (unsigned)k);
		else
			snprintf(pick, sizeof pick, "numgen random mod 100 < %d", pct);
		snprintf(rules + strlen(rules), sizeof rules - strlen(rules), "\t\t%s %s counter drop\n", kinds[k], pick);
	}
	snprintf(rules + strlen(rules), sizeof rules - strlen(rules), "\t}\n}\n");
	return load(rules, why, whylen);
}

int wire_net_blackhole(unsigned port, char *why, size_t whylen)
{
	char rules[512];

	snprintf(rules, sizeof rules, CHAIN_HEAD "\t\ttcp dport %u counter drop\n\t\tudp dport %u counter drop\n\t}\n}\n",
		 port, port);
	return load(rules, why, whylen);
}

long long wire_net_dropped(void)
{
	static const char *const argv[] = { "nft", "list", "table", "inet", TABLE, NULL };
	char out[16384], why[256];
	long long sum = 0;

	if (nft(argv, NULL, out, sizeof out, why, sizeof why) < 0)
		return -1;
	for (const char *p = out; (p = strstr(p, "counter packets ")); p++)
		sum += atoll(p + strlen("counter packets "));
	return sum;
}

int wire_net_sysctl(const char *name, const char *value, char *why, size_t whylen)
{
	char path[128];

	snprintf(path, sizeof path, "/proc/sys/%s", name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t w = fd < 0 ? -1 : write(fd, value, strlen(value));
	int saved = errno;
	if (fd >= 0)
		close(fd);
	if (w != (ssize_t)strlen(value))
		return fail_why(why, whylen, "set %s in the namespace: %s", path, errno_text(w < 0 ? saved : EIO));
	return 0;
}

long long wire_net_retrans_segs(void)
{
	char names[1024], values[1024];
	long long v = -1;
	FILE *f = fopen("/proc/net/snmp", "re"); /* /proc/net is this process's namespace's */

	if (!f)
		return -1;
	/* Pairs of lines: "Tcp: RtoAlgorithm ... RetransSegs ...", then "Tcp: 1 ... 3 ..." */
	while (v < 0 && fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		char *ns, *vs, *n = strtok_r(names, " \n", &ns), *x = strtok_r(values, " \n", &vs);
		if (!n || strcmp(n, "Tcp:") != 0)
			continue;
		while ((n = strtok_r(NULL, " \n", &ns)) && (x = strtok_r(NULL, " \n", &vs)))
			if (strcmp(n, "RetransSegs") == 0) {
				v = atoll(x);
				break;
			}
	}
	fclose(f);
	return v;
}

int wire_net_tcp_busy(void)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	int busy = 0;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char line[512];
		FILE *f = fopen(files[i], "re");
		while (f && fgets(line, sizeof line, f)) {
			unsigned state;
			/* "  0: 0100007F:0007 0100007F:D2A4 06 ...": TIME_WAIT 06, CLOSE 07, LISTEN 0A (include/net/tcp_states.h) */
			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%*x %*[0-9A-Fa-f]:%*x %x", &state) == 1 && state != 0x06 &&
			    state != 0x07 && state != 0x0a)
				busy++;
		}
		if (f)
			fclose(f);
	}
	return busy;
}
