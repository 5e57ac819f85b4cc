/* The listening loop both gSOAP interop services share (server.c, server-addr.c); include it
 * after soapH.h.
 *
 * serve_on(soap, port, bound): with the soap context set up (plugins registered), binds
 * 127.0.0.1:PORT (0 picks a free port), stores the port bound in *bound (unless NULL), prints
 * "READY <port>" once listening, and serves one request per connection (30 s to read or write
 * one) until SIGTERM or SIGINT, which exit 0. Returns 1 when it cannot bind.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void serve_stop(int sig) {
  (void)sig;
  _exit(0);
}

static int serve_on(struct soap *soap, int port, int *bound) {
  soap->bind_flags = SO_REUSEADDR;
  soap->accept_timeout = 0;
  soap->recv_timeout = 30;
  soap->send_timeout = 30;
  SOAP_SOCKET m = soap_bind(soap, "127.0.0.1", port, 16);
  if (!soap_valid_socket(m)) {
    soap_print_fault(soap, stderr);
    return 1;
  }
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  getsockname(m, (struct sockaddr *)&addr, &len);
  if (bound) *bound = ntohs(addr.sin_port);
  signal(SIGTERM, serve_stop);
  signal(SIGINT, serve_stop);
  printf("READY %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    SOAP_SOCKET s = soap_accept(soap);
    if (!soap_valid_socket(s)) {
      soap_print_fault(soap, stderr);
      continue;
    }
    soap_serve(soap);
    soap_destroy(soap);
    soap_end(soap);
  }
}
