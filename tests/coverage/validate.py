#!/usr/bin/env python3
"""The coverage suite's independent validator (tests/it/coverage.rs): checks SOAP Body payloads
against a WSDL's XML Schema with Python `xmlschema`, which shares no code with soapbridge.

Usage: validate.py MANIFEST

The manifest is tab-separated, one directive a line:

    wsdl     <path of the WSDL>
    catalog  <URL>  <local path>          (schemas imported by absolute URL)
    doc      <envelope file>              (document style: each Body child is a global element)
    rpc      <envelope file>  <message namespace>  <message name>
                                          (rpc style: the Body child is the operation wrapper; each
                                           of its children is a part of that WSDL message)

Prints one verdict line per envelope file: `<file>\tok` or `<file>\terror\t<reason>`. When the
schema itself cannot be built it prints `schema-error\t<reason>` and exits with status 3.

The WSDL is read here, not by soapbridge: its inline schemas (and those of the WSDLs it imports)
are written out as .xsd files with the namespace declarations they inherit from the WSDL, relative
schema locations made absolute, and an xs:import added for every other inline schema's namespace
(WSDL toolkits let inline schemas see each other; xmlschema wants the import). rpc parts declared
by type are checked through a generated no-namespace schema with one element per part. Inline
schemas in the 2000/10 draft XML Schema namespace (the WSDL 1.1 note's stockquote example) are
read as XSD 1.0, their unprefixed built-in type names given the XSD prefix. Nothing is fetched:
URLs resolve through the catalog (and soap-envelope-1.2.xsd here) or fail.
"""

import copy
import os
import sys
import tempfile

from lxml import etree
import xmlschema

XSD = "http://www.w3.org/2001/XMLSchema"
# The draft XML Schema namespace of the WSDL 1.1 note's examples (stockquote): read as XSD 1.0.
XSD_DRAFT = "http://www.w3.org/2000/10/XMLSchema"
XSD_BUILTINS = {
    "string", "boolean", "float", "double", "decimal", "duration", "dateTime", "time", "date",
    "gYearMonth", "gYear", "gMonthDay", "gDay", "gMonth", "hexBinary", "base64Binary", "anyURI",
    "QName", "NOTATION", "normalizedString", "token", "language", "NMTOKEN", "NMTOKENS", "Name",
    "NCName", "ID", "IDREF", "IDREFS", "ENTITY", "ENTITIES", "integer", "nonPositiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "nonNegativeInteger", "unsignedLong",
    "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger", "anyType", "anySimpleType",
}
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP_ENVS = ("http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")
PART_PREFIX = "soapbridge.coverage.part."
HERE = os.path.dirname(os.path.abspath(__file__))
# Schemas imported by URL that no corpus package carries a copy of.
BUILT_IN_CATALOG = {
    "https://www.w3.org/2003/05/soap-envelope": os.path.join(HERE, "soap-envelope-1.2.xsd"),
    "http://www.w3.org/2003/05/soap-envelope": os.path.join(HERE, "soap-envelope-1.2.xsd"),
}


def qname(el, value):
    """Resolves a QName attribute value in `el`'s scope to (namespace, local)."""
    value = value.strip()
    if ":" in value:
        prefix, local = value.split(":", 1)
        ns = el.nsmap.get(prefix)
        if ns is None:
            raise ValueError(f"unknown prefix {prefix!r} in {value!r}")
        return ns, local
    return el.nsmap.get(None, ""), value


class Wsdl:
    def __init__(self, path, catalog):
        self.catalog = catalog
        self.messages = {}  # (ns, name) -> [(part, 'element'|'type', (ns, local))]
        self.schemas = []  # (tns, element, base dir)
        self.schema_files = []  # standalone .xsd documents imported by wsdl:import
        self.seen = set()
        self.load(os.path.abspath(path))

    def load(self, path):
        if path in self.seen:
            return
        self.seen.add(path)
        root = etree.parse(path).getroot()
        base = os.path.dirname(path)
        if root.tag == f"{{{XSD}}}schema":
            self.schema_files.append(path)
            return
        tns = root.get("targetNamespace", "")
        for imp in root.findall(f"{{{WSDL}}}import"):
            loc = imp.get("location")
            if loc:
                self.load(self.locate(loc, base))
        for types in root.findall(f"{{{WSDL}}}types"):
            for s in types.findall(f"{{{XSD}}}schema"):
                self.schemas.append((s.get("targetNamespace", ""), s, base))
            for s in types.findall(f"{{{XSD_DRAFT}}}schema"):
                self.schemas.append((s.get("targetNamespace", ""), from_draft(s), base))
        for m in root.findall(f"{{{WSDL}}}message"):
            parts = []
            for p in m.findall(f"{{{WSDL}}}part"):
                if p.get("element"):
                    parts.append((p.get("name"), "element", qname(p, p.get("element"))))
                elif p.get("type"):
                    parts.append((p.get("name"), "type", qname(p, p.get("type"))))
            self.messages[(tns, m.get("name"))] = parts

    def locate(self, loc, base):
        if loc in self.catalog:
            return os.path.abspath(self.catalog[loc])
        if "://" in loc:
            return loc
        return os.path.normpath(os.path.join(base, loc))

    def build(self, tmp):
        """Writes the schemas out and builds the xmlschema validator."""
        files = []
        first_file = {}
        for i, (tns, _, _) in enumerate(self.schemas):
            f = os.path.join(tmp, f"inline{i}.xsd")
            files.append(f)
            first_file.setdefault(tns, f)
        for path in self.schema_files:
            tns = etree.parse(path).getroot().get("targetNamespace", "")
            first_file.setdefault(tns, path)
        for (tns, s, base), f in zip(self.schemas, files):
            # A fresh root carrying every namespace declaration in scope in the WSDL.
            out = etree.Element(s.tag, attrib=dict(s.attrib), nsmap=s.nsmap)
            out.text = s.text
            for c in s:
                out.append(copy.deepcopy(c))
            imported = set()
            for imp in out:
                if imp.tag in (f"{{{XSD}}}import", f"{{{XSD}}}include", f"{{{XSD}}}redefine"):
                    loc = imp.get("schemaLocation")
                    if loc:
                        imp.set("schemaLocation", self.locate(loc, base))
                    if imp.tag == f"{{{XSD}}}import":
                        ns = imp.get("namespace", "")
                        imported.add(ns)
                        if not loc and ns in first_file and first_file[ns] != f:
                            imp.set("schemaLocation", first_file[ns])
            for ns, other in first_file.items():
                if ns != tns and ns not in imported:
                    imp = etree.Element(f"{{{XSD}}}import")
                    if ns:
                        imp.set("namespace", ns)
                    imp.set("schemaLocation", other)
                    out.insert(0, imp)
            soap_arrays(out)
            etree.ElementTree(out).write(f, xml_declaration=True, encoding="utf-8")
        # The rpc parts declared by type, as global elements of a no-namespace schema.
        nsmap = {"xs": XSD}
        prefixes = {}
        parts = etree.Element(f"{{{XSD}}}schema", nsmap=nsmap)
        for ns, f in first_file.items():
            if ns:
                imp = etree.SubElement(parts, f"{{{XSD}}}import")
                imp.set("namespace", ns)
                imp.set("schemaLocation", f)
        self.part_elements = {}
        decls = []
        for key, ps in sorted(self.messages.items()):
            for name, kind, (ns, local) in ps:
                if kind != "type":
                    continue
                if ns and ns not in prefixes:
                    prefixes[ns] = f"p{len(prefixes)}"
                ref = f"{prefixes[ns]}:{local}" if ns else local
                if ns == XSD:
                    ref = f"xs:{local}"
                el_name = f"{PART_PREFIX}{len(decls)}"
                self.part_elements[(key, name)] = el_name
                decls.append((el_name, ref))
        nsmap.update({p: ns for ns, p in prefixes.items() if ns != XSD})
        parts = rebuild(parts, nsmap)
        for el_name, ref in decls:
            e = etree.SubElement(parts, f"{{{XSD}}}element")
            e.set("name", el_name)
            e.set("type", ref)
        parts_file = os.path.join(tmp, "parts.xsd")
        etree.ElementTree(parts).write(parts_file, xml_declaration=True, encoding="utf-8")
        sources = files + [p for p in self.schema_files] + [parts_file]
        uris = dict(self.catalog)
        # Nothing is fetched: `allow="local"` refuses remote URLs (they are mapped to local copies).
        kwargs = {"uri_mapper": lambda u: uris.get(u, u), "allow": "local"}
        # gSOAP's SOAP 1.2 WSDLs refer to an Array type of the SOAP 1.2 encoding namespace that
        # its schema does not have (see soap-encoding-1.2-gsoap.xsd).
        if any(
            e.get("base", "").endswith(":Array") and "http://www.w3.org/2003/05/soap-encoding" in e.nsmap.values()
            for _, s, _ in self.schemas
            for e in s.iter(f"{{{XSD}}}restriction")
        ):
            kwargs["locations"] = [("http://www.w3.org/2003/05/soap-encoding", os.path.join(HERE, "soap-encoding-1.2-gsoap.xsd"))]
        try:
            return xmlschema.XMLSchema10(sources, **kwargs)
        except xmlschema.XMLSchemaModelError as e:
            # Content models that XSD 1.0's Unique Particle Attribution rule refuses and XSD 1.1
            # allows (an optional element before a wildcard, as the current ONVIF schemas have).
            print(f"note\tbuilt as XSD 1.1: {first_line(e)}")
            return xmlschema.XMLSchema11(sources, **kwargs)


SOAP_ENCS = ("http://schemas.xmlsoap.org/soap/encoding/", "http://www.w3.org/2003/05/soap-encoding")


def soap_arrays(schema):
    """SOAP-encoded arrays, WSDL 1.1 section 2.2's idiom: a restriction of soapenc:Array whose
    soapenc:arrayType attribute carries `wsdl:arrayType="T[]"`. Read literally, such a restriction
    has empty content; SOAP encoding means "any number of items of type T" (item names do not
    matter). That meaning is written into the schema: a sequence of `item` elements of type T,
    the name soapbridge gives its items, so each item is validated against T (or its xsi:type)."""
    for restriction in schema.iter(f"{{{XSD}}}restriction"):
        parent = restriction.getparent()
        if parent is None or parent.tag != f"{{{XSD}}}complexContent":
            continue
        try:
            base = qname(restriction, restriction.get("base", ""))
        except ValueError:
            continue
        if base[0] not in SOAP_ENCS or base[1] != "Array":
            continue
        if any(c.tag in (f"{{{XSD}}}sequence", f"{{{XSD}}}all", f"{{{XSD}}}choice", f"{{{XSD}}}group")
               for c in restriction):
            continue
        item = None
        for a in restriction.iter(f"{{{XSD}}}attribute"):
            t = a.get(f"{{{WSDL}}}arrayType")
            if t:
                item = t.strip()
                break
        if not item or "[" not in item:
            continue
        item_type = item[: item.index("[")]
        seq = etree.Element(f"{{{XSD}}}sequence")
        el = etree.SubElement(seq, f"{{{XSD}}}element")
        el.set("name", "item")
        if item.count("[") == 1:
            el.set("type", item_type)
        # Arrays of arrays (`T[][]`): the items are arrays themselves, of no declared type.
        el.set("minOccurs", "0")
        el.set("maxOccurs", "unbounded")
        el.set("nillable", "true")
        el.set("form", "unqualified")
        restriction.insert(0, seq)


def from_draft(s):
    """A schema in the 2000/10 draft namespace as an XSD 1.0 one: the namespace renamed, and
    unprefixed names of built-in types (which the draft's examples use with no default namespace)
    given the XSD prefix."""
    nsmap = {p: (XSD if u == XSD_DRAFT else u) for p, u in s.nsmap.items()}
    if XSD not in nsmap.values():
        nsmap["xs"] = XSD
    prefix = next(p for p, u in nsmap.items() if u == XSD)
    text = etree.tostring(standalone(s)).decode("utf-8").replace(XSD_DRAFT, XSD)
    out = rebuild(etree.fromstring(text), nsmap)
    for el in out.iter():
        for attr in ("type", "base", "itemType"):
            v = el.get(attr)
            if v and ":" not in v and None not in nsmap and v in XSD_BUILTINS:
                el.set(attr, f"{prefix}:{v}")
    return out


def first_line(e):
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def rebuild(el, nsmap):
    """`el` with a different set of namespace declarations (lxml fixes nsmap at creation)."""
    out = etree.Element(el.tag, attrib=dict(el.attrib), nsmap=nsmap)
    for c in el:
        out.append(c)
    return out


def standalone(el, tag=None):
    """A copy of `el` as a document of its own, with every namespace declaration in scope (QName
    values and xsi:type need them)."""
    out = etree.Element(tag or el.tag, attrib=dict(el.attrib), nsmap=el.nsmap)
    out.text = el.text
    for c in el:
        out.append(copy.deepcopy(c))
    return out


def errors(schema, el):
    for e in schema.iter_errors(el):
        reason = (e.reason or str(e)).replace("\n", " ").replace("\t", " ")
        return f"{reason} (at {e.path})"
    return None


def body_children(path):
    root = etree.parse(path).getroot()
    for ns in SOAP_ENVS:
        body = root.find(f"{{{ns}}}Body")
        if body is not None:
            return [c for c in body if isinstance(c.tag, str)]
    raise ValueError("no SOAP Body")


def check(schema, wsdl, line):
    kind, path = line[0], line[1]
    children = body_children(path)
    if kind == "doc":
        if not children:
            return None
        for c in children:
            err = errors(schema, standalone(c))
            if err:
                return f"<{etree.QName(c).localname}>: {err}"
        return None
    key = (line[2], line[3])
    if key not in wsdl.messages:
        return f"the WSDL has no message {key}"
    parts = wsdl.messages[key]
    if len(children) != 1:
        return f"expected one rpc wrapper in the Body, found {len(children)} elements"
    last = -1
    for c in children[0]:
        if not isinstance(c.tag, str):
            continue
        local = etree.QName(c).localname
        found = [(i, p) for i, p in enumerate(parts) if p[0] == local or p[2][1] == local]
        if not found:
            return f"<{local}> is no part of message {key[1]}"
        i, (name, kind_, _) = found[0]
        if i <= last:
            return f"part <{local}> out of order or repeated"
        last = i
        if kind_ == "element":
            err = errors(schema, standalone(c))
        else:
            if etree.QName(c).namespace:
                return f"rpc part accessor <{local}> is namespace-qualified"
            err = errors(schema, standalone(c, wsdl.part_elements[(key, name)]))
        if err:
            return f"part <{local}>: {err}"
    return None


def main():
    lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    catalog = dict(BUILT_IN_CATALOG)
    catalog.update({l[1]: l[2] for l in lines if l[0] == "catalog"})
    wsdl_path = next(l[1] for l in lines if l[0] == "wsdl")
    try:
        wsdl = Wsdl(wsdl_path, catalog)
        with tempfile.TemporaryDirectory() as tmp:
            schema = wsdl.build(tmp)
    except Exception as e:  # noqa: BLE001 - any failure to build is the verdict
        print(f"schema-error\t{type(e).__name__}: {first_line(e)}")
        sys.exit(3)
    for line in lines:
        if line[0] not in ("doc", "rpc"):
            continue
        try:
            err = check(schema, wsdl, line)
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}".replace("\n", " ").replace("\t", " ")
        print(f"{line[1]}\tok" if err is None else f"{line[1]}\terror\t{err}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
