#!/usr/bin/env node
// A SOAP service on the npm `soap` package's server (node-soap), for soapbridge's interop tests
// (tests/it/interop_node.rs). Install with `npm ci` in this folder.
//
// Usage: node tests/interop/node/service.js [PORT]   (default 8766; 0 picks a free port)
//
// Listens on 127.0.0.1:PORT and serves orders.wsdl: SOAP 1.1 at /soap11, SOAP 1.2 at /soap12
// (the WSDL at /soap11?wsdl), prints "READY <port>" once listening, exits 0 on SIGTERM.
// Answers are deterministic (derived from the inputs only):
//   Add(a, b)                        -> sum = a + b
//   Echo(text, count, flag, amount)  -> text, repeated = text x clamp(count, 0, 10), count, flag,
//                                       negatedFlag, amount, doubledAmount = 2 x amount (exact)
//   GetOrder(orderId)                -> order with n = clamp(orderId, 0, 20): customer
//       "Customer <id>", shippingAddress "<id> Main Street" / "Springfield", lines: n lines
//       i = 1..n (sku "SKU-<id>-<i>", quantity i, price "<10i>.<25i mod 100, 2 digits>"), tags
//       "tag1".."tag<min(n,2)>", note "Order <id> note" when id is odd (else absent),
//       giftMessage "Gift <id>" when id is odd (else xsi:nil), total = sum of price x quantity
//   FailIfNegative(value)            -> value; value < 0 is the declared fault NegativeValue
//                                       (detail tns:NegativeValue/tns:value, HTTP 500); 13 is
//                                       a receiver fault "boom".
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const soap = require('soap');

const TNS = 'urn:soapbridge:node';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const wsdl = fs.readFileSync(path.join(__dirname, 'orders.wsdl'), 'utf8');

// Exact decimals as [BigInt units, scale]: no float ever touches a value.
function parseDecimal(text) {
  const s = String(text).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] || '') === '')) throw new Error(`not a decimal: ${s}`);
  const frac = m[3] || '';
  const units = BigInt((m[2] || '0') + frac) * (m[1] === '-' ? -1n : 1n);
  return [units, frac.length];
}

function formatDecimal([units, scale]) {
  const neg = units < 0n;
  let digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return (neg ? '-' : '') + out;
}

function clamp(n, lo, hi) {
  return Math.max(lo, Math.min(hi, n));
}

function soapFault(soap12, client, message, detail) {
  const fault = soap12
    ? {
        Code: { Value: client ? 'soap:Sender' : 'soap:Receiver' },
        Reason: { Text: message },
      }
    : { faultcode: client ? 'soap:Client' : 'soap:Server', faultstring: message };
  if (detail) {
    fault[soap12 ? 'Detail' : 'detail'] = detail;
  }
  return { Fault: { ...fault, statusCode: 500 } };
}

function implementation(soap12) {
  return {
    Add(args) {
      return { sum: Number(args.a) + Number(args.b) };
    },
    Echo(args) {
      const text = String(args.text);
      const count = Number(args.count);
      const flag = args.flag === true || args.flag === 'true' || args.flag === '1';
      const [units, scale] = parseDecimal(args.amount);
      return {
        text,
        repeated: text.repeat(clamp(count, 0, 10)),
        count,
        flag,
        negatedFlag: !flag,
        amount: formatDecimal([units, scale]),
        doubledAmount: formatDecimal([units * 2n, scale]),
      };
    },
    GetOrder(args) {
      const id = Number(args.orderId);
      const n = clamp(id, 0, 20);
      const lines = [];
      let total = 0n; // cents
      for (let i = 1; i <= n; i++) {
        const cents = BigInt(1000 * i + ((25 * i) % 100));
        total += cents * BigInt(i);
        lines.push({ sku: `SKU-${id}-${i}`, quantity: i, price: formatDecimal([cents, 2]) });
      }
      const order = {
        id,
        customer: `Customer ${id}`,
        shippingAddress: { street: `${id} Main Street`, city: 'Springfield' },
        lines: { line: lines },
        tags: ['tag1', 'tag2'].slice(0, Math.min(n, 2)),
      };
      if (Math.abs(id) % 2 === 1) {
        order.note = `Order ${id} note`;
      }
      // node-soap writes `null` as xsi:nil without declaring xsi (the envelope only declares
      // namespaces outside w3.org): nil with its declaration, through node-soap's attributes.
      order.giftMessage =
        Math.abs(id) % 2 === 1 ? `Gift ${id}` : { attributes: { 'xmlns:xsi': XSI, 'xsi:nil': 'true' } };
      order.total = formatDecimal([total, 2]);
      return { order };
    },
    FailIfNegative(args) {
      const value = Number(args.value);
      if (value < 0) {
        // Raw XML: node-soap would put a SOAP 1.2 fault's detail elements in the envelope's
        // namespace.
        throw soapFault(soap12, true, `value must not be negative: ${value}`, {
          $xml: `<NegativeValue xmlns="${TNS}"><value>${value}</value></NegativeValue>`,
        });
      }
      if (value === 13) {
        throw soapFault(soap12, false, 'boom');
      }
      return { value };
    },
  };
}

const services = {
  OrdersService: { OrdersSoap11: implementation(false), OrdersSoap12: implementation(true) },
};

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end();
});
// Decimals stay text (node-soap would read them as floats and lose digits).
const customDeserializer = { decimal: (text) => text };
soap.listen(server, { path: '/soap11', services, xml: wsdl, customDeserializer });
soap.listen(server, {
  path: '/soap12',
  services,
  xml: wsdl,
  customDeserializer,
  forceSoap12Headers: true,
});

const port = Number(process.argv[2] || 8766);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
