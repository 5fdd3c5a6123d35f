/* commands.c - the registry of subcommands: one line per program in demos/. */
#include "cli.h"

int echo_server_main(int argc, char **argv);
int echo_client_main(int argc, char **argv);
int load_main(int argc, char **argv);
int bench_main(int argc, char **argv);
int chat_server_main(int argc, char **argv);
int chat_client_main(int argc, char **argv);
int send_main(int argc, char **argv);
int recv_main(int argc, char **argv);
int pitfalls_main(int argc, char **argv);
int contrast_main(int argc, char **argv);
int congestion_main(int argc, char **argv);
int fdpass_main(int argc, char **argv);
int creds_main(int argc, char **argv);
int socketpair_main(int argc, char **argv);
int multicast_main(int argc, char **argv);
int wire_main(int argc, char **argv);

const struct command commands[] = {
	{ "echo-server", "serve echo on ENDPOINT until Ctrl-C", echo_server_main },
	{ "echo-client", "send messages to an echo server and print each reply", echo_client_main },
	{ "load", "many clients at once against an echo server, every byte checked", load_main },
	{ "chat-server", "the tutorial's chat server: a greeting, then a letter per message", chat_server_main },
	{ "chat-client", "the tutorial's chat client: send lines, print the answers", chat_client_main },
	{ "send", "send a file or standard input to a receiver, and report", send_main },
	{ "recv", "receive one transfer into a file or standard output, and report what arrived", recv_main },
	{ "pitfalls", "make one thing the tutorials gloss over happen, live", pitfalls_main },
	{ "bench", "round trips and throughput of every transport, with and without the interface", bench_main },
	{ "fdpass", "send an open file's descriptor to another process over a unix socket", fdpass_main },
	{ "creds", "who is at the other end of a unix socket: SO_PEERCRED, SO_PEERPIDFD, SCM_CREDENTIALS", creds_main },
	{ "socketpair", "two sockets born connected, with no name, for a parent and its child", socketpair_main },
	{ "multicast", "one datagram, sent once, read by every member of a group (and broadcast)", multicast_main },
	{ "contrast", "the same scenarios over every transport, side by side, as observed", contrast_main },
	{ "congestion", "TCP's congestion window on a real bottleneck, sampled from the kernel", congestion_main },
	{ "wire", "the packets of one exchange: a ladder of every packet, TCP states, a pcap file", wire_main },
	{ NULL, NULL, NULL },
};
