//! From the envelope down to the Body's element: the envelope of the binding's SOAP version,
//! its first Body, and in it the message's element (the first of that name; other elements are
//! passed over, as the tree decoder does), read whole or only the field a mapping's `response:`
//! selects. A fault anywhere in the Body is the tree's.

use super::Fallback;
use super::pull::{Item, Pull};
use super::value::Values;
use crate::convert::model::JsonModel;
use crate::soap::{ENV11, ENV12, XmlLimits};
use crate::wsdl::SoapVersion;
use crate::xsd::validate::{Stepper, Unproven};
use crate::xsd::{QName, Schema, TypeId};

/// Writes the JSON of a document/literal answer's Body element `name` (of type `type_id`), or
/// only its field `selected`, into `out`, reading `text` once under `limits`. On a
/// [`Fallback`], `out` holds a part of the JSON and the tree decoder must read the answer.
///
/// With `check` (a [`Stepper`] made for the element's declaration), the Body element is checked
/// against the schema in the same pass: [`Fallback::Unproven`] where the stream cannot show it
/// valid. (The tree validator checks every Body element of the message's name: a second one is
/// left to it.)
#[allow(clippy::too_many_arguments)]
pub fn read_body_element(
    schema: &Schema,
    model: &JsonModel,
    text: &str,
    limits: XmlLimits,
    soap: SoapVersion,
    name: &QName,
    type_id: TypeId,
    selected: Option<&str>,
    mut check: Option<Stepper>,
    out: &mut Vec<u8>,
) -> Result<(), Fallback> {
    let checking = check.is_some();
    let env = match soap {
        SoapVersion::V11 => ENV11,
        SoapVersion::V12 => ENV12,
    };
    let mut p = Pull::new(text, limits)?;
    match p.next()? {
        Some(Item::Start) if p.local() == "Envelope" && p.ns() == env => {}
        _ => return Err(Fallback::Unsupported),
    }
    let mut values = Values::new(schema, model);
    let mut body = false;
    loop {
        match p.next()? {
            Some(Item::Start) if !body && p.local() == "Body" && p.ns() == env => {
                body = true;
                let mut found = false;
                loop {
                    match p.next()? {
                        Some(Item::Start) if p.local() == "Fault" && p.ns() == env => {
                            return Err(Fallback::Unsupported);
                        }
                        Some(Item::Start)
                            if !found && p.local() == name.local && p.ns() == name.ns =>
                        {
                            found = true;
                            if let Some(stepper) = check.take() {
                                p.check(stepper)?;
                            }
                            match selected {
                                Some(key) => values.field(&mut p, type_id, key, out)?,
                                None => values.element(&mut p, type_id, false, 0, out)?,
                            }
                            if checking && p.checked() != 1 {
                                return Err(Fallback::Unproven(Unproven::Unread));
                            }
                        }
                        Some(Item::Start)
                            if checking && p.local() == name.local && p.ns() == name.ns =>
                        {
                            return Err(Fallback::Unproven(Unproven::Unread));
                        }
                        Some(Item::Start) => p.skip()?,
                        Some(Item::Text(_)) => {}
                        Some(Item::End) => break,
                        None => return Err(Fallback::NotWellFormed),
                    }
                }
                if !found {
                    return Err(Fallback::Invalid);
                }
            }
            Some(Item::Start) => p.skip()?,
            Some(Item::Text(_)) => {}
            Some(Item::End) => break,
            None => return Err(Fallback::NotWellFormed),
        }
    }
    if !body {
        return Err(Fallback::Invalid);
    }
    // Nothing but whitespace and comments after the envelope.
    match p.next()? {
        None => Ok(()),
        Some(_) => Err(Fallback::NotWellFormed),
    }
}

/// Writes the JSON of a standalone document's element (the document element, of type `type_id`)
/// into `out`, reading `text` once under `limits`: what the tree decoder's
/// [`crate::convert::decode::Decoder::element`] reads from a parsed document's root.
pub fn read_document_element(
    schema: &Schema,
    model: &JsonModel,
    text: &str,
    limits: XmlLimits,
    type_id: TypeId,
    nillable: bool,
    out: &mut Vec<u8>,
) -> Result<(), Fallback> {
    let mut p = Pull::new(text, limits)?;
    match p.next()? {
        Some(Item::Start) => {}
        _ => return Err(Fallback::NotWellFormed),
    }
    Values::new(schema, model).element(&mut p, type_id, nillable, 0, out)?;
    match p.next()? {
        None => Ok(()),
        Some(_) => Err(Fallback::NotWellFormed),
    }
}
