//! What a WSDL asks of the protocol beyond the envelope: WS-Addressing (`wsaw:UsingAddressing`
//! on a binding, `wsam:Action` / `wsaw:Action` on an operation's input, or a WS-Policy
//! assertion `wsam:Addressing` / `wsaw:UsingAddressing` attached to the binding or the
//! operation) and MTOM (the policy assertion `wsoma:OptimizedMimeSerialization`), with the
//! WS-Addressing version its namespaces say and the default action of an operation.

use roxmltree::Node;

use super::model::WsaVersion;

/// WS-Addressing 1.0 Metadata: `wsam:Action`, the `wsam:Addressing` assertion.
const WSAM: &str = "http://www.w3.org/2007/05/addressing/metadata";
/// WS-Addressing 1.0 WSDL Binding: `wsaw:Action`, `wsaw:UsingAddressing`.
const WSAW: &str = "http://www.w3.org/2006/05/addressing/wsdl";
/// WS-Addressing 2004/08 (the member submission): `wsa:Action` on an input.
const WSA_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
/// The 2004/08 policy assertion `wsap:UsingAddressing`.
const WSAP_2004: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/policy";
/// WS-Policy 1.2 and 1.5.
const WSP: [&str; 2] = [
    "http://schemas.xmlsoap.org/ws/2004/09/policy",
    "http://www.w3.org/ns/ws-policy",
];
/// The MTOM policy assertions: `wsoma:OptimizedMimeSerialization` and WS-MTOMPolicy's `MTOM`.
const WSOMA: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization";
const MTOM_POLICY: &str = "http://www.w3.org/2007/08/soap12-mtom-policy";
/// `wsu:Id`, how WCF names its policies.
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// How deep policy references are followed (a reference in a referenced policy, ...).
const MAX_REFERENCE_DEPTH: usize = 4;

/// What the policies and markers of some WSDL elements ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Markers {
    /// WS-Addressing, in this version.
    pub(super) addressing: Option<WsaVersion>,
    /// MTOM/XOP.
    pub(super) mtom: bool,
}

impl Markers {
    /// Both: what either asks.
    pub(super) fn or(self, other: Markers) -> Markers {
        Markers {
            addressing: self.addressing.or(other.addressing),
            mtom: self.mtom || other.mtom,
        }
    }
}

/// The markers on the elements `nodes` (a binding, a binding operation and its input): their
/// own `UsingAddressing`, their inline policies and the policies they reference (`#id` in one
/// of the `definitions`).
pub(super) fn markers(nodes: &[Node], definitions: &[Node]) -> Markers {
    let mut m = Markers::default();
    for n in nodes {
        for c in n.children().filter(Node::is_element) {
            m = m.or(assertion(c));
            m = m.or(policy(c, definitions, 0));
        }
        m = m.or(policy_uris(n, definitions, 0));
    }
    m
}

/// What the element `n` asserts itself.
fn assertion(n: Node) -> Markers {
    let (ns, name) = (n.tag_name().namespace(), n.tag_name().name());
    match (ns, name) {
        (Some(WSAW), "UsingAddressing") | (Some(WSAM), "Addressing") => Markers {
            addressing: Some(WsaVersion::V200508),
            mtom: false,
        },
        (Some(WSAP_2004), "UsingAddressing") | (Some(WSA_2004), "UsingAddressing") => Markers {
            addressing: Some(WsaVersion::V200408),
            mtom: false,
        },
        (Some(WSOMA), "OptimizedMimeSerialization") | (Some(MTOM_POLICY), "MTOM") => Markers {
            addressing: None,
            mtom: true,
        },
        _ => Markers::default(),
    }
}

/// The markers of a `wsp:Policy` (every assertion in it, any alternative) or a
/// `wsp:PolicyReference` (the policy it names).
fn policy(n: Node, definitions: &[Node], depth: usize) -> Markers {
    if !is_wsp(n) || depth > MAX_REFERENCE_DEPTH {
        return Markers::default();
    }
    match n.tag_name().name() {
        "Policy" => n
            .descendants()
            .filter(Node::is_element)
            .fold(Markers::default(), |m, d| {
                let inner = if is_wsp(d) && d.tag_name().name() == "PolicyReference" {
                    policy(d, definitions, depth + 1)
                } else {
                    assertion(d)
                };
                m.or(inner)
            }),
        "PolicyReference" => match n.attribute("URI") {
            Some(uri) => referenced(uri, definitions, depth),
            None => Markers::default(),
        },
        _ => Markers::default(),
    }
}

/// `wsp:PolicyURIs="#a #b"` on an element.
fn policy_uris(n: &Node, definitions: &[Node], depth: usize) -> Markers {
    WSP.iter()
        .filter_map(|ns| n.attribute((*ns, "PolicyURIs")))
        .flat_map(str::split_whitespace)
        .fold(Markers::default(), |m, uri| {
            m.or(referenced(uri, definitions, depth))
        })
}

/// The policy `#id` names, among the top-level policies of the definitions (by `wsu:Id`,
/// `xml:id` or `Name`).
fn referenced(uri: &str, definitions: &[Node], depth: usize) -> Markers {
    let id = uri.strip_prefix('#').unwrap_or(uri);
    definitions
        .iter()
        .flat_map(|d| d.children())
        .filter(|p| is_wsp(*p) && p.tag_name().name() == "Policy")
        .filter(|p| {
            p.attribute((WSU, "Id")) == Some(id)
                || p.attribute(("http://www.w3.org/XML/1998/namespace", "id")) == Some(id)
                || p.attribute("Name") == Some(uri)
        })
        .fold(Markers::default(), |m, p| {
            m.or(policy(p, definitions, depth + 1))
        })
}

fn is_wsp(n: Node) -> bool {
    n.is_element() && n.tag_name().namespace().is_some_and(|ns| WSP.contains(&ns))
}

/// The action an operation's `wsdl:input` (or `wsdl:output`) states (`wsam:Action`,
/// `wsaw:Action`, or the 2004/08 `wsa:Action`), with the version its namespace implies.
pub(super) fn input_action(input: Node) -> Option<(String, WsaVersion)> {
    [
        (WSAM, WsaVersion::V200508),
        (WSAW, WsaVersion::V200508),
        (WSA_2004, WsaVersion::V200408),
    ]
    .into_iter()
    .find_map(|(ns, v)| {
        input
            .attribute((ns, "Action"))
            .map(|a| (a.trim().to_string(), v))
    })
}

/// WS-Addressing's default action of an input (WS-Addressing 1.0 Metadata 4.4.4):
/// `[target namespace][delimiter][port type name][delimiter][input name]`, the delimiter `:`
/// for a `urn:` namespace and `/` otherwise, the input's name by default the operation's name
/// followed by `Request`.
pub(super) fn default_action(
    tns: &str,
    port_type: &str,
    operation: &str,
    input: Option<&str>,
) -> String {
    let delimiter = if tns.starts_with("urn:") { ':' } else { '/' };
    let tns = tns.strip_suffix(delimiter).unwrap_or(tns);
    let input = input.map_or_else(|| format!("{operation}Request"), str::to_string);
    format!("{tns}{delimiter}{port_type}{delimiter}{input}")
}

/// WS-Addressing's default action of an output: as [`default_action`], the output's name by
/// default the operation's name followed by `Response`.
pub(super) fn default_output_action(
    tns: &str,
    port_type: &str,
    operation: &str,
    output: Option<&str>,
) -> String {
    let output = output.map_or_else(|| format!("{operation}Response"), str::to_string);
    default_action(tns, port_type, operation, Some(&output))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_output_actions() {
        assert_eq!(
            default_output_action("urn:files", "Files", "GetFile", None),
            "urn:files:Files:GetFileResponse"
        );
        assert_eq!(
            default_output_action("http://tempuri.org/", "IService", "Add", Some("AddOut")),
            "http://tempuri.org/IService/AddOut"
        );
    }

    fn doc_markers(xml: &str) -> Markers {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let root = doc.root_element();
        let binding = root
            .children()
            .find(|n| n.tag_name().name() == "binding")
            .unwrap();
        markers(&[binding], &[root])
    }

    #[test]
    fn using_addressing_on_the_binding_asks_for_2005_08() {
        let m = doc_markers(
            r#"<d xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"><binding><wsaw:UsingAddressing/></binding></d>"#,
        );
        assert_eq!(m.addressing, Some(WsaVersion::V200508));
        assert!(!m.mtom);
    }

    #[test]
    fn a_referenced_policy_asks_for_addressing_and_mtom() {
        let m = doc_markers(
            r##"<d xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
              <wsp:Policy wsu:Id="P"><wsp:ExactlyOne><wsp:All>
                <wsoma:OptimizedMimeSerialization xmlns:wsoma="http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization"/>
                <wsaw:UsingAddressing xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"/>
              </wsp:All></wsp:ExactlyOne></wsp:Policy>
              <binding><wsp:PolicyReference URI="#P"/></binding></d>"##,
        );
        assert_eq!(m.addressing, Some(WsaVersion::V200508));
        assert!(m.mtom);
    }

    #[test]
    fn the_2004_08_policy_asks_for_the_submission() {
        let m = doc_markers(
            r#"<d xmlns:wsp="http://www.w3.org/ns/ws-policy"><binding><wsp:Policy><wsap:UsingAddressing xmlns:wsap="http://schemas.xmlsoap.org/ws/2004/08/addressing/policy"/></wsp:Policy></binding></d>"#,
        );
        assert_eq!(m.addressing, Some(WsaVersion::V200408));
    }

    #[test]
    fn nothing_asks_for_nothing() {
        let m = doc_markers(r#"<d><binding><other/></binding></d>"#);
        assert_eq!(m, Markers::default());
    }

    #[test]
    fn default_actions_follow_the_metadata_rule() {
        assert_eq!(
            default_action("http://example.com/stock", "Quote", "GetQuote", None),
            "http://example.com/stock/Quote/GetQuoteRequest"
        );
        assert_eq!(
            default_action("urn:example:stock", "Quote", "GetQuote", Some("In")),
            "urn:example:stock:Quote:In"
        );
    }
}
