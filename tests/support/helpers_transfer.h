/* helpers_transfer.h - files and receivers for the send/recv tests (test_transfer*.c). */
#ifndef SOCKLAB_HELPERS_TRANSFER_H
#define SOCKLAB_HELPERS_TRANSFER_H

#include <stddef.h>
#include <stdint.h>

#include "helpers.h"

/* Writes len seeded random bytes to path; returns their cksum (as cksum(1) prints it). Asserts on failure. */
uint32_t test_make_file(const char *path, size_t len, unsigned seed);
/* 1 if the two files hold the same bytes. */
int test_same_file(const char *a, const char *b);
/* Starts `socklab recv ENDPOINT FILE` for t in dir, with out as FILE; asserts that it started. */
void test_start_recv(struct test_server *srv, const struct transport *t, const char *dir, const char *out);

#endif
