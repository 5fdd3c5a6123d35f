/* transfer_proto.h - the transfer protocol (xfer_*): the header send and recv put in each message, the checksum, the receiver's tally. */
#ifndef SOCKLAB_TRANSFER_PROTO_H
#define SOCKLAB_TRANSFER_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Over a message transport (udp, unixgram, unixpacket) every message starts
 * with this header, so that the receiver can count exactly what was lost,
 * reordered or duplicated: the sequence numbers say which datagrams it never
 * saw, and the sender's own totals (END, sent again until acknowledged) say
 * how many there were.
 *
 * Over a stream (tcp, unix) the data goes as raw bytes, so that nc and socat
 * can stand in for either side; but an end of stream does not say that all
 * was sent (a sender killed half-way closes its end too). So when both ends
 * are socklab's, the data is framed, and the receiver can check its end:
 *
 *   recv -> send   XFER_HELLO, a line of text, as soon as the connection is
 *                  accepted (nc or socat print it: it says who is there)
 *   send -> recv   a START header (40 bytes), the raw data, an END header with
 *                  the bytes and their cksum; then its end of stream
 *   recv -> send   an ACK header: the bytes it got and their cksum; then close
 *
 * A sender that hears no hello within XFER_HELLO_MS sends raw bytes only; a
 * receiver whose stream does not begin with START takes raw bytes, and says
 * that whether all of them came cannot be known.
 *
 *   offset  size  field (big-endian, "network byte order")
 *        0     4  magic "SLX1"
 *        4     1  type: 1 DATA, 2 END, 3 ACK, 4 START (streams: framed data follows)
 *        5     3  zero
 *        8     8  count   DATA: this message's number, from 0
 *                         END: messages sent     ACK: distinct messages received
 *       16     8  bytes   DATA: where its payload starts in the data
 *                         END: bytes sent        ACK: bytes written, in order
 *       24     4  length  DATA: payload bytes after the header; otherwise 0
 *       28     4  check   DATA: cksum of the payload
 *                         END: cksum of all the data   ACK: of the bytes written
 *       32     4  dups    ACK: messages received twice or more; otherwise 0
 *       36     4  late    ACK: messages that came after a later one; otherwise 0
 *
 * Everything here is pure (no I/O), so it can be fuzzed.
 */

#define XFER_HEADER_SIZE 40
#define XFER_HELLO "socklab recv: ready (SLX1)\n" /* a stream receiver's greeting */
#define XFER_HELLO_MS 500 /* a stream sender waits this long for it, at most */
#define XFER_PAYLOAD_MAX 65000 /* a UDP datagram holds 65507 bytes; keep within it */
#define XFER_COUNT_MAX (1ULL << 26) /* messages in one transfer: bounds the tally's memory (8 MiB) */

enum xfer_type { XFER_DATA = 1, XFER_END = 2, XFER_ACK = 3, XFER_START = 4 };

struct xfer_header {
	enum xfer_type type;
	uint64_t count;
	uint64_t bytes;
	uint32_t length;
	uint32_t check;
	uint32_t dups;
	uint32_t late;
};

/* Writes h as XFER_HEADER_SIZE bytes at out. */
void xfer_encode(const struct xfer_header *h, unsigned char *out);

/*
 * Reads the message of len bytes at buf into *h. Returns 0, or -1 with the
 * reason in *why: too short, not socklab's (magic), an unknown type, a length
 * that is not what arrived, a DATA count beyond XFER_COUNT_MAX, a payload
 * whose checksum differs (corrupted). The payload, for DATA, follows the header.
 */
int xfer_decode(const void *buf, size_t len, struct xfer_header *h, const char **why);

/*
 * The POSIX cksum(1) checksum, built up as data passes: crc starts at 0,
 * xfer_crc_update() takes each piece in order, and xfer_cksum() finishes
 * with the total length. The result is what `cksum FILE` prints first.
 */
uint32_t xfer_crc_update(uint32_t crc, const void *buf, size_t len);
uint32_t xfer_cksum(uint32_t crc, uint64_t total);

/* What the receiver has seen, counted from sequence numbers. */
struct xfer_tally {
	unsigned char *seen; /* a bit per message number */
	uint64_t nbits;      /* room in seen */
	uint64_t next;       /* one past the highest number seen */
	uint64_t received, dups, late;
};

/* How a message arrived. */
enum xfer_arrival {
	XFER_NEW,       /* first time, in order */
	XFER_LATE,      /* first time, after a higher number: the network reordered it */
	XFER_DUPLICATE, /* seen before: the network duplicated it */
};

/*
 * Counts message number n. Returns its enum xfer_arrival, or -1 with errno
 * (ENOMEM; EINVAL when n >= XFER_COUNT_MAX). Allocates as n grows; start
 * from a zeroed struct and end with xfer_tally_free().
 */
int xfer_tally_add(struct xfer_tally *t, uint64_t n);
/* Messages of sent that never arrived. */
uint64_t xfer_tally_lost(const struct xfer_tally *t, uint64_t sent);
/* Frees what t holds and zeroes it. */
void xfer_tally_free(struct xfer_tally *t);

#endif
