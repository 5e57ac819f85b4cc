/* The gSOAP interop service for soapbridge's tests (tests/it/interop_gsoap.rs), on the code
 * wsdl2h and soapcpp2 generate from calc.wsdl (build.sh builds it).
 *
 * Usage: calc-server [PORT]   (0 picks a free port)
 * Listens on 127.0.0.1:PORT, prints "READY <port>" once listening, serves SOAP 1.1 and SOAP 1.2
 * (gSOAP answers in the version of the request), exits 0 on SIGTERM. Deterministic answers:
 *   add(a, b)                      -> sum = a + b
 *   echo(text, count, flag, amount) -> text, repeated = text x clamp(count, 0, 10),
 *                                     negatedFlag, doubledAmount = 2 x amount (exact digits)
 *   getOrder(orderId)              -> order with n = clamp(orderId, 0, 20): customer
 *       "Customer <id>", one Address as both shippingAddress and billingAddress (a
 *       multi-reference), lines: a SOAP array of n lines i = 1..n (sku "SKU-<id>-<i>",
 *       quantity i, price "<10i>.<25i mod 100>"), tags: a SOAP array "tag1".."tag<min(n,2)>",
 *       note "Order <id> note" when id is odd, else nil; total = sum of price x quantity
 *   sumLines(lines)                -> total = sum of price x quantity (prices of at most two
 *                                     fraction digits)
 *   failIfNegative(value)          -> result = value; value < 0 is the declared fault
 *       NegativeValue (detail ns1:NegativeValue/value); 13 is a receiver fault "boom".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soapH.h"
#include "CalcSoap11.nsmap"
#include "serve.h"

static int clamp(int n, int lo, int hi) { return n < lo ? lo : n > hi ? hi : n; }

/* Twice a decimal, digit by digit (no floating point): "-1.25" -> "-2.50". */
static char *double_decimal(struct soap *soap, const char *s) {
  size_t len = strlen(s);
  char *out = soap_malloc(soap, len + 2);
  const char *digits = s;
  int negative = 0;
  if (*digits == '-' || *digits == '+') { negative = *digits == '-'; digits++; }
  size_t n = strlen(digits);
  char *buf = soap_malloc(soap, n + 2);
  int carry = 0;
  buf[n + 1] = '\0';
  for (size_t i = n; i-- > 0;) {
    char c = digits[i];
    if (c == '.') { buf[i + 1] = '.'; continue; }
    int d = (c - '0') * 2 + carry;
    buf[i + 1] = (char)('0' + d % 10);
    carry = d / 10;
  }
  buf[0] = (char)('0' + carry);
  const char *start = carry ? buf : buf + 1;
  snprintf(out, len + 2, "%s%s", negative ? "-" : "", start);
  return out;
}

/* A decimal of at most two fraction digits as hundredths ("20.5" -> 2050). */
static long long cents(const char *s) {
  long long whole = 0, frac = 0;
  int sign = 1, fd = 0;
  if (*s == '-') { sign = -1; s++; } else if (*s == '+') { s++; }
  while (*s >= '0' && *s <= '9') whole = whole * 10 + (*s++ - '0');
  if (*s == '.') {
    s++;
    while (*s >= '0' && *s <= '9' && fd < 2) { frac = frac * 10 + (*s++ - '0'); fd++; }
  }
  while (fd++ < 2) frac *= 10;
  return sign * (whole * 100 + frac);
}

static char *format_cents(struct soap *soap, long long c) {
  char *out = soap_malloc(soap, 32);
  snprintf(out, 32, "%s%lld.%02lld", c < 0 ? "-" : "", llabs(c) / 100, llabs(c) % 100);
  return out;
}

static char *format(struct soap *soap, const char *fmt, int n) {
  char *out = soap_malloc(soap, 64);
  snprintf(out, 64, fmt, n);
  return out;
}

int ns1__add(struct soap *soap, int a, int b, int *sum) {
  (void)soap;
  *sum = a + b;
  return SOAP_OK;
}

int ns1__echo(struct soap *soap, char *text, int count, enum xsd__boolean flag, char *amount,
              struct ns1__echoResponse *r) {
  int times = clamp(count, 0, 10);
  size_t len = text ? strlen(text) : 0;
  char *repeated = soap_malloc(soap, len * (size_t)times + 1);
  repeated[0] = '\0';
  for (int i = 0; i < times; i++) strcat(repeated, text);
  r->text = text;
  r->repeated = repeated;
  r->negatedFlag = flag == xsd__boolean__true_ ? xsd__boolean__false_ : xsd__boolean__true_;
  r->doubledAmount = double_decimal(soap, amount ? amount : "0");
  return SOAP_OK;
}

int ns1__getOrder(struct soap *soap, int id, struct ns1__getOrderResponse *r) {
  int n = clamp(id, 0, 20);
  struct ns1__Order *o = soap_new_ns1__Order(soap, -1);
  struct ns1__Address *address = soap_new_ns1__Address(soap, -1);
  address->street = format(soap, "%d Main Street", id);
  address->city = "Springfield";
  o->id = id;
  o->customer = format(soap, "Customer %d", id);
  o->shippingAddress = address;
  o->billingAddress = address; /* the same value twice: a multi-reference */
  o->lines = soap_new_ArrayOfLine(soap, -1);
  o->lines->__size = n;
  o->lines->__ptr = soap_malloc(soap, sizeof(struct ns1__Line *) * (size_t)(n ? n : 1));
  long long total = 0;
  for (int i = 1; i <= n; i++) {
    struct ns1__Line *line = soap_new_ns1__Line(soap, -1);
    long long c = 1000LL * i + (25 * i) % 100;
    line->sku = soap_malloc(soap, 32);
    snprintf(line->sku, 32, "SKU-%d-%d", id, i);
    line->quantity = i;
    line->price = format_cents(soap, c);
    total += c * i;
    o->lines->__ptr[i - 1] = line;
  }
  o->tags = soap_new_ArrayOfString(soap, -1);
  o->tags->__size = n < 2 ? n : 2;
  o->tags->__ptr = soap_malloc(soap, sizeof(char *) * 2);
  o->tags->__ptr[0] = "tag1";
  o->tags->__ptr[1] = "tag2";
  o->note = abs(id) % 2 == 1 ? format(soap, "Order %d note", id) : NULL;
  o->total = format_cents(soap, total);
  r->order = o;
  return SOAP_OK;
}

int ns1__sumLines(struct soap *soap, struct ArrayOfLine *lines, char **total) {
  long long sum = 0;
  for (int i = 0; lines && i < lines->__size; i++) {
    struct ns1__Line *line = lines->__ptr[i];
    if (line && line->price) sum += cents(line->price) * line->quantity;
  }
  *total = format_cents(soap, sum);
  return SOAP_OK;
}

int ns1__failIfNegative(struct soap *soap, int value, int *result) {
  if (value < 0) {
    char *message = format(soap, "value must not be negative: %d", value);
    soap_sender_fault(soap, message, NULL);
    struct _ns1__NegativeValue *d = soap_new__ns1__NegativeValue(soap, -1);
    d->value = value;
    struct SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap, -1);
    detail->ns1__NegativeValue = d;
    if (soap->version == 2)
      soap->fault->SOAP_ENV__Detail = detail;
    else
      soap->fault->detail = detail;
    return SOAP_FAULT;
  }
  if (value == 13) return soap_receiver_fault(soap, "boom", NULL);
  *result = value;
  return SOAP_OK;
}

/* The SOAP 1.2 binding's operations: the same service. */
int ns1__add_(struct soap *soap, int a, int b, int *sum) { return ns1__add(soap, a, b, sum); }
int ns1__echo_(struct soap *soap, char *text, int count, enum xsd__boolean flag, char *amount,
               struct ns1__echoResponse_ *r) {
  struct ns1__echoResponse same;
  int rc = ns1__echo(soap, text, count, flag, amount, &same);
  r->text = same.text;
  r->repeated = same.repeated;
  r->negatedFlag = same.negatedFlag;
  r->doubledAmount = same.doubledAmount;
  return rc;
}
int ns1__getOrder_(struct soap *soap, int id, struct ns1__getOrderResponse_ *r) {
  struct ns1__getOrderResponse same;
  int rc = ns1__getOrder(soap, id, &same);
  r->order = same.order;
  return rc;
}
int ns1__sumLines_(struct soap *soap, struct ArrayOfLine *lines, char **total) {
  return ns1__sumLines(soap, lines, total);
}
int ns1__failIfNegative_(struct soap *soap, int value, int *result) {
  return ns1__failIfNegative(soap, value, result);
}

int main(int argc, char **argv) {
  struct soap *soap = soap_new1(SOAP_C_UTFSTRING);
  return serve_on(soap, argc > 1 ? atoi(argv[1]) : 8767, NULL);
}
