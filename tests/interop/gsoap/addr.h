// The gSOAP WS-Addressing interop service's declarations (soapcpp2's input; build-addr.sh).
// WS-Addressing 1.0 headers come from gSOAP's wsa5.h; the service, server-addr.c, checks them
// with the wsaapi plugin. addr.wsdl describes the same service for the bridge.

//gsoap ns service name: Addr
//gsoap ns service namespace: urn:soapbridge:gsoap:addr
//gsoap ns schema namespace: urn:soapbridge:gsoap:addr
//gsoap ns schema form: qualified
//gsoap ns service style: document
//gsoap ns service encoding: literal
#import "wsa5.h"

int ns__greet(char *name, char **greeting);
int ns__greetBadly(char *name, char **greeting);
