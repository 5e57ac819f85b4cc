//! WSDL elements as the passes meet them: `wsdl:` and `soap:` elements recognised, and
//! `wsdl:documentation` read.

use roxmltree::Node;

use super::model::SoapVersion;
use crate::xml::WSDL;

/// SOAP 1.1 binding extensions.
pub const SOAP11_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// SOAP 1.2 binding extensions.
pub const SOAP12_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// Whether `n` is the WSDL 1.1 element `name`.
pub(super) fn is_wsdl(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(WSDL) && n.tag_name().name() == name
}

/// The SOAP version of `n` when it is the SOAP 1.1 or 1.2 binding extension `name`.
pub(super) fn is_soap(n: &Node, name: &str) -> Option<SoapVersion> {
    if !n.is_element() || n.tag_name().name() != name {
        return None;
    }
    match n.tag_name().namespace() {
        Some(SOAP11_BINDING) => Some(SoapVersion::V11),
        Some(SOAP12_BINDING) => Some(SoapVersion::V12),
        _ => None,
    }
}

/// `wsdl:documentation` text, whitespace collapsed.
pub(super) fn documentation(n: Node) -> Option<String> {
    let d = n.children().find(|c| is_wsdl(c, "documentation"))?;
    let text: String = d
        .descendants()
        .filter(|t| t.is_text())
        .filter_map(|t| t.text())
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}
