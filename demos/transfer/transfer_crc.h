/* transfer_crc.h - the two ways transfer_crc.c computes the cksum(1) CRC, named so that tests can hold them to each other. */
#ifndef SOCKLAB_TRANSFER_CRC_H
#define SOCKLAB_TRANSFER_CRC_H

#include <stddef.h>
#include <stdint.h>

/*
 * xfer_crc_update() (transfer_proto.h) is one of these, chosen by the CPU:
 * both take and return the running CRC as it does, and give the same result
 * for the same bytes, however they are cut into pieces.
 */

/* Table-driven, eight bytes per step ("slicing-by-8"): every CPU. */
uint32_t xfer_crc_slice8(uint32_t crc, const void *buf, size_t len);
/*
 * Carry-less multiplication (PCLMULQDQ), 64 bytes per step, for pieces of 64
 * bytes or more on an x86-64 CPU that has it; otherwise xfer_crc_slice8().
 */
uint32_t xfer_crc_clmul(uint32_t crc, const void *buf, size_t len);
/* 1 when xfer_crc_clmul() really uses the CPU's carry-less multiplication. */
int xfer_crc_has_clmul(void);

#endif
