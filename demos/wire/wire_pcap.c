/* wire_pcap.c - the capture as a classic pcap file (tcpdump -r, Wireshark), written beside its name and renamed when whole. */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The format (pcap-savefile(5), and the IETF draft "PCAP Capture File
 * Format"): a 24-byte file header, then for each frame a 16-byte record
 * header and the frame's bytes. Written in this host's byte order: the
 * magic number tells a reader which order that was.
 */
#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_SNAPLEN 262144u
#define LINKTYPE_ETHERNET 1u /* lo's frames start with a 14-byte Ethernet header */

struct pcap_file_header {
	uint32_t magic;
	uint16_t version_major, version_minor; /* 2.4 */
	int32_t thiszone;                      /* always 0: timestamps are UTC */
	uint32_t sigfigs;                      /* always 0 */
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_record_header {
	uint32_t ts_sec, ts_usec;
	uint32_t caplen, len;
};

/* Writes all of n bytes at p to fd. 0 or -1 with errno. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_frames(int fd, const struct wire_capture *c)
{
	struct pcap_file_header h = { PCAP_MAGIC_USEC, 2, 4, 0, 0, PCAP_SNAPLEN, LINKTYPE_ETHERNET };

	if (write_all(fd, &h, sizeof h) < 0)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		const struct wire_frame *f = &c->v[i];
		struct pcap_record_header r = { (uint32_t)f->ts.tv_sec, (uint32_t)(f->ts.tv_nsec / 1000),
						f->caplen < PCAP_SNAPLEN ? f->caplen : PCAP_SNAPLEN, f->wirelen };
		if (write_all(fd, &r, sizeof r) < 0 || write_all(fd, f->bytes, r.caplen) < 0)
			return -1;
	}
	return 0;
}

int wire_pcap_write(const char *path, const struct wire_capture *c)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	int saved;

	if (!tmp)
		return -1;
	snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	/* mkstemp makes the file 0600; a capture is an ordinary file: 0666 less the umask, as fopen would. */
	mode_t mask = umask(0);
	umask(mask);
	int r = fchmod(fd, 0666 & ~mask) == 0 && write_frames(fd, c) == 0 ? 0 : -1;
	saved = errno;
	if (close(fd) < 0 && r == 0)
		r = -1, saved = errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -1, saved = errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return r;
}
