//! The built-in types of XML Schema 1.0, and the schemas every WSDL may use without a file:
//! `xml.xsd` (the `xml:` attributes) and the SOAP 1.1 / 1.2 encoding schemas.

use super::model::*;

/// (local name, base local name, primitive, list item) for every built-in simple type, in an order
/// where each base comes before the types derived from it.
const SIMPLE: &[(&str, &str, Primitive)] = &[
    ("anySimpleType", "anyType", Primitive::AnySimple),
    ("string", "anySimpleType", Primitive::String),
    ("boolean", "anySimpleType", Primitive::Boolean),
    ("decimal", "anySimpleType", Primitive::Decimal),
    ("float", "anySimpleType", Primitive::Float),
    ("double", "anySimpleType", Primitive::Double),
    ("duration", "anySimpleType", Primitive::Duration),
    ("dateTime", "anySimpleType", Primitive::DateTime),
    ("time", "anySimpleType", Primitive::Time),
    ("date", "anySimpleType", Primitive::Date),
    ("gYearMonth", "anySimpleType", Primitive::GYearMonth),
    ("gYear", "anySimpleType", Primitive::GYear),
    ("gMonthDay", "anySimpleType", Primitive::GMonthDay),
    ("gDay", "anySimpleType", Primitive::GDay),
    ("gMonth", "anySimpleType", Primitive::GMonth),
    ("hexBinary", "anySimpleType", Primitive::HexBinary),
    ("base64Binary", "anySimpleType", Primitive::Base64Binary),
    ("anyURI", "anySimpleType", Primitive::AnyUri),
    ("QName", "anySimpleType", Primitive::QName),
    ("NOTATION", "anySimpleType", Primitive::Notation),
    ("normalizedString", "string", Primitive::String),
    ("token", "normalizedString", Primitive::String),
    ("language", "token", Primitive::String),
    ("NMTOKEN", "token", Primitive::String),
    ("Name", "token", Primitive::String),
    ("NCName", "Name", Primitive::String),
    ("ID", "NCName", Primitive::String),
    ("IDREF", "NCName", Primitive::String),
    ("ENTITY", "NCName", Primitive::String),
    ("integer", "decimal", Primitive::Decimal),
    ("nonPositiveInteger", "integer", Primitive::Decimal),
    ("negativeInteger", "nonPositiveInteger", Primitive::Decimal),
    ("long", "integer", Primitive::Decimal),
    ("int", "long", Primitive::Decimal),
    ("short", "int", Primitive::Decimal),
    ("byte", "short", Primitive::Decimal),
    ("nonNegativeInteger", "integer", Primitive::Decimal),
    ("unsignedLong", "nonNegativeInteger", Primitive::Decimal),
    ("unsignedInt", "unsignedLong", Primitive::Decimal),
    ("unsignedShort", "unsignedInt", Primitive::Decimal),
    ("unsignedByte", "unsignedShort", Primitive::Decimal),
    ("positiveInteger", "nonNegativeInteger", Primitive::Decimal),
];

/// Built-in list types: (name, item type).
const LISTS: &[(&str, &str)] = &[
    ("NMTOKENS", "NMTOKEN"),
    ("IDREFS", "IDREF"),
    ("ENTITIES", "ENTITY"),
];

fn facets_of(local: &str) -> Facets {
    let range = |min: &str, max: &str| Facets {
        min_inclusive: (!min.is_empty()).then(|| min.to_string()),
        max_inclusive: (!max.is_empty()).then(|| max.to_string()),
        fraction_digits: Some(0),
        white_space: Some(WhiteSpace::Collapse),
        ..Facets::default()
    };
    match local {
        // anySimpleType is no atomic type: its text is taken as is (XSD 1.0 Part 2, 4.3.6).
        "string" | "anySimpleType" => Facets {
            white_space: Some(WhiteSpace::Preserve),
            ..Facets::default()
        },
        "normalizedString" => Facets {
            white_space: Some(WhiteSpace::Replace),
            ..Facets::default()
        },
        "integer" => range("", ""),
        "nonPositiveInteger" => range("", "0"),
        "negativeInteger" => range("", "-1"),
        "long" => range("-9223372036854775808", "9223372036854775807"),
        "int" => range("-2147483648", "2147483647"),
        "short" => range("-32768", "32767"),
        "byte" => range("-128", "127"),
        "nonNegativeInteger" => range("0", ""),
        "unsignedLong" => range("0", "18446744073709551615"),
        "unsignedInt" => range("0", "4294967295"),
        "unsignedShort" => range("0", "65535"),
        "unsignedByte" => range("0", "255"),
        "positiveInteger" => range("1", ""),
        _ => Facets {
            white_space: Some(WhiteSpace::Collapse),
            ..Facets::default()
        },
    }
}

/// Adds `xs:anyType` and every built-in simple type to an empty schema.
pub fn install(schema: &mut Schema) {
    debug_assert!(schema.types.is_empty());
    let any_type = TypeId(0);
    let any_wildcard = Wildcard {
        namespaces: NamespaceConstraint::Any,
        process: ProcessContents::Lax,
    };
    schema.types.push(Type {
        name: Some(QName::new(XS, "anyType")),
        base: None,
        kind: TypeKind::Complex(ComplexType {
            derivation: Derivation::None,
            content: Content::Elements(std::sync::Arc::new(Particle {
                min: 0,
                max: MaxOccurs::Unbounded,
                term: Term::Any(Box::new(any_wildcard.clone())),
            })),
            mixed: true,
            is_abstract: false,
            attributes: Vec::new(),
            any_attribute: Some(Box::new(any_wildcard)),
            array_of: None,
            block: 0,
        }),
        pos: SrcPos::default(),
    });
    schema
        .global_types
        .insert(QName::new(XS, "anyType"), any_type);
    for (local, base, primitive) in SIMPLE {
        let id = TypeId(schema.types.len() as u32);
        let base = schema.global_types[&QName::new(XS, *base)];
        schema.types.push(Type {
            name: Some(QName::new(XS, *local)),
            base: Some(base),
            kind: TypeKind::Simple(SimpleType {
                primitive: *primitive,
                base_builtin: id,
                variety: Variety::Atomic,
                facets: Box::new(facets_of(local)),
            }),
            pos: SrcPos::default(),
        });
        schema.global_types.insert(QName::new(XS, *local), id);
    }
    for (local, item) in LISTS {
        let id = TypeId(schema.types.len() as u32);
        let item = schema.global_types[&QName::new(XS, *item)];
        schema.types.push(Type {
            name: Some(QName::new(XS, *local)),
            base: schema.builtin("anySimpleType"),
            kind: TypeKind::Simple(SimpleType {
                primitive: Primitive::String,
                base_builtin: id,
                variety: Variety::List(item),
                facets: Box::new(Facets {
                    min_length: Some(1),
                    ..Facets::default()
                }),
            }),
            pos: SrcPos::default(),
        });
        schema.global_types.insert(QName::new(XS, *local), id);
    }
}
