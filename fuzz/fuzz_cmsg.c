/* fuzz_cmsg.c - fuzz target: control messages no kernel wrote, read by sys_ctl_parse() and printed by sys_ctl_format(). */
#include <string.h>

#include "core/sys/sys_msg.h"
#include "fuzz.h"

/* What the walk handed to drop: every descriptor it did not keep. */
struct dropped {
	size_t n;
};

static void count_drop(int fd, void *ctx)
{
	struct dropped *d = ctx;

	FUZZ_CHECK(fd >= 0); /* a negative number is not a descriptor: closing it would be a bug */
	d->n++;
}

/*
 * The first byte is how many descriptors the receiver keeps, the second whether the message was cut
 * (discard everything); the rest is the control buffer, copied to memory aligned as recvmsg's would be.
 */
int fuzz_cmsg(const uint8_t *data, size_t size)
{
	static union {
		long long align;
		unsigned char bytes[8192];
	} control;
	static struct sys_ctl ctl;
	struct dropped d = { 0 };
	char text[512], tiny[8];

	if (size < 2)
		return 0;
	size_t keep = data[0], len = size - 2 < sizeof control.bytes ? size - 2 : sizeof control.bytes;
	int discard = data[1] & 1;
	memcpy(control.bytes, data + 2, len);

	sys_ctl_parse(control.bytes, len, keep, discard, &ctl, count_drop, &d);
	FUZZ_CHECK(ctl.nfds <= keep && ctl.nfds <= SYS_FDS_MAX);
	FUZZ_CHECK(d.n == ctl.closed); /* every descriptor not kept was handed to drop, once */
	FUZZ_CHECK(!discard || (ctl.nfds == 0 && ctl.pidfd == -1));
	for (size_t i = 0; i < ctl.nfds; i++)
		FUZZ_CHECK(ctl.fds[i] >= 0);
	FUZZ_CHECK(ctl.pidfd >= -1);

	/* Printing: always a NUL-terminated line inside the buffer, however small. */
	memset(text, 'Z', sizeof text);
	sys_ctl_format(control.bytes, len, text, sizeof text);
	FUZZ_CHECK(memchr(text, '\0', sizeof text) != NULL);
	sys_ctl_format(control.bytes, len, tiny, sizeof tiny);
	FUZZ_CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
	return 0;
}
