/* The gSOAP WS-Addressing interop service for soapbridge's tests (tests/it/interop_gsoap.rs), on
 * the code soapcpp2 generates from addr.h, with gSOAP's wsaapi plugin (build-addr.sh builds it).
 *
 * Usage: addr-server [PORT]   (0 picks a free port)
 * Listens on 127.0.0.1:PORT, prints "READY <port>" once listening, exits 0 on SIGTERM. Every
 * request must carry WS-Addressing 1.0 headers, checked as the specification asks of them:
 * wsa:Action (soap_wsa_check: a request without it is the fault
 * wsa5:MessageAddressingHeaderRequired) equal to the operation's input action, a wsa:MessageID
 * that is an absolute URI, wsa:ReplyTo the anonymous address, wsa:To this service's address
 * http://127.0.0.1:<port>/addr; any other is a sender fault saying which. The answer is
 * addressed by soap_wsa_reply: wsa:RelatesTo the request's MessageID, and an action:
 *   greet(name)      -> greeting "Hello, <name>", action urn:soapbridge:gsoap:addr:greeted
 *   greetBadly(name) -> the same answer, with the same action (not the one addr.wsdl states
 *                       for greetBadly's output)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soapH.h"
#include "Addr.nsmap"
#include "wsaapi.h"
#include "serve.h"

static int port;

/* The request's WS-Addressing headers, checked; SOAP_OK or the fault set. */
static int require_addressing(struct soap *soap, const char *action) {
  char to[64];
  if (soap_wsa_check(soap)) return soap->error;
  struct SOAP_ENV__Header *h = soap->header;
  if (strcmp(h->wsa5__Action, action))
    return soap_wsa_sender_fault(soap, "wsa:Action is not the operation's input action", h->wsa5__Action);
  if (!h->wsa5__MessageID || !strchr(h->wsa5__MessageID, ':'))
    return soap_wsa_sender_fault(soap, "wsa:MessageID is missing or not an absolute URI", NULL);
  if (!h->wsa5__ReplyTo || !h->wsa5__ReplyTo->Address
      || strcmp(h->wsa5__ReplyTo->Address, soap_wsa_anonymousURI))
    return soap_wsa_sender_fault(soap, "wsa:ReplyTo is not the anonymous address", NULL);
  snprintf(to, sizeof to, "http://127.0.0.1:%d/addr", port);
  if (!h->wsa5__To || strcmp(h->wsa5__To, to))
    return soap_wsa_sender_fault(soap, "wsa:To is not this service's address", h->wsa5__To);
  return SOAP_OK;
}

static char *hello(struct soap *soap, const char *name) {
  size_t len = strlen(name ? name : "") + 8;
  char *out = soap_malloc(soap, len);
  snprintf(out, len, "Hello, %s", name ? name : "");
  return out;
}

int ns__greet(struct soap *soap, char *name, char **greeting) {
  if (require_addressing(soap, "urn:soapbridge:gsoap:addr:greet")) return soap->error;
  *greeting = hello(soap, name);
  return soap_wsa_reply(soap, NULL, "urn:soapbridge:gsoap:addr:greeted");
}

int ns__greetBadly(struct soap *soap, char *name, char **greeting) {
  if (require_addressing(soap, "urn:soapbridge:gsoap:addr:greetBadly")) return soap->error;
  *greeting = hello(soap, name);
  return soap_wsa_reply(soap, NULL, "urn:soapbridge:gsoap:addr:greeted");
}

/* wsa5.h declares a fault sent to a FaultTo address as a one-way operation; this service
 * receives none, and refuses one. */
int SOAP_ENV__Fault(struct soap *soap, char *faultcode, char *faultstring, char *faultactor,
                    struct SOAP_ENV__Detail *detail, struct SOAP_ENV__Code *code,
                    struct SOAP_ENV__Reason *reason, char *node, char *role,
                    struct SOAP_ENV__Detail *detail12) {
  (void)faultcode; (void)faultstring; (void)faultactor; (void)detail; (void)code;
  (void)reason; (void)node; (void)role; (void)detail12;
  return soap_sender_fault(soap, "this service takes no faults", NULL);
}

int main(int argc, char **argv) {
  struct soap *soap = soap_new1(SOAP_C_UTFSTRING);
  soap_register_plugin(soap, soap_wsa);
  return serve_on(soap, argc > 1 ? atoi(argv[1]) : 8768, &port);
}
