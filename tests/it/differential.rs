//! Differential test of our XSD validator ([`Validator`]) against an independent one (Python
//! `xmlschema`, through the coverage suite's `tests/coverage/validate.py`): sample payloads of a
//! fixed selection of corpus operations (document/literal only), valid ones and copies with ONE
//! mutation each (a wrong enumeration value, a missing required element, an extra undeclared
//! element, a bad number, too many items), judged by both validators; the verdicts (valid or not)
//! must agree.
//!
//! Mutations are found with schema knowledge (the element declarations along the payload) and
//! applied as text edits to the envelope; whether a mutated document is really invalid is for
//! the independent validator to say, this test only compares. Mutations of a sample that the
//! independent validator already refuses are not counted (nothing to compare against).
//!
//! Ignored without `SOAPBRIDGE_CORPUS` (`.ci/run` sets it and runs it with `--include-ignored`);
//! then a missing corpus file or validator is a failure. `tests/differential/known.tsv` lists the disagreements known today,
//! each with its reason; any other disagreement fails, and so does a listed one that is gone.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use roxmltree::{Document, Node};
use soapbridge::convert::operation::{BodyLayout, ServicePlan};
use soapbridge::mock::sample::Sampler;
use soapbridge::xsd::model::{Content, MaxOccurs, Primitive, Term, TypeKind, Variety};
use soapbridge::xsd::validate::Validator;
use soapbridge::xsd::{ElementId, QName, Schema, TypeId};

use super::corpus::{compile_entry, corpus, validator_catalog};
use super::coverage::{one_line, round_trip, sample_fields, start_validator, verdicts};

const KNOWN: &str = "tests/differential/known.tsv";
/// Operations per entry at most: larger entries take every ⌈n/CAP⌉-th operation.
const CAP: usize = 12;
/// The extra element: declared nowhere (a wildcard admitting other namespaces may take it).
const UNDECLARED: &str =
    "<soapbridgeUndeclared xmlns=\"urn:soapbridge:differential\">x</soapbridgeUndeclared>";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Document/literal entries: the smaller ones whole, the large ones (EWS, vim25, Salesforce,
/// ONVIF, EC2, eDialog) through the stride of [`CAP`].
const SELECTED: &[&str] = &[
    "fastify-soap-client/dneonline-calculator/calculator.wsdl",
    "gowsdl/amazon-ec2/ec2.wsdl",
    "gowsdl/gs1-epcis-1.2/EPCglobal-epcis-query-1_2.wsdl",
    "gowsdl/mnb-exchange/mnb-exchange.wsdl",
    "node-soap/afip-logincms/logincms.wsdl",
    "node-soap/cybersource-transaction-1.26/CyberSourceTransaction_1.26.wsdl",
    "onvif-specs/onvif-current/wsdl/ver10/device/wsdl/devicemgmt.wsdl",
    "php-ews/exchange-ews/services.wsdl",
    "python-fedex/fedex-rate-v28/RateService_v28.wsdl",
    "python-fedex/fedex-track-v16/TrackService_v16.wsdl",
    "python-onvif/onvif-2.x-bundle/wsdl/media.wsdl",
    "salesforce-php-toolkit/salesforce-enterprise/enterprise.wsdl.xml",
    "salesforce-php-toolkit/salesforce-metadata/metadata.wsdl.xml",
    "savon/amazon-ecs-awse/awse.wsdl",
    "savon/betfair-exchange/betfair.wsdl",
    "savon/document-literal-wrapped/document_literal_wrapped.wsdl",
    "savon/edialog/edialog.wsdl",
    "savon/equifax/equifax.wsdl",
    "savon/eu-vies-checkvat/vies.xml",
    "savon/interhome/interhome.wsdl",
    "savon/oracle-multiport/oracle.wsdl",
    "savon/taxcloud/taxcloud.wsdl",
    "savon/w3schools-tempconvert/temperature.wsdl",
    "soap-go/webservicex-globalweather/GlobalWeather.wsdl",
    "vsphere-ws/vim25/vimService.wsdl",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Valid,
    Enum,
    Missing,
    Extra,
    Number,
    TooMany,
}

const KINDS: [Kind; 6] = [
    Kind::Valid,
    Kind::Enum,
    Kind::Missing,
    Kind::Extra,
    Kind::Number,
    Kind::TooMany,
];

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Valid => "valid",
            Kind::Enum => "wrong-enum",
            Kind::Missing => "missing-required",
            Kind::Extra => "extra-element",
            Kind::Number => "bad-number",
            Kind::TooMany => "too-many",
        }
    }
}

/// One text edit: replace `range` of the envelope with `with`.
struct Edit {
    range: Range<usize>,
    with: String,
    what: String,
}

/// One document both validators judge.
struct Doc {
    entry: &'static str,
    /// `operation/in` or `operation/out`.
    message: String,
    kind: Kind,
    file: PathBuf,
    /// The valid sample it was made from (None for the samples themselves).
    base: Option<PathBuf>,
    what: String,
    /// Our verdict: None = valid, or the first violation.
    ours: Option<String>,
}

/// The simple type of an element's text: its own type, or a complex type's simple content.
fn text_type(schema: &Schema, t: TypeId) -> Option<TypeId> {
    match &schema.ty(t).kind {
        TypeKind::Simple(_) => Some(t),
        TypeKind::Complex(c) => match c.content {
            Content::Simple(s) => Some(s),
            _ => None,
        },
    }
}

/// An element particle of a content model, with what its context allows.
#[derive(Clone, Copy)]
struct Slot {
    decl: ElementId,
    min: u32,
    max: MaxOccurs,
    /// Every enclosing group is required once and none is a choice: the element must appear.
    required: bool,
    /// Every enclosing group occurs at most once: `max` bounds the element's count.
    single: bool,
}

fn slots(p: &soapbridge::xsd::model::Particle, required: bool, single: bool, out: &mut Vec<Slot>) {
    match &p.term {
        Term::Element(e) => out.push(Slot {
            decl: *e,
            min: p.min,
            max: p.max,
            required,
            single,
        }),
        Term::Sequence(ps) | Term::All(ps) => {
            let single = single && p.max == MaxOccurs::Bounded(1);
            for q in ps {
                slots(q, required && p.min >= 1, single, out);
            }
        }
        Term::Choice(ps) => {
            let single = single && p.max == MaxOccurs::Bounded(1);
            for q in ps {
                slots(q, false, single, out);
            }
        }
        Term::Any(_) => {}
    }
}

fn qname(n: Node) -> QName {
    QName::new(n.tag_name().namespace().unwrap_or(""), n.tag_name().name())
}

/// The slot whose declaration (or one of its substitutes) has `q` as name.
fn find_slot(schema: &Schema, all: &[Slot], q: &QName) -> Option<(Slot, ElementId)> {
    for s in all {
        if &schema.element(s.decl).name == q {
            return Some((*s, s.decl));
        }
        if let Some(subs) = schema.substitutes.get(&s.decl) {
            for &e in subs {
                if &schema.element(e).name == q {
                    return Some((*s, e));
                }
            }
        }
    }
    None
}

/// Candidate edits of every kind found under `node` (declared by `decl`).
fn candidates(
    schema: &Schema,
    text: &str,
    node: Node,
    decl: ElementId,
    out: &mut BTreeMap<Kind, Vec<Edit>>,
) {
    if node.attribute((XSI, "type")).is_some() || node.attribute((XSI, "nil")).is_some() {
        return;
    }
    let t = schema.element(decl).type_id;
    let path = super::coverage::one_line(&soapbridge::xsd::validate::path_of(node), 200);
    let kids: Vec<Node> = node.children().filter(|c| c.is_element()).collect();
    if let Some(st) = text_type(schema, t) {
        let TypeKind::Simple(s) = &schema.ty(st).kind else {
            return;
        };
        let only_text = kids.is_empty() && node.first_child().is_some_and(|c| c.is_text());
        if !only_text || !matches!(s.variety, Variety::Atomic) {
            return;
        }
        let range = node.first_child().unwrap().range();
        if !s.facets.enumeration.is_empty() {
            out.entry(Kind::Enum).or_default().push(Edit {
                range: range.clone(),
                with: "NotOneOfTheEnumeratedValues".into(),
                what: format!("{path}: a value outside its enumeration"),
            });
        } else if matches!(
            s.primitive,
            Primitive::Decimal | Primitive::Float | Primitive::Double
        ) && s.facets.patterns.is_empty()
        {
            let builtin = schema.type_label(s.base_builtin);
            let local = builtin.rsplit(':').next().unwrap_or_default();
            let bounded = [
                "long",
                "int",
                "short",
                "byte",
                "unsignedLong",
                "unsignedInt",
                "unsignedShort",
                "unsignedByte",
            ]
            .contains(&local);
            let with = if bounded {
                "123456789012345678901234567890"
            } else {
                "12x3"
            };
            out.entry(Kind::Number).or_default().push(Edit {
                range,
                with: with.into(),
                what: format!("{path}: {with} as {builtin}"),
            });
        }
        return;
    }
    let TypeKind::Complex(c) = &schema.ty(t).kind else {
        return;
    };
    let Content::Elements(p) = &c.content else {
        return;
    };
    let whole = &text[node.range()];
    if !whole.ends_with("/>")
        && let Some(end) = whole.rfind("</")
    {
        let at = node.range().start + end;
        out.entry(Kind::Extra).or_default().push(Edit {
            range: at..at,
            with: UNDECLARED.into(),
            what: format!("{path}: an undeclared last child"),
        });
    }
    let mut all = Vec::new();
    slots(p, true, true, &mut all);
    let mut seen = BTreeSet::new();
    for k in &kids {
        let q = qname(*k);
        let Some((slot, decl)) = find_slot(schema, &all, &q) else {
            continue;
        };
        if seen.insert(q.clone()) {
            let count = kids.iter().filter(|x| qname(**x) == q).count() as u32;
            let kpath = one_line(&soapbridge::xsd::validate::path_of(*k), 200);
            if slot.required && slot.min >= 1 && count == slot.min {
                out.entry(Kind::Missing).or_default().push(Edit {
                    range: k.range(),
                    with: String::new(),
                    what: format!("{kpath}: removed (minOccurs {})", slot.min),
                });
            }
            if let MaxOccurs::Bounded(max) = slot.max
                && slot.single
                && count == max
            {
                let last = kids.iter().rev().find(|x| qname(**x) == q).unwrap();
                let at = last.range().end;
                out.entry(Kind::TooMany).or_default().push(Edit {
                    range: at..at,
                    with: text[last.range()].to_string(),
                    what: format!("{kpath}: repeated past maxOccurs {max}"),
                });
            }
        }
        candidates(schema, text, *k, decl, out);
    }
}

fn body_payloads<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    doc.root_element()
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Body")
        .flat_map(|b| b.children().filter(|c| c.is_element()))
        .collect()
}

/// Our verdict on an envelope, as `soapbridge validate` gives it: each Body child against its
/// global element declaration.
fn ours(v: &Validator, text: &str) -> Option<String> {
    let doc = match Document::parse_with_options(text, soapbridge::xml::parse_options()) {
        Ok(d) => d,
        Err(e) => return Some(format!("not well-formed: {e}")),
    };
    for child in body_payloads(&doc) {
        let Some(&e) = v.schema().global_elements.get(&qname(child)) else {
            return Some(format!("no global element {}", qname(child)));
        };
        if let Some(x) = v.validate_element(child, e).first() {
            return Some(format!("{}: {}", x.path, x.message));
        }
    }
    None
}

/// One edit of each kind for an envelope (the middle candidate: deterministic, and away from
/// the first field that every generator gets right).
pub(crate) fn mutations(schema: &Schema, text: &str) -> Vec<(Kind, String, String)> {
    let Ok(doc) = Document::parse_with_options(text, soapbridge::xml::parse_options()) else {
        return Vec::new();
    };
    let mut found = BTreeMap::new();
    for child in body_payloads(&doc) {
        if let Some(&e) = schema.global_elements.get(&qname(child)) {
            candidates(schema, text, child, e, &mut found);
        }
    }
    found
        .into_iter()
        .filter(|(_, edits)| !edits.is_empty())
        .map(|(kind, edits)| {
            let e = &edits[edits.len() / 2];
            let mut out = text.to_string();
            out.replace_range(e.range.clone(), &e.with);
            (kind, out, e.what.clone())
        })
        .collect()
}

/// Every operation, or every ⌈n/CAP⌉-th one.
fn chosen(n: usize) -> impl Iterator<Item = usize> {
    (0..n).step_by(n.div_ceil(CAP).max(1))
}

/// The docs of one entry, with its manifest for the independent validator.
fn entry_docs(
    wsdl_dir: &Path,
    entry: &'static str,
    svc: &ServicePlan,
    dir: &Path,
) -> (Vec<Doc>, String) {
    let schema = &svc.compiled.wsdl.schema;
    let validator = Validator::new(schema);
    let mut manifest = format!("wsdl\t{}\n", wsdl_dir.join(entry).display());
    for (url, file) in validator_catalog(wsdl_dir, entry) {
        writeln!(manifest, "catalog\t{url}\t{}", file.display()).unwrap();
    }
    let mut docs = Vec::new();
    for oi in chosen(svc.operations.len()) {
        let op = &svc.operations[oi];
        if op.input_encoding.is_some() || op.output_encoding.is_some() {
            continue;
        }
        for (input, message) in [(true, &op.input), (false, &op.output)] {
            if matches!(
                message,
                BodyLayout::Parts {
                    wrapper: Some(_),
                    ..
                }
            ) {
                continue;
            }
            let dir_name = if input { "in" } else { "out" };
            let file = dir.join(format!("{oi}-{dir_name}.xml"));
            let mut sampler = Sampler::walk(schema, &svc.model, oi as u64 + 1);
            let Ok(fields) = sample_fields(&mut sampler, message) else {
                continue;
            };
            // A sample the conversion cannot carry is the coverage suite's business.
            if round_trip(svc, op, input, &fields, &file).is_err() || !file.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let name = format!("{}/{dir_name}", op.route.operation);
            for (kind, mutated, what) in mutations(schema, &text) {
                let mfile = dir.join(format!("{oi}-{dir_name}-{}.xml", kind.name()));
                std::fs::write(&mfile, &mutated).unwrap();
                writeln!(manifest, "doc\t{}", mfile.display()).unwrap();
                docs.push(Doc {
                    entry,
                    message: name.clone(),
                    kind,
                    file: mfile,
                    base: Some(file.clone()),
                    what,
                    ours: ours(&validator, &mutated),
                });
            }
            writeln!(manifest, "doc\t{}", file.display()).unwrap();
            docs.push(Doc {
                entry,
                message: name,
                kind: Kind::Valid,
                file,
                base: None,
                what: String::new(),
                ours: ours(&validator, &text),
            });
        }
    }
    (docs, manifest)
}

/// The known differences: (entry, message, kind) -> reason.
fn read_known() -> BTreeMap<(String, String, String), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(KNOWN);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.splitn(4, '\t').collect();
            assert!(
                cols.len() == 4 && !cols[3].trim().is_empty(),
                "{KNOWN}: bad line (entry, message, kind, reason) {l:?}"
            );
            (
                (cols[0].into(), cols[1].into(), cols[2].into()),
                cols[3].into(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn our_validator_agrees_with_xmlschema_on_valid_and_mutated_samples() {
    let corpus = corpus();
    let check = Command::new("python3")
        .args(["-c", "import xmlschema, lxml; print(xmlschema.__version__)"])
        .output();
    match check {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "the differential suite needs python3 with xmlschema and lxml \
             (pip install -r tests/interop/requirements.txt): {other:?}"
        ),
    }
    let wsdl_dir = corpus.join("wsdl");
    let tmp = tempfile::tempdir().unwrap();
    let mut all: Vec<(Doc, Option<String>)> = Vec::new();
    let mut schema_errors = Vec::new();
    let mut pending = None;
    let mut collect = |pending: Option<(&'static str, Vec<Doc>, std::process::Child)>,
                       all: &mut Vec<(Doc, Option<String>)>| {
        if let Some((entry, docs, child)) = pending {
            match verdicts(child) {
                Ok(v) => {
                    for d in docs {
                        let key = d.file.display().to_string();
                        let theirs = v
                            .get(&key)
                            .cloned()
                            .unwrap_or_else(|| Some("the validator gave no verdict".into()));
                        all.push((d, theirs));
                    }
                }
                Err(e) => schema_errors.push(format!("{entry}: {e}")),
            }
        }
    };
    for (i, entry) in SELECTED.iter().enumerate() {
        let path = wsdl_dir.join(entry);
        assert!(path.is_file(), "corpus file missing: {}", path.display());
        let dir = tmp.path().join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let compiled = compile_entry(&wsdl_dir, entry, &dir)
            .unwrap_or_else(|e| panic!("{entry} does not compile: {e}"));
        let svc = ServicePlan::new(std::sync::Arc::new(compiled));
        let (docs, manifest) = entry_docs(&wsdl_dir, entry, &svc, &dir);
        assert!(!docs.is_empty(), "{entry}: no samples");
        let manifest_file = dir.join("manifest.tsv");
        std::fs::write(&manifest_file, manifest).unwrap();
        collect(pending.take(), &mut all);
        pending = Some((*entry, docs, start_validator(&manifest_file)));
    }
    collect(pending.take(), &mut all);
    assert!(
        schema_errors.is_empty(),
        "the independent validator cannot build these schemas:\n{}",
        schema_errors.join("\n")
    );

    // Mutations count only where the independent validator accepts the sample they came from.
    let valid_bases: BTreeSet<PathBuf> = all
        .iter()
        .filter(|(d, theirs)| d.kind == Kind::Valid && theirs.is_none())
        .map(|(d, _)| d.file.clone())
        .collect();
    let known = read_known();
    let mut used = BTreeSet::new();
    let mut table: BTreeMap<Kind, [usize; 5]> = BTreeMap::new();
    let mut failures = Vec::new();
    for (d, theirs) in &all {
        let row = table.entry(d.kind).or_default();
        if d.base.as_ref().is_some_and(|b| !valid_bases.contains(b)) {
            row[4] += 1;
            continue;
        }
        row[0] += 1;
        if theirs.is_some() {
            row[1] += 1;
        }
        let key = (
            d.entry.to_string(),
            d.message.clone(),
            d.kind.name().to_string(),
        );
        if theirs.is_some() == d.ours.is_some() {
            row[2] += 1;
            if known.contains_key(&key) {
                failures.push(format!(
                    "{} {} {}: now agrees: remove it from {KNOWN}",
                    key.0, key.1, key.2
                ));
            }
            continue;
        }
        row[3] += 1;
        if known.contains_key(&key) {
            used.insert(key);
            continue;
        }
        failures.push(format!(
            "{}\t{}\t{}\t{} | xmlschema: {} | ours: {} | {}",
            key.0,
            key.1,
            key.2,
            d.what,
            theirs
                .as_deref()
                .map_or("valid".into(), |s| one_line(s, 300)),
            d.ours
                .as_deref()
                .map_or("valid".into(), |s| one_line(s, 300)),
            d.file.display()
        ));
    }
    println!(
        "{:<18} {:>9} {:>9} {:>7} {:>8} {:>12}",
        "mutation", "documents", "invalid*", "agree", "disagree", "base-refused"
    );
    let mut total = [0usize; 5];
    for k in KINDS {
        let r = table.get(&k).copied().unwrap_or_default();
        for (t, x) in total.iter_mut().zip(r) {
            *t += x;
        }
        println!(
            "{:<18} {:>9} {:>9} {:>7} {:>8} {:>12}",
            k.name(),
            r[0],
            r[1],
            r[2],
            r[3],
            r[4]
        );
    }
    println!(
        "{:<18} {:>9} {:>9} {:>7} {:>8} {:>12}",
        "total", total[0], total[1], total[2], total[3], total[4]
    );
    println!("* invalid according to xmlschema");
    // Mutations both validators accept (a wildcard takes the extra element, ...): shown, so that
    // a selection that stops mutating anything meaningful is seen.
    for (d, theirs) in &all {
        if d.kind != Kind::Valid && theirs.is_none() && d.ours.is_none() {
            println!(
                "accepted by both: {} {} {}: {}",
                d.entry,
                d.message,
                d.kind.name(),
                d.what
            );
        }
    }
    for k in known.keys() {
        if !used.contains(k)
            && !failures
                .iter()
                .any(|f| f.starts_with(&format!("{} {} {}", k.0, k.1, k.2)))
        {
            failures.push(format!(
                "{} {} {}: listed in {KNOWN} but no longer produced",
                k.0, k.1, k.2
            ));
        }
    }
    for k in KINDS {
        if k != Kind::Valid {
            assert!(
                table.get(&k).is_some_and(|r| r[0] > 0),
                "no document with a {} mutation: the selection lost its meaning",
                k.name()
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements between our validator and xmlschema:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The mutation machinery on a small schema (runs everywhere): one edit of each kind, each
/// refused by our validator, and the sample itself accepted.
#[test]
fn each_mutation_kind_is_found_and_breaks_a_small_document() {
    let dir = tempfile::tempdir().unwrap();
    let xsd = dir.path().join("s.xsd");
    std::fs::write(
        &xsd,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t"
  xmlns="urn:t" elementFormDefault="qualified">
  <xs:element name="Order">
    <xs:complexType><xs:sequence>
      <xs:element name="id" type="xs:string"/>
      <xs:element name="color"><xs:simpleType><xs:restriction base="xs:string">
        <xs:enumeration value="red"/><xs:enumeration value="blue"/>
      </xs:restriction></xs:simpleType></xs:element>
      <xs:element name="qty" type="xs:int"/>
      <xs:element name="tag" type="xs:string" minOccurs="0" maxOccurs="2"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>"#,
    )
    .unwrap();
    let schema =
        soapbridge::xsd::load::load(&xsd, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
    let v = Validator::new(&schema);
    let text = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Order xmlns="urn:t"><id>1</id><color>red</color><qty>3</qty><tag>a</tag><tag>b</tag></Order></s:Body></s:Envelope>"#;
    assert_eq!(ours(&v, text), None);
    let found = mutations(&schema, text);
    let kinds: Vec<Kind> = found.iter().map(|(k, _, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            Kind::Enum,
            Kind::Missing,
            Kind::Extra,
            Kind::Number,
            Kind::TooMany
        ]
    );
    for (kind, mutated, what) in &found {
        assert!(
            ours(&v, mutated).is_some(),
            "{}: {what} was accepted: {mutated}",
            kind.name()
        );
    }
    let too_many = &found[4].1;
    // The middle of the candidates id, color, qty, tag (each at its maxOccurs).
    assert!(too_many.contains("<qty>3</qty><qty>3</qty>"), "{too_many}");
    let number = &found[3].1;
    assert!(
        number.contains("<qty>123456789012345678901234567890</qty>"),
        "{number}"
    );
}
