//! `soapbridge inspect`: a WSDL's services, ports and operations, with the shape of each input
//! and output as an indented tree of names, types and cardinalities; then the operations left
//! out and the warnings of the load.

use std::fmt::Write;
use std::path::PathBuf;

use super::files::{load_options, report};

use crate::mapping::shape::shape;
use crate::wsdl::{Style, Use, Wsdl};
use crate::xsd::{Content, MaxOccurs, Particle, Schema, Term, TypeId, TypeKind, Variety};

/// How deep type trees are expanded (recursion is cut earlier, where a type repeats).
const MAX_DEPTH: usize = 8;
/// How many lines one field's tree may take (wide types nest multiplicatively).
const MAX_TREE_BYTES: usize = 200_000;

/// `inspect` options.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The WSDL file.
    pub wsdl: PathBuf,
    /// Extra folder imports may read from (default: only the WSDL's folder tree).
    #[arg(long = "allow-path")]
    pub allow_paths: Vec<PathBuf>,
    /// Catalog file: lines `URL = local/file.xsd` for schemas imported by absolute URL.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Tolerate common mistakes in the WSDL and its schemas, each reported as a warning.
    #[arg(long)]
    pub lenient: bool,
}

pub(super) fn run(args: InspectArgs) -> anyhow::Result<bool> {
    super::files::input_file(&args.wsdl)?;
    let options = load_options(args.allow_paths, args.catalog.as_deref(), args.lenient)?;
    match crate::wsdl::load(&args.wsdl, &options) {
        Ok(w) => {
            super::out::print(render(&w))?;
            Ok(true)
        }
        Err(d) => report(&d),
    }
}

/// Renders the whole WSDL.
pub fn render(wsdl: &Wsdl) -> String {
    let mut out = String::new();
    let schema = &wsdl.schema;
    if let Some(doc) = &wsdl.documentation {
        let _ = writeln!(out, "# {doc}");
    }
    for service in &wsdl.services {
        let _ = writeln!(out, "service {}", service.name);
        if let Some(doc) = &service.documentation {
            let _ = writeln!(out, "  # {doc}");
        }
        for port in &service.ports {
            let b = &wsdl.bindings[port.binding];
            let version = b.soap.map_or("not SOAP".to_string(), |v| v.to_string());
            let _ = writeln!(
                out,
                "  port {}  {version}  binding {}  {}",
                port.name,
                b.name.local,
                port.address.as_deref().unwrap_or("(no address)")
            );
        }
    }
    let mut shown = Vec::new();
    // The bindings of the ports first, then the SOAP bindings no port names.
    let bindings = wsdl
        .services
        .iter()
        .flat_map(|s| s.ports.iter().map(|p| p.binding))
        .chain(0..wsdl.bindings.len())
        .collect::<Vec<_>>();
    for bi in bindings {
        if shown.contains(&bi) || wsdl.bindings[bi].soap.is_none() {
            continue;
        }
        shown.push(bi);
        let b = &wsdl.bindings[bi];
        let pt = &wsdl.port_types[b.port_type];
        let left_out = wsdl.skipped.iter().filter(|s| s.binding == bi).count();
        let _ = writeln!(
            out,
            "\nbinding {} ({}), {} operations{}",
            b.name.local,
            b.soap.map_or("?".into(), |v| v.to_string()),
            b.operations.len(),
            if left_out > 0 {
                format!(" ({left_out} left out)")
            } else {
                String::new()
            }
        );
        for bop in &b.operations {
            let op = &pt.operations[bop.operation];
            let style = match bop.style {
                Style::Document => "document",
                Style::Rpc => "rpc",
            };
            let use_ = match bop.input.use_ {
                Use::Literal => "literal",
                Use::Encoded => "encoded",
            };
            let _ = write!(out, "  {}  {style}/{use_}", op.name);
            if let Some(a) = bop.soap_action.as_deref().filter(|a| !a.is_empty()) {
                let _ = write!(out, "  action {a}");
            }
            out.push('\n');
            if let Some(doc) = &op.documentation {
                let _ = writeln!(out, "    # {doc}");
            }
            for (dir, body, msg) in [
                ("input", &bop.input, op.input),
                ("output", &bop.output, op.output),
            ] {
                let Some(m) = msg else { continue };
                let _ = writeln!(out, "    {dir} ({})", wsdl.messages[m].name.local);
                for f in shape(wsdl, bop.style, body, msg).fields {
                    let card = cardinality(f.min, f.max);
                    let nil = if f.nillable { " nillable" } else { "" };
                    let at = if f.attribute { "@" } else { "" };
                    let _ = writeln!(
                        out,
                        "      {at}{}: {}{card}{nil}",
                        f.name,
                        type_name(schema, f.type_id)
                    );
                    let mut t = String::new();
                    tree(schema, f.type_id, 4, &mut vec![f.type_id], &mut t);
                    if t.len() > MAX_TREE_BYTES {
                        let cut = t[..MAX_TREE_BYTES].rfind('\n').map_or(0, |i| i + 1);
                        t.truncate(cut);
                        t.push_str("        ... (tree cut short)\n");
                    }
                    out.push_str(&t);
                }
                for h in &body.headers {
                    let _ = writeln!(
                        out,
                        "      (header) {}.{}",
                        wsdl.messages[h.message].name.local, h.part
                    );
                }
            }
            for (name, m) in &op.faults {
                let _ = writeln!(out, "    fault {name} ({})", wsdl.messages[*m].name.local);
            }
        }
    }
    problems(wsdl, &mut out);
    out
}

/// The operations left out, each with the problem that took it out, then every warning.
fn problems(wsdl: &Wsdl, out: &mut String) {
    if !wsdl.skipped.is_empty() {
        let _ = writeln!(out, "\nleft out (a problem confined to them):");
        for s in &wsdl.skipped {
            let cause = &wsdl.warnings[s.causes[0]];
            let more = match s.causes.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let _ = writeln!(
                out,
                "  {} {}: {} at {}:{}:{}{more}",
                wsdl.bindings[s.binding].name.local,
                s.name,
                cause.message,
                cause.file.display(),
                cause.line,
                cause.col
            );
        }
    }
    if !wsdl.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for w in &wsdl.warnings {
            let _ = writeln!(out, "{w}");
        }
    }
}

fn cardinality(min: u32, max: MaxOccurs) -> String {
    match (min, max) {
        (1, MaxOccurs::Bounded(1)) => String::new(),
        (min, max) => format!(" [{min}..{max}]"),
    }
}

fn type_name(schema: &Schema, t: TypeId) -> String {
    let mut s = schema.type_label(t);
    if let TypeKind::Simple(st) = &schema.ty(t).kind {
        if !st.facets.enumeration.is_empty() {
            let vals: Vec<&str> = st
                .facets
                .enumeration
                .iter()
                .take(6)
                .map(String::as_str)
                .collect();
            let more = if st.facets.enumeration.len() > 6 {
                ", ..."
            } else {
                ""
            };
            s.push_str(&format!(" {{{}{more}}}", vals.join(", ")));
        }
        match &st.variety {
            Variety::List(item) => s.push_str(&format!(" (list of {})", schema.type_label(*item))),
            Variety::Union(m) => s.push_str(&format!(
                " (union of {})",
                m.iter()
                    .map(|t| schema.type_label(*t))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )),
            Variety::Atomic => {}
        }
    }
    if let TypeKind::Complex(ct) = &schema.ty(t).kind
        && let Some(item) = ct.array_of
    {
        s.push_str(&format!(" (SOAP array of {})", schema.type_label(item)));
    }
    s
}

/// The children of a complex type, indented by `depth` (two spaces each).
fn tree(schema: &Schema, t: TypeId, depth: usize, path: &mut Vec<TypeId>, out: &mut String) {
    let TypeKind::Complex(ct) = &schema.ty(t).kind else {
        return;
    };
    if out.len() > MAX_TREE_BYTES {
        return;
    }
    let pad = "  ".repeat(depth);
    if depth > MAX_DEPTH {
        let _ = writeln!(out, "{pad}...");
        return;
    }
    for a in &ct.attributes {
        let req = if a.required { "" } else { " [0..1]" };
        let _ = writeln!(
            out,
            "{pad}@{}: {}{req}",
            a.name.local,
            type_name(schema, a.type_id)
        );
    }
    match &ct.content {
        Content::Simple(s) => {
            let _ = writeln!(out, "{pad}(text): {}", type_name(schema, *s));
        }
        Content::Elements(p) => particle(schema, p, depth, path, out),
        Content::Empty => {}
    }
}

fn particle(schema: &Schema, p: &Particle, depth: usize, path: &mut Vec<TypeId>, out: &mut String) {
    let pad = "  ".repeat(depth);
    let card = cardinality(p.min, p.max);
    match &p.term {
        Term::Element(e) => {
            let el = schema.element(*e);
            let nil = if el.nillable { " nillable" } else { "" };
            let subst = schema
                .substitutes
                .get(e)
                .map_or(String::new(), |s| format!(" (or {} substitutes)", s.len()));
            let _ = write!(
                out,
                "{pad}{}: {}{card}{nil}{subst}",
                el.name.local,
                type_name(schema, el.type_id)
            );
            if path.contains(&el.type_id) {
                let _ = writeln!(out, " (recursive)");
                return;
            }
            out.push('\n');
            path.push(el.type_id);
            tree(schema, el.type_id, depth + 1, path, out);
            path.pop();
        }
        Term::Sequence(ps) | Term::All(ps) if card.is_empty() => {
            ps.iter()
                .for_each(|c| particle(schema, c, depth, path, out));
        }
        Term::Sequence(ps) | Term::All(ps) | Term::Choice(ps) => {
            let kind = match &p.term {
                Term::Choice(_) => "choice",
                Term::All(_) => "all",
                _ => "sequence",
            };
            let _ = writeln!(out, "{pad}({kind}){card}");
            ps.iter()
                .for_each(|c| particle(schema, c, depth + 1, path, out));
        }
        Term::Any(w) => {
            let _ = writeln!(out, "{pad}(any {:?}){card}", w.process);
        }
    }
}
