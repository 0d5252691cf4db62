/*
 * hsclient: one sequential TLS client that counts handshakes per second against a TLS server on
 * 127.0.0.1, used by run.sh to measure Apache httpd and shredcache with the same client.
 *
 *   hsclient MODE TLS PORT_A PORT_B SECONDS
 *
 *   MODE  full          connect, full handshake, close; against PORT_A
 *         resume-same   one full handshake on PORT_A (keeping its session), then connect,
 *                       resume that session, close; against PORT_A
 *         resume-cross  the same, but the loop runs against PORT_B: node B must resume a
 *                       session that node A issued
 *   TLS   1.2 (session IDs: the client sends no ticket extension) or 1.3 (tickets)
 *
 * The session kept for resumption comes from a first connection that also sends an HTTP request
 * and reads the whole reply: a TLS 1.3 server may send its NewSessionTicket only together with its
 * first application data, and a session taken right after the handshake would then have no ticket.
 *
 * Prints one line on stdout, all numbers, for the script to parse:
 *
 *   handshakes=N reused=R errors=E seconds=S cpu_seconds=C
 *
 * seconds is the wall time of the loop; cpu_seconds is this process's user + system CPU time over
 * the same loop (getrusage), so the caller can show that the client is not the bottleneck.
 * Every socket has send/receive timeouts and the loop stops at its deadline, so a stuck or dead
 * server costs at most one timeout past SECONDS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Both peers are configured for exactly these; the client offers nothing else. */
#define TLS12_CIPHERS "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256"
#define TLS13_SUITES "TLS_AES_128_GCM_SHA256"
#define GROUPS "X25519:P-256"
#define SERVER_NAME "localhost"
#define IO_TIMEOUT_SECONDS 5
#define MAX_REPLY_BYTES (1 << 20)

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void usage(void) {
  fprintf(stderr, "usage: hsclient full|resume-same|resume-cross 1.2|1.3 PORT_A PORT_B SECONDS\n");
  exit(2);
}

static int parse_port(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 1 || v > 65535) {
    fprintf(stderr, "hsclient: bad port '%s'\n", s);
    exit(2);
  }
  return (int) v;
}

/* A blocking TCP connection to 127.0.0.1:port with I/O timeouts, or -1. */
static int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  struct timeval tv = {IO_TIMEOUT_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short) port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static SSL_CTX *new_context(const char *tls) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == NULL) {
    return NULL;
  }
  int version = strcmp(tls, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  if (version == TLS1_2_VERSION) {
    /* Session-ID resumption only: without this a server with tickets on would be measured on
     * tickets instead. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  }
  if (!SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) || !SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES)
      || !SSL_CTX_set1_groups_list(ctx, GROUPS)) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  /* The benchmark compares servers; verifying their throwaway certificates would only add
   * client CPU to every full handshake. */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  /* No client-side cache: the one session to resume is set explicitly on every connection. */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  return ctx;
}

/*
 * One connection: handshake (resuming `session` if given), optionally an HTTP request whose reply
 * is read to the end, then close_notify and close. Returns 1 on a completed handshake, 0 on error;
 * sets *reused and, if keep is not NULL, *keep to the connection's (latest) session.
 */
static int one_connection(SSL_CTX *ctx, int port, SSL_SESSION *session, int http, int *reused,
                          SSL_SESSION **keep) {
  int ok = 0;
  int fd = connect_loopback(port);
  if (fd < 0) {
    return 0;
  }
  SSL *ssl = SSL_new(ctx);
  if (ssl == NULL) {
    close(fd);
    return 0;
  }
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, SERVER_NAME);
  if (session != NULL) {
    SSL_set_session(ssl, session);
  }
  if (SSL_connect(ssl) == 1) {
    ok = 1;
    *reused = SSL_session_reused(ssl);
    if (http) {
      static const char request[] = "GET / HTTP/1.0\r\nHost: " SERVER_NAME "\r\nConnection: close\r\n\r\n";
      char buf[16384];
      long total = 0;
      int n;
      if (SSL_write(ssl, request, (int) sizeof request - 1) <= 0) {
        ok = 0;
      }
      /* Until the server closes (both peers close after one reply), bounded in bytes and by the
       * socket timeouts. */
      while (ok && total < MAX_REPLY_BYTES && (n = SSL_read(ssl, buf, sizeof buf)) > 0) {
        total += n;
      }
      if (ok && total == 0) {
        ok = 0;
      }
    }
    if (ok && keep != NULL) {
      *keep = SSL_get1_session(ssl);
    }
    SSL_shutdown(ssl); /* send close_notify; no need to wait for the server's */
  }
  ERR_clear_error();
  SSL_free(ssl);
  close(fd);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    usage();
  }
  const char *mode = argv[1];
  const char *tls = argv[2];
  int port_a = parse_port(argv[3]);
  int port_b = parse_port(argv[4]);
  double seconds = atof(argv[5]);
  int full = strcmp(mode, "full") == 0;
  int same = strcmp(mode, "resume-same") == 0;
  int cross = strcmp(mode, "resume-cross") == 0;
  if (!(full || same || cross) || (strcmp(tls, "1.2") != 0 && strcmp(tls, "1.3") != 0)
      || !(seconds > 0 && seconds <= 3600)) {
    usage();
  }
  SSL_CTX *ctx = new_context(tls);
  if (ctx == NULL) {
    fprintf(stderr, "hsclient: cannot set up OpenSSL client context\n");
    ERR_print_errors_fp(stderr);
    return 1;
  }

  SSL_SESSION *session = NULL;
  if (!full) {
    int reused = 0;
    if (!one_connection(ctx, port_a, NULL, 1, &reused, &session) || session == NULL) {
      fprintf(stderr, "hsclient: first connection to 127.0.0.1:%d failed\n", port_a);
      return 1;
    }
    if (!SSL_SESSION_is_resumable(session)) {
      fprintf(stderr, "hsclient: 127.0.0.1:%d gave a session that cannot be resumed"
                      " (no session ID or ticket)\n", port_a);
      return 1;
    }
  }
  int port = cross ? port_b : port_a;

  long handshakes = 0, reused_count = 0, errors = 0;
  double cpu0 = cpu_seconds();
  double t0 = now_seconds();
  double deadline = t0 + seconds;
  double t = t0;
  while (t < deadline) {
    int reused = 0;
    if (one_connection(ctx, port, session, 0, &reused, NULL)) {
      handshakes++;
      reused_count += reused;
    } else {
      errors++;
    }
    t = now_seconds();
  }
  double cpu = cpu_seconds() - cpu0;
  printf("handshakes=%ld reused=%ld errors=%ld seconds=%.3f cpu_seconds=%.3f\n", handshakes,
         reused_count, errors, t - t0, cpu);
  SSL_SESSION_free(session);
  SSL_CTX_free(ctx);
  return 0;
}
