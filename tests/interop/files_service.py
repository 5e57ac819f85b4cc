"""The file store of tests/protocol/files.wsdl, answering over HTTP on 127.0.0.1, for the
WS-Addressing and MTOM interop test (tests/it/protocol.rs).

It reads requests as zeep reads MTOM answers: requests_toolbelt's MultipartDecoder splits the
package, zeep's MessagePack and process_xop put the xop:Include parts back; it checks the
WS-Addressing 1.0 headers against the specification (one Action, the operation's; a MessageID
that is an absolute URI; ReplyTo anonymous; To this endpoint) and refuses, with a SOAP fault,
what breaks them or a PutFile that is not MTOM. Its answers relate to the request
(wsa:RelatesTo) and GetFile answers with an XOP package built by Python's email package (the
binary part base64-transfer-encoded, as MIME allows).

Usage: files_service.py PORT (0: any); prints `READY <port>` once listening.
"""

import base64
import email.policy
import hashlib
import sys
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree
from requests_toolbelt.multipart.decoder import MultipartDecoder
from zeep.wsdl.attachments import MessagePack
from zeep.wsdl.messages.xop import process_xop

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
FILES = "urn:files"
ACTIONS = {"PutFile": "urn:files:put", "GetFile": "urn:files:Files:GetFileRequest"}
STORED = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"


class Refused(Exception):
    pass


def read_request(content_type, body):
    """The request envelope (XOP parts put back) and whether it came as MTOM."""
    if content_type.startswith("multipart/related"):
        decoder = MultipartDecoder(body, content_type)
        root = decoder.parts[0]
        root_type = root.headers.get(b"Content-Type", b"").decode()
        if not root_type.startswith("application/xop+xml"):
            raise Refused("the root part is %r, not application/xop+xml" % root_type)
        doc = etree.fromstring(root.content)
        if len(decoder.parts) > 1:
            process_xop(doc, MessagePack(parts=decoder.parts[1:]))
        return doc, True
    return etree.fromstring(body), False


def check_addressing(doc, endpoint):
    """WS-Addressing 1.0 (SOAP binding, section 3): the headers of a request-reply."""
    header = doc.find("{%s}Header" % SOAP)
    if header is None:
        raise Refused("no SOAP Header: WS-Addressing is required")

    def one(name):
        found = header.findall("{%s}%s" % (WSA, name))
        if len(found) != 1:
            raise Refused("wsa:%s appears %d times" % (name, len(found)))
        return found[0]

    body = doc.find("{%s}Body" % SOAP)
    operation = etree.QName(body[0]).localname
    action = (one("Action").text or "").strip()
    if action != ACTIONS.get(operation):
        raise Refused("wsa:Action %r is not %r" % (action, ACTIONS.get(operation)))
    message_id = (one("MessageID").text or "").strip()
    if ":" not in message_id:
        raise Refused("wsa:MessageID %r is not an absolute URI" % message_id)
    address = one("ReplyTo").find("{%s}Address" % WSA)
    if address is None or address.text != WSA + "/anonymous":
        raise Refused("wsa:ReplyTo is not anonymous")
    to = (one("To").text or "").strip()
    if to != endpoint:
        raise Refused("wsa:To %r is not %r" % (to, endpoint))
    return operation, body[0], message_id


def envelope(message_id, action, body):
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s"><s:Header><a:Action s:mustUnderstand="1">%s</a:Action>'
        "<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body>%s</s:Body></s:Envelope>"
        % (SOAP, WSA, action, message_id, body)
    ).encode()


def fault(reason):
    return (
        '<s:Envelope xmlns:s="%s"><s:Body><s:Fault><faultcode>s:Client</faultcode>'
        "<faultstring>%s</faultstring></s:Fault></s:Body></s:Envelope>" % (SOAP, reason)
    ).encode()


def xop_package(root_xml, data):
    """An XOP package: the root part and one binary part, by Python's email package."""
    package = MIMEMultipart(
        "related", type="application/xop+xml", start="<root@files>", **{"start-info": "text/xml"}
    )
    root = MIMEBase("application", "xop+xml", charset="utf-8", type="text/xml")
    root.set_payload(root_xml)
    root["Content-ID"] = "<root@files>"
    root["Content-Transfer-Encoding"] = "8bit"
    package.attach(root)
    part = MIMEApplication(data, "octet-stream")
    part["Content-ID"] = "<data@files>"
    package.attach(part)
    raw = package.as_bytes(policy=email.policy.HTTP)
    head, _, body = raw.partition(b"\r\n\r\n")
    content_type = package["Content-Type"]
    return content_type, body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        sys.stderr.write("%s\n" % (args,))

    def answer(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        endpoint = "http://127.0.0.1:%d%s" % (self.server.server_port, self.path)
        try:
            doc, mtom = read_request(self.headers.get("Content-Type", ""), body)
            operation, payload, message_id = check_addressing(doc, endpoint)
            if operation == "PutFile":
                if not mtom:
                    raise Refused("PutFile must come as MTOM (the policy asks for it)")
                data = base64.b64decode(payload.find("{%s}data" % FILES).text or "")
                answer = envelope(
                    message_id,
                    "urn:files:putResponse",
                    '<PutFileResponse xmlns="%s"><size>%d</size><sha256>%s</sha256></PutFileResponse>'
                    % (FILES, len(data), hashlib.sha256(data).hexdigest()),
                )
                return self.answer(200, "text/xml; charset=utf-8", answer)
            name = payload.find("{%s}name" % FILES).text
            root = envelope(
                message_id,
                "urn:files:Files:GetFileResponse",
                '<GetFileResponse xmlns="%s"><name>%s</name><data><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:data%%40files"/></data></GetFileResponse>'
                % (FILES, name),
            )
            content_type, package = xop_package(root.decode(), STORED)
            return self.answer(200, content_type, package)
        except Refused as e:
            sys.stderr.write("refused: %s\n" % e)
            return self.answer(500, "text/xml; charset=utf-8", fault(str(e)))


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("READY %d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
