/* unix_dgram.c - AF_UNIX SOCK_DGRAM: datagrams without connections, yet reliable and ordered on one host. */
#include <sys/socket.h>

#include "af_unix.h"

const struct transport unix_dgram_transport = {
	.scheme = "unixgram",
	.summary = "unix datagram: messages without connections; the kernel never drops them",
	.domain = AF_UNIX,
	.type = SOCK_DGRAM,
	.flags = TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE,
	.bind = unix_bind,
	.listen = transport_no_listen,
	.accept = transport_no_accept,
	.dial = unix_dgram_dial,
	.send = sockops_dgram_send,
	.recv = sockops_dgram_recv,
	.sendto = sockops_dgram_sendto,
	.recvfrom = sockops_dgram_recvfrom,
	.shutdown = sockops_shutdown, /* the kernel answers: see struct transport */
	.getname = sockops_getname,
	.close = unix_close,
	.set_file_mode = unix_set_file_mode,
	.send_batch = sockops_send_batch,
	.recv_batch = sockops_recv_batch,
	.options = transport_no_options,
};
