/* sys_msg_os.h - what the system's headers may lack for ancillary data: Linux option numbers newer than the C library. */
#ifndef SOCKLAB_SYS_MSG_OS_H
#define SOCKLAB_SYS_MSG_OS_H

#include <sys/socket.h>

/*
 * SO_PASSPIDFD, SO_PEERPIDFD and SCM_PIDFD came with Linux 6.5, SO_PASSRIGHTS
 * with 6.16; glibc 2.36
 * (Debian 12) does not define them. Their numbers are those of
 * include/uapi/asm-generic/socket.h and include/linux/socket.h, which x86,
 * arm, arm64 and riscv use; alpha, mips, parisc, powerpc and sparc have their
 * own, so there socklab leaves them undefined and says it was built without.
 * An older kernel answers ENOPROTOOPT: the runtime check.
 */
#ifdef __linux__
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__arm__) || defined(__riscv)
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83 /* Linux 6.16 */
#endif
#endif
#endif

/* Room for a control buffer that holds everything sys_recv_ctl() accepts. */
#ifdef SCM_CREDENTIALS
#define SYS_CRED_SPACE CMSG_SPACE(sizeof(struct ucred))
#else
#define SYS_CRED_SPACE 0
#endif
#define SYS_CTL_SPACE (CMSG_SPACE(sizeof(int) * SYS_FDS_MAX) + SYS_CRED_SPACE + CMSG_SPACE(sizeof(int)))

/* MSG_CMSG_CLOEXEC where it exists (Linux, the BSDs); elsewhere sys_recv_ctl() sets FD_CLOEXEC itself. */
#ifdef MSG_CMSG_CLOEXEC
#define SYS_RECV_CLOEXEC MSG_CMSG_CLOEXEC
#else
#define SYS_RECV_CLOEXEC 0
#endif

#endif
