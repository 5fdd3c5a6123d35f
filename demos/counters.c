/* counters.c - the kernel's network counters a command can cite as evidence: /proc/net/snmp, and one UDP socket's drops. */
#include "counters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

long long counters_snmp(int family, const char *proto, const char *field)
{
	char names[1024], values[1024], want[64];
	long long v = -1;
	FILE *f = fopen(family == AF_INET6 ? "/proc/net/snmp6" : "/proc/net/snmp", "r");

	if (!f)
		return -1;
	if (family == AF_INET6) { /* lines of "Udp6RcvbufErrors 12" */
		snprintf(want, sizeof want, "%s6%s", proto, field);
		while (v < 0 && fgets(names, sizeof names, f))
			if (strncmp(names, want, strlen(want)) == 0 && names[strlen(want)] == ' ')
				v = atoll(names + strlen(want));
		fclose(f);
		return v;
	}
	/* Pairs of lines: "Udp: InDatagrams NoPorts ...", then "Udp: 94 6 ..." */
	snprintf(want, sizeof want, "%s:", proto);
	while (v < 0 && fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		char *ns, *vs, *n = strtok_r(names, " \n", &ns), *x = strtok_r(values, " \n", &vs);
		if (!n || strcmp(n, want) != 0)
			continue;
		while ((n = strtok_r(NULL, " \n", &ns)) && (x = strtok_r(NULL, " \n", &vs)))
			if (strcmp(n, field) == 0) {
				v = atoll(x);
				break;
			}
	}
	fclose(f);
	return v;
}

long long counters_udp_drops(unsigned port)
{
	static const char *const files[] = { "/proc/net/udp", "/proc/net/udp6" };
	long long drops = -1;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char line[512];
		FILE *f = fopen(files[i], "r");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f)) {
			unsigned lport;
			char *tok, *save, *last = NULL;
			/* "  9: 0100007F:9C40 00000000:0000 07 ... ref pointer drops   ": the last field is this socket's count. */
			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x", &lport) != 1 || lport != port)
				continue;
			for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
				last = tok;
			if (last)
				drops = (drops < 0 ? 0 : drops) + atoll(last);
		}
		fclose(f);
	}
	return drops;
}
