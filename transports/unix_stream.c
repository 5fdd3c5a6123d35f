/* unix_stream.c - AF_UNIX SOCK_STREAM: a byte stream like TCP, between processes on one host. */
#include <sys/socket.h>

#include "af_unix.h"

const struct transport unix_stream_transport = {
	.scheme = "unix",
	.summary = "unix stream: a reliable byte stream between processes on this host",
	.domain = AF_UNIX,
	.type = SOCK_STREAM,
	.flags = TRANSPORT_CONNECTED | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE,
	.bind = unix_bind,
	.listen = sockops_listen,
	.accept = sockops_accept,
	.dial = sockops_connect,
	.send = sockops_send,
	.recv = sockops_stream_recv,
	.sendto = transport_no_sendto,
	.recvfrom = transport_no_recvfrom,
	.shutdown = sockops_shutdown,
	.getname = sockops_getname,
	.close = unix_close,
	.set_file_mode = unix_set_file_mode,
	.send_batch = transport_stream_send_batch,
	.recv_batch = transport_stream_recv_batch,
	.options = transport_no_options,
};
