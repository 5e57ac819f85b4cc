#!/usr/bin/env python3
"""Third-party SOAP 1.1 service for soapbridge interop tests (Python spyne).

Usage:  python3 tests/interop/spyne_service.py [PORT]      (default 8765)

Listens on 127.0.0.1:PORT, serves the WSDL at http://127.0.0.1:PORT/?wsdl,
prints "READY <port>" on stdout once listening, exits 0 on SIGTERM/SIGINT.

Style: SOAP 1.1, document/literal wrapped, targetNamespace urn:soapbridge:interop.
Everything returned is deterministic (derived from the inputs only).

Operations (soapAction == operation name; request/response wrapper elements
tns:<Op> / tns:<Op>Response, result element tns:<Op>Result):
  Add(a, b)                      -> a + b
  Echo(text, count, flag, amount) -> EchoResult{text, count, flag, amount,
                                      repeated = text * clamp(count, 0, 10),
                                      negatedFlag = not flag,
                                      doubledAmount = amount * 2 (exact)}
  GetOrder(orderId)              -> Order, with n = clamp(orderId, 0, 20):
      customer        "Customer <id>"
      shippingAddress street "<id> Main Street", city "Springfield"
      lines           n OrderLine, i = 1..n: sku "SKU-<id>-<i>", quantity i,
                      price Decimal("<10*i>.<(25*i) % 100, 2 digits>")
                      (wrapped: <tns:lines><tns:OrderLine>...</tns:lines>;
                       n == 0 gives an empty <tns:lines/>)
      orderDate       2024-01-<1 + |id| % 28>
      createdAt       same day, 12:30:45+00:00
      note            "Order <id> note" if id odd, else element absent
      giftMessage     "Gift <id>"       if id odd, else xsi:nil="true"
      tags            "tag1".."tag<min(n,2)>" (unwrapped repeated element)
      total           sum(price * quantity), 2 decimals
  GetCustomer(customerId)        -> Customer (spyne's ArrayOf-style wrappers), id = customerId:
      id, name        id, "Customer <id>"
      addresses       AddressArray: ids divisible by 5: none (an empty wrapper);
                      else "<id> Main Street"/Springfield, and for even ids also
                      "1 Harbour Road"/Portsmouth
      tags            stringArray: even ids "gold", "vip"; odd ids absent
      phoneNumbers    stringArray: ids above 100 "+1-555-<id>"; else absent
  FailIfNegative(value)          -> value; value < 0 raises the declared fault
                                    NegativeValue (faultcode
                                    soap11env:Client.NegativeValue, detail
                                    tns:NegativeValue/tns:value); value == 13
                                    raises Fault(faultcode 'Server',
                                    faultstring 'boom'). Faults use HTTP 500.
"""

import datetime
import decimal
import logging
import signal
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree
from spyne import (
    Application,
    Array,
    Boolean,
    ComplexModel,
    Date,
    DateTime,
    Decimal,
    Fault,
    Integer,
    Long,
    ServiceBase,
    Unicode,
    rpc,
)
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

TNS = "urn:soapbridge:interop"

# Plenty of precision so values like 12345678901234567.89 survive arithmetic.
decimal.getcontext().prec = 60


# ---------------------------------------------------------------- types

class EchoResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("text", Unicode),
        ("count", Integer),
        ("flag", Boolean),
        ("amount", Decimal),
        # text repeated `count` times (count clamped to 0..10)
        ("repeated", Unicode),
        # not flag
        ("negatedFlag", Boolean),
        # amount * 2, exact decimal arithmetic
        ("doubledAmount", Decimal),
    ]


class Address(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("street", Unicode),
        ("city", Unicode),
    ]


class OrderLine(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("sku", Unicode),
        ("quantity", Integer),
        ("price", Decimal),
    ]


class Order(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("orderId", Long),
        ("customer", Unicode),
        ("shippingAddress", Address),
        # wrapped array: <lines><OrderLine>..</OrderLine>...</lines>
        ("lines", Array(OrderLine)),
        ("orderDate", Date),
        ("createdAt", DateTime),
        # optional + nillable (minOccurs=0): text for odd ids, ABSENT for even ids
        ("note", Unicode(min_occurs=0, nillable=True)),
        # required + nillable (minOccurs=1): text for odd ids, xsi:nil="true" for even ids
        ("giftMessage", Unicode(min_occurs=1, nillable=True)),
        # unwrapped repeated element: <tags>..</tags><tags>..</tags>
        ("tags", Unicode(min_occurs=0, max_occurs="unbounded")),
        ("total", Decimal),
    ]


class Customer(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("id", Integer),
        ("name", Unicode),
        # wrapped arrays, spyne's ArrayOf style: <addresses><Address>..</Address></addresses>
        ("addresses", Array(Address)),
        # <tags><string>gold</string>..</tags>; absent for odd ids
        ("tags", Array(Unicode)),
        # absent (minOccurs=0) unless the id is above 100
        ("phoneNumbers", Array(Unicode, min_occurs=0)),
    ]


class NegativeValue(Fault):
    """Declared fault of FailIfNegative (appears as wsdl:fault in the WSDL).

    The SOAP fault carries faultcode soap11env:Client.NegativeValue and a
    <detail><tns:NegativeValue><tns:value>N</tns:value></tns:NegativeValue></detail>
    element matching the schema element declared for this fault.
    """

    __namespace__ = TNS
    __type_name__ = "NegativeValue"
    _type_info = [
        ("value", Integer(min_occurs=0)),
    ]

    def __init__(self, value):
        detail = etree.Element("{%s}NegativeValue" % TNS, nsmap={"tns": TNS})
        etree.SubElement(detail, "{%s}value" % TNS).text = str(value)
        super().__init__(
            faultcode="Client.NegativeValue",
            faultstring="value must not be negative: %d" % value,
            detail=detail,
        )


# ---------------------------------------------------------------- service

def _make_order(order_id):
    n = max(0, min(int(order_id), 20)) if order_id is not None else 0
    lines = [
        OrderLine(
            sku="SKU-%d-%d" % (order_id, i),
            quantity=i,
            price=decimal.Decimal("%d.%02d" % (i * 10, (i * 25) % 100)),
        )
        for i in range(1, n + 1)
    ]
    total = sum((l.price * l.quantity for l in lines), decimal.Decimal("0.00"))
    day = 1 + (abs(order_id) % 28)
    odd = abs(order_id) % 2 == 1
    return Order(
        orderId=order_id,
        customer="Customer %d" % order_id,
        shippingAddress=Address(street="%d Main Street" % order_id, city="Springfield"),
        lines=lines,
        orderDate=datetime.date(2024, 1, day),
        createdAt=datetime.datetime(2024, 1, day, 12, 30, 45, tzinfo=datetime.timezone.utc),
        note=("Order %d note" % order_id) if odd else None,
        giftMessage=("Gift %d" % order_id) if odd else None,
        tags=["tag%d" % i for i in range(1, min(n, 2) + 1)],
        total=total,
    )


def _make_customer(customer_id):
    addresses = []
    if customer_id % 5 != 0:
        addresses.append(Address(street="%d Main Street" % customer_id, city="Springfield"))
        if customer_id % 2 == 0:
            addresses.append(Address(street="1 Harbour Road", city="Portsmouth"))
    return Customer(
        id=customer_id,
        name="Customer %d" % customer_id,
        addresses=addresses,
        tags=["gold", "vip"] if customer_id % 2 == 0 else None,
        phoneNumbers=["+1-555-%d" % customer_id] if customer_id > 100 else None,
    )


class InteropService(ServiceBase):
    @rpc(Integer, Integer, _returns=Integer)
    def Add(ctx, a, b):
        return (a or 0) + (b or 0)

    @rpc(Unicode, Integer, Boolean, Decimal, _returns=EchoResult)
    def Echo(ctx, text, count, flag, amount):
        reps = max(0, min(count or 0, 10))
        return EchoResult(
            text=text,
            count=count,
            flag=flag,
            amount=amount,
            repeated=(text or "") * reps,
            negatedFlag=None if flag is None else (not flag),
            doubledAmount=None if amount is None else amount * 2,
        )

    @rpc(Long, _returns=Order)
    def GetOrder(ctx, orderId):
        return _make_order(orderId or 0)

    @rpc(Integer, _returns=Customer)
    def GetCustomer(ctx, customerId):
        return _make_customer(customerId or 0)

    @rpc(Integer, _returns=Integer, _throws=NegativeValue)
    def FailIfNegative(ctx, value):
        if value is None:
            value = 0
        if value < 0:
            raise NegativeValue(value)
        if value == 13:
            raise Fault(faultcode="Server", faultstring="boom")
        return value


application = Application(
    [InteropService],
    tns=TNS,
    name="InteropService",
    in_protocol=Soap11(validator="lxml"),
    out_protocol=Soap11(),
)


# ---------------------------------------------------------------- server

class _QuietHandler(WSGIRequestHandler):
    def log_message(self, fmt, *args):  # access log to stderr, not stdout
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))


def main(argv):
    port = int(argv[1]) if len(argv) > 1 else 8765
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    wsgi_app = WsgiApplication(application)
    httpd = make_server("127.0.0.1", port, wsgi_app,
                        server_class=WSGIServer, handler_class=_QuietHandler)
    bound_port = httpd.server_address[1]

    def _stop(signum, frame):
        # shutdown() blocks until serve_forever returns, so call it off-thread.
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    print("READY %d" % bound_port, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
