//! The plan of a mapping, built once at start-up: a [`ServicePlan`] with an [`OperationPlan`] per
//! route, each knowing how its input and output Bodies are laid out ([`BodyLayout`]), its
//! faults, its SOAP encoding, and its request headers' constants and WS-Security credentials
//! (resolved from the environment here, once).

use std::sync::Arc;

use serde_json::Value;

use crate::convert::model::{Body, JsonModel, wildcard_required};
use crate::convert::simple;
use crate::mapping::format::AnswerValidation;
use crate::mapping::naming::{ATTRS_KEY, XML_KEY, json_keys};
use crate::mapping::route::{CompiledMapping, HeaderSource, Route};
use crate::wsdl::{BodyBinding, PartKind, SoapVersion, Style, Wsdl};
use crate::xsd::{QName, TypeId, TypeKind};

/// How one direction's Body is laid out.
#[derive(Debug)]
pub enum BodyLayout {
    /// document/literal with one element part of complex type: the JSON fields are that
    /// element's content (wrapped or bare).
    Element { name: QName, type_id: TypeId },
    /// Parts as elements, under an rpc wrapper when `wrapper` is set; each part is a JSON field.
    Parts {
        wrapper: Option<QName>,
        parts: Vec<PartIo>,
    },
}

#[derive(Debug)]
pub struct PartIo {
    pub key: String,
    pub name: QName,
    pub type_id: TypeId,
    pub nillable: bool,
}

/// A declared fault of the operation.
#[derive(Debug)]
pub struct FaultDecl {
    pub name: String,
    pub element: Option<(QName, TypeId)>,
    pub status: Option<u16>,
}

#[derive(Debug)]
pub struct OperationPlan {
    pub route: Route,
    pub soap: SoapVersion,
    pub action: Option<String>,
    pub input: BodyLayout,
    pub output: BodyLayout,
    pub faults: Vec<FaultDecl>,
    /// `use="encoded"` (SOAP encoding) on the input / output: the encoding namespace.
    pub input_encoding: Option<&'static str>,
    pub output_encoding: Option<&'static str>,
    /// Per request header part (as `route.headers`): its constants, resolved from the
    /// environment at start-up, as (field key, JSON value).
    pub header_values: Vec<Vec<(String, Value)>>,
    /// Why a constant could not be resolved (an unset variable, a value of the wrong type): the
    /// operation is then unavailable (503). Names the variable, never its value.
    pub header_problem: Option<HeaderProblem>,
    /// Keys of the JSON body that are no mapped field: what the input element's own content
    /// holds beside its elements and attributes.
    pub open_keys: Vec<OpenKey>,
}

/// A key of the JSON body that is no mapped field but the input element's own open content:
/// `$xml` (what its `xs:any` wildcard or mixed content holds, as raw XML) or `$attributes` (what
/// its `xs:anyAttribute` takes).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenKey {
    pub key: &'static str,
    /// The content's wildcard must hold something.
    pub required: bool,
}

impl OperationPlan {
    /// The input element is of `xs:anyType` (declared without a type): the JSON body is its
    /// content, a scalar, `{"$xml": "<raw/>"}` or `{}`.
    pub fn any_body(&self) -> bool {
        matches!(self.input, BodyLayout::Element { type_id, .. } if type_id == TypeId(0))
    }
}

/// Why a constant of a request SOAP header could not be resolved at start-up: the operation is
/// then unavailable (503). Names the part, the field and the variable, never a value.
#[derive(Debug, thiserror::Error)]
pub enum HeaderProblem {
    /// Is raised when a `${VAR}` reference in the constant is malformed or its variable unset.
    #[error("SOAP header `{part}` field `{field}`: {error}")]
    Env {
        part: String,
        field: String,
        error: crate::env::EnvError,
    },
    /// Is raised when a value read from the environment is not of the field's type (the value,
    /// maybe a secret, is not shown).
    #[error(
        "SOAP header `{part}` field `{field}`: the value from the environment is not a valid {type_label}"
    )]
    SecretNotOfType {
        part: String,
        field: String,
        type_label: String,
    },
    /// Is raised when a constant written in the mapping is not of the field's type.
    #[error("SOAP header `{part}` field `{field}`: {error}")]
    NotOfType {
        part: String,
        field: String,
        error: crate::xsd::facets::ValueError,
    },
    /// Is raised when a credential of the WS-Security header (`upstream.auth.wsse`) cannot be
    /// resolved (names the variable or file, never a value).
    #[error("WS-Security header (`upstream.auth.wsse`): {0}")]
    Security(crate::env::EnvError),
}

/// Everything needed to serve one mapping, built once.
#[derive(Debug)]
pub struct ServicePlan {
    pub compiled: Arc<CompiledMapping>,
    pub model: JsonModel,
    pub operations: Vec<OperationPlan>,
    /// The schema compiled for validating answers (`validate_answers: strict | warn`); `None`
    /// when off.
    pub validation: Option<Arc<crate::xsd::validate::Prepared>>,
    /// Answers found outside the schema (counted in `/metrics`).
    pub answers_invalid: std::sync::atomic::AtomicU64,
    /// The WS-Security UsernameToken of every request (`upstream.auth.wsse`), its credentials
    /// resolved at start-up; `None` when the mapping has none, or when they do not resolve (then
    /// every operation has a `HeaderProblem::Security`).
    pub security: Option<crate::soap::UsernameToken>,
    /// The upstream's URL, resolved at start-up: the `wsa:To` of WS-Addressing requests.
    pub endpoint: Option<String>,
}

impl ServicePlan {
    pub fn new(compiled: Arc<CompiledMapping>) -> ServicePlan {
        let wsdl = &compiled.wsdl;
        let model = JsonModel::new(compiled.wsdl.clone(), compiled.naming)
            .with_lists(&wsdl.schema, compiled.unwrapped.iter().copied());
        let security = compiled
            .upstream
            .wsse
            .as_ref()
            .map(crate::soap::UsernameToken::resolve);
        let operations = compiled
            .routes
            .iter()
            .map(|r| {
                let mut op = operation_plan(&compiled, &model, r);
                if let Some(Err(e)) = &security {
                    op.header_problem
                        .get_or_insert(HeaderProblem::Security(e.clone()));
                }
                op
            })
            .collect();
        let validation = (compiled.validate_answers != AnswerValidation::Off)
            .then(|| crate::xsd::validate::Validator::new(&compiled.wsdl.schema).prepared());
        warn_unenforced_patterns(&compiled.wsdl.schema);
        ServicePlan {
            model,
            operations,
            validation,
            answers_invalid: std::sync::atomic::AtomicU64::new(0),
            security: security.and_then(Result::ok),
            endpoint: compiled
                .upstream
                .url
                .as_deref()
                .and_then(|u| crate::env::expand_env(u).ok()),
            compiled,
        }
    }

    /// The plan of the operation named `name`.
    pub fn operation(&self, name: &str) -> Option<&OperationPlan> {
        self.operations.iter().find(|o| o.route.operation == name)
    }
}

/// The plan of one route's operation.
fn operation_plan(compiled: &CompiledMapping, model: &JsonModel, r: &Route) -> OperationPlan {
    let wsdl = &compiled.wsdl;
    let binding = &wsdl.bindings[compiled.selection.binding];
    let bop = &binding.operations[r.binding_operation];
    let op = &wsdl.port_types[binding.port_type].operations[bop.operation];
    let faults = op
        .faults
        .iter()
        .map(|(name, m)| {
            let element = wsdl.messages[*m].parts.first().and_then(|p| match p.kind {
                PartKind::Element(e) => Some((
                    wsdl.schema.element(e).name.clone(),
                    wsdl.schema.element(e).type_id,
                )),
                PartKind::Type(_) => None,
            });
            let status = r.faults.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
            FaultDecl {
                name: name.clone(),
                element,
                status,
            }
        })
        .collect();
    let (header_values, header_problem) = header_constants(&wsdl.schema, r);
    let input = message(wsdl, model, bop.style, &bop.input, op.input, &op.name);
    OperationPlan {
        header_values,
        header_problem,
        open_keys: open_keys(model, &input, r),
        route: r.clone(),
        soap: compiled.soap,
        action: bop.soap_action.clone(),
        input,
        output: message(
            wsdl,
            model,
            bop.style,
            &bop.output,
            op.output,
            &format!("{}Response", op.name),
        ),
        faults,
        input_encoding: encoding(compiled.soap, &bop.input),
        output_encoding: encoding(compiled.soap, &bop.output),
    }
}

/// The body keys the input element's own open content takes (when the body is the element's
/// content, not one field): `$xml` for `anyType`, mixed content or a wildcard outside repeated
/// choices (required when the wildcard is), `$attributes` for an `xs:anyAttribute`.
fn open_keys(model: &JsonModel, input: &BodyLayout, route: &Route) -> Vec<OpenKey> {
    let BodyLayout::Element { type_id, .. } = input else {
        return Vec::new();
    };
    let Some(info) = model
        .info(*type_id)
        .filter(|_| route.body_field().is_none())
    else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    if *type_id == TypeId(0) || info.mixed || info.own_wildcard {
        let required = !info.mixed
            && matches!(&info.body, Body::Elements { particle, .. } if wildcard_required(particle));
        keys.push(OpenKey {
            key: XML_KEY,
            required,
        });
    }
    if info.any_attribute && *type_id != TypeId(0) {
        keys.push(OpenKey {
            key: ATTRS_KEY,
            required: false,
        });
    }
    keys
}

/// Neither requests nor answers are checked against a pattern that could not be compiled (no
/// translation, or too large within the schema's budget): say so at load.
fn warn_unenforced_patterns(schema: &crate::xsd::Schema) {
    for (i, t) in schema.types.iter().enumerate() {
        if let TypeKind::Simple(st) = &t.kind {
            for p in &st.facets.unenforced {
                tracing::warn!(
                    r#type = %schema.type_label(TypeId(i as u32)),
                    pattern = %p.pattern,
                    "Pattern not enforced: no translation to the regex engine, or beyond the size limits"
                );
            }
        }
    }
}

/// The SOAP encoding namespace a `use="encoded"` body has (none for literal).
fn encoding(soap: SoapVersion, b: &BodyBinding) -> Option<&'static str> {
    (b.use_ == crate::wsdl::Use::Encoded).then_some(match soap {
        SoapVersion::V11 => crate::xsd::SOAP11_ENC,
        SoapVersion::V12 => crate::xsd::SOAP12_ENC,
    })
}

/// How one message's Body is laid out.
fn message(
    wsdl: &Wsdl,
    model: &JsonModel,
    style: Style,
    body: &BodyBinding,
    msg: Option<usize>,
    rpc_name: &str,
) -> BodyLayout {
    let Some(m) = msg else {
        return BodyLayout::Parts {
            wrapper: None,
            parts: Vec::new(),
        };
    };
    let schema = &wsdl.schema;
    let parts = crate::mapping::shape::body_parts(wsdl, body, m);
    if style == Style::Document
        && let [p] = parts.as_slice()
        && let PartKind::Element(e) = p.kind
    {
        let el = schema.element(e);
        if matches!(schema.ty(el.type_id).kind, TypeKind::Complex(_)) {
            return BodyLayout::Element {
                name: el.name.clone(),
                type_id: el.type_id,
            };
        }
        let key = json_keys(model.naming, &[(el.name.local.as_str(), false)]).remove(0);
        return BodyLayout::Parts {
            wrapper: None,
            parts: vec![PartIo {
                key,
                name: el.name.clone(),
                type_id: el.type_id,
                nillable: el.nillable,
            }],
        };
    }
    let names: Vec<(&str, bool)> = parts.iter().map(|p| (p.name.as_str(), false)).collect();
    let keys = json_keys(model.naming, &names);
    let parts = parts
        .iter()
        .zip(keys)
        .map(|(p, key)| match p.kind {
            PartKind::Element(e) => {
                let el = schema.element(e);
                PartIo {
                    key,
                    name: el.name.clone(),
                    type_id: el.type_id,
                    nillable: el.nillable,
                }
            }
            PartKind::Type(t) => PartIo {
                key,
                name: QName::new("", p.name.clone()),
                type_id: t,
                nillable: true,
            },
        })
        .collect();
    let wrapper = (style == Style::Rpc).then(|| {
        QName::new(
            body.namespace
                .clone()
                .unwrap_or_else(|| wsdl.target_namespace.clone()),
            rpc_name,
        )
    });
    BodyLayout::Parts { wrapper, parts }
}

/// The constants of each request header part, resolved from the environment: (values per part,
/// the first problem). A problem names the variable or field, never the value.
fn header_constants(
    schema: &crate::xsd::Schema,
    route: &Route,
) -> (Vec<Vec<(String, Value)>>, Option<HeaderProblem>) {
    let mut problem = None;
    let values = route
        .headers
        .iter()
        .map(|h| {
            h.fields
                .iter()
                .filter_map(|f| {
                    let HeaderSource::Value(template) = &f.source else {
                        return None;
                    };
                    let at = || (h.part.clone(), f.key.clone());
                    let text = match crate::env::expand_env(template) {
                        Ok(t) => t,
                        Err(e) => {
                            let (part, field) = at();
                            problem.get_or_insert(HeaderProblem::Env {
                                part,
                                field,
                                error: e,
                            });
                            return None;
                        }
                    };
                    match simple::from_text(schema, f.field.type_id, &text) {
                        Ok(v) => Some((f.key.clone(), v)),
                        Err(e) => {
                            let (part, field) = at();
                            problem.get_or_insert(if template.contains("${") {
                                HeaderProblem::SecretNotOfType {
                                    part,
                                    field,
                                    type_label: schema.type_label(f.field.type_id),
                                }
                            } else {
                                HeaderProblem::NotOfType {
                                    part,
                                    field,
                                    error: e,
                                }
                            });
                            None
                        }
                    }
                })
                .collect()
        })
        .collect();
    (values, problem)
}
