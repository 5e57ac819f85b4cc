"""An independent check of soapbridge's WS-Security UsernameToken, with python-zeep's
`zeep.wsse.username.UsernameToken` (tests/it/upstream_auth.rs runs it).

    wsse_zeep.py verify TTL_SECONDS   < envelope.xml
        Reads a request envelope soapbridge sent. For a PasswordDigest token, zeep builds its
        own token from the envelope's nonce and Created and the password; its digest must be the
        envelope's. For PasswordText, the password must be the one given. Created must be within
        five minutes of now, and a Timestamp (when TTL_SECONDS > 0) must expire TTL_SECONDS after
        it was created. Prints `OK` or why not (exit 1).

    wsse_zeep.py produce
        Prints the wsse:Security header zeep writes for a PasswordDigest token (a nonce of zeep's
        own), for soapbridge to recompute the digest.

The user name and password come from WSSE_USERNAME and WSSE_PASSWORD.
"""

import base64
import datetime
import os
import sys

from lxml import etree
from zeep.wsse.username import UsernameToken

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS = {"wsse": WSSE, "wsu": WSU}
UTC = datetime.timezone.utc


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def zeep_digest(username, password, nonce, created):
    """The token zeep writes for this nonce and time: zeep draws its nonce from os.urandom."""
    real = os.urandom
    os.urandom = lambda n: nonce
    try:
        envelope = etree.Element("{%s}Envelope" % SOAP11, nsmap={"soap": SOAP11})
        etree.SubElement(envelope, "{%s}Body" % SOAP11)
        token = UsernameToken(username, password, use_digest=True, created=created, zulu_timestamp=True)
        token.apply(envelope, {})
    finally:
        os.urandom = real
    t = envelope.find(".//wsse:UsernameToken", NS)
    return (
        t.findtext("wsse:Password", namespaces=NS),
        t.findtext("wsse:Nonce", namespaces=NS),
        t.findtext("wsu:Created", namespaces=NS),
    )


def verify(envelope_xml, ttl):
    username, password = os.environ["WSSE_USERNAME"], os.environ["WSSE_PASSWORD"]
    doc = etree.fromstring(envelope_xml)
    security = doc.find("{%s}Header/wsse:Security" % SOAP11, NS)
    if security is None:
        return "no wsse:Security in the soap:Header"
    token = security.find("wsse:UsernameToken", NS)
    if token is None or token.findtext("wsse:Username", namespaces=NS) != username:
        return "no UsernameToken for %r" % username
    password_el = token.find("wsse:Password", NS)
    kind = password_el.get("Type", "")
    now = datetime.datetime.now(UTC)
    if kind.endswith("#PasswordText"):
        if password_el.text != password:
            return "PasswordText is not the password"
    elif kind.endswith("#PasswordDigest"):
        nonce_b64 = token.findtext("wsse:Nonce", namespaces=NS)
        created = token.findtext("wsu:Created", namespaces=NS)
        nonce = base64.b64decode(nonce_b64)
        if len(nonce) < 16:
            return "the nonce has %d bytes, fewer than 16" % len(nonce)
        when = parse_time(created)
        if abs((now - when).total_seconds()) > 300:
            return "Created %s is not fresh" % created
        digest, zeep_nonce, zeep_created = zeep_digest(username, password, nonce, when)
        if (zeep_nonce, zeep_created) != (nonce_b64, created):
            return "zeep wrote nonce %s created %s" % (zeep_nonce, zeep_created)
        if digest != password_el.text:
            return "digest %s, zeep computes %s" % (password_el.text, digest)
    else:
        return "unknown password type %r" % kind
    timestamp = security.find("wsu:Timestamp", NS)
    if ttl > 0:
        if timestamp is None:
            return "no wsu:Timestamp"
        created = parse_time(timestamp.findtext("wsu:Created", namespaces=NS))
        expires = parse_time(timestamp.findtext("wsu:Expires", namespaces=NS))
        if (expires - created).total_seconds() != ttl:
            return "the Timestamp lives %s, not %ss" % (expires - created, ttl)
        if not created <= now + datetime.timedelta(seconds=5) < expires:
            return "the Timestamp is not current"
    elif timestamp is not None:
        return "an unexpected wsu:Timestamp"
    return "OK"


def produce():
    username, password = os.environ["WSSE_USERNAME"], os.environ["WSSE_PASSWORD"]
    envelope = etree.Element("{%s}Envelope" % SOAP11, nsmap={"soap": SOAP11})
    etree.SubElement(envelope, "{%s}Body" % SOAP11)
    UsernameToken(username, password, use_digest=True, zulu_timestamp=True).apply(envelope, {})
    security = envelope.find(".//wsse:Security", NS)
    return etree.tostring(security).decode()


if __name__ == "__main__":
    if sys.argv[1] == "verify":
        verdict = verify(sys.stdin.buffer.read(), int(sys.argv[2]))
        print(verdict)
        sys.exit(0 if verdict == "OK" else 1)
    print(produce())
