/* unix_seqpacket.c - AF_UNIX SOCK_SEQPACKET: connections like a stream, message boundaries like datagrams. */
#include <sys/socket.h>

#include "af_unix.h"

const struct transport unix_seqpacket_transport = {
	.scheme = "unixpacket",
	.summary = "unix seqpacket: a connection that keeps message boundaries",
	.domain = AF_UNIX,
	.type = SOCK_SEQPACKET,
	.flags = TRANSPORT_CONNECTED | TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE,
	.bind = unix_bind,
	.listen = sockops_listen,
	.accept = sockops_accept,
	.dial = sockops_connect,
	.send = sockops_send,
	.recv = sockops_msg_recv,
	.sendto = transport_no_sendto,
	.recvfrom = transport_no_recvfrom,
	.shutdown = sockops_shutdown,
	.getname = sockops_getname,
	.close = unix_close,
	.set_file_mode = unix_set_file_mode,
	.send_batch = sockops_send_batch,
	.recv_batch = sockops_recv_batch,
	.options = transport_no_options,
};
