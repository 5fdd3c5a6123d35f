/* addr.h - a socket address of any family, and how to print, compare and hash one. */
#ifndef SOCKLAB_ADDR_H
#define SOCKLAB_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * A socket address with its length, as bind(2), connect(2), sendto(2) and
 * recvfrom(2) take and return it. The length matters: for AF_UNIX it says
 * whether the address is a path, an abstract name (Linux) or empty (an
 * unbound datagram socket).
 */
struct addr {
	socklen_t len;
	struct sockaddr_storage ss;
};

/* Longest text addr_format() writes, terminating NUL included. */
#define ADDR_TEXT_MAX 160

/*
 * Writes a as text into out (at most ADDR_TEXT_MAX bytes): "127.0.0.1:5555",
 * "[::1]:5555", "/tmp/echo.sock", "@name" (abstract), "(unbound)" for an
 * AF_UNIX address without a name. In a unix name, paths and abstract names
 * alike, a byte outside printable ASCII is written \xNN: peers choose their
 * names, and a log must not pass their escape sequences to a terminal.
 * Never fails; returns out.
 */
const char *addr_format(const struct addr *a, char *out, size_t outlen);

/* Returns 1 if a and b are the same address (family, length and bytes that matter). */
int addr_equal(const struct addr *a, const struct addr *b);

/* A hash of the bytes addr_equal() compares, for the datagram session table. */
uint64_t addr_hash(const struct addr *a);

/*
 * Returns 1 if a is an AF_UNIX address with no name: the address of a
 * datagram socket that never called bind(2). Nobody can send to it.
 */
int addr_is_unnamed_unix(const struct addr *a);

/* Returns the port of an AF_INET/AF_INET6 address, 0 for other families. */
unsigned addr_port(const struct addr *a);

#endif
