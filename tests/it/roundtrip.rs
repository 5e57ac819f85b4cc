//! Round trip, as a property: JSON generated from the schema -> envelope -> parsed back -> the
//! same JSON, for the input and the output of every operation of the sample service. The
//! generator varies optional fields, choice branches, array lengths (0, 1, 3), nil, and strings
//! with markup characters, CR/LF and non-ASCII text.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_json::Value;
use soapbridge::convert::decode::Decoder;
use soapbridge::convert::encode::Encoder;
use soapbridge::convert::operation::{BodyLayout, ServicePlan};
use soapbridge::mock::sample::Sampler;
use soapbridge::soap;

fn service() -> &'static Arc<ServicePlan> {
    static S: OnceLock<Arc<ServicePlan>> = OnceLock::new();
    S.get_or_init(|| {
        soapbridge::http::load_services(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings"),
        )
        .unwrap()
        .remove(0)
    })
}

/// Empty arrays stand for absent repeated elements on the way back; drop them on both sides.
fn normal(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, x)| !matches!(x, Value::Array(a) if a.is_empty()))
                .map(|(k, x)| (k.clone(), normal(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        other => other.clone(),
    }
}

/// Encodes `v` as the message's Body, parses the envelope, decodes it again.
fn round_trip(svc: &ServicePlan, m: &BodyLayout, v: &Value) -> Result<Value, String> {
    let schema = &svc.compiled.wsdl.schema;
    let BodyLayout::Element { name, type_id } = m else {
        return Err("the sample service is document/literal wrapped".into());
    };
    let mut enc = Encoder::new(schema, &svc.model);
    enc.element(name, *type_id, false, v, "");
    let written = enc
        .finish()
        .map_err(|errors| format!("the generated JSON was refused: {errors:?}\n{v:#}"))?;
    let env = soap::envelope(
        svc.compiled.soap,
        &written.declarations,
        written.xsi,
        &written.xml,
    );
    let text = String::from_utf8(env).unwrap();
    let doc = soap::parse(&text, soap::XmlLimits::default()).map_err(|e| e.to_string())?;
    let (_, soap::Payload::Body(body)) = soap::body(&doc).map_err(|e| e.to_string())? else {
        return Err("a fault?".into());
    };
    let el = body
        .children()
        .find(|c| c.is_element())
        .ok_or("empty body")?;
    Decoder::new(schema, &svc.model)
        .element(el, *type_id, false)
        .map_err(|e| format!("{e}\n{text}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn json_to_envelope_and_back_is_unchanged(seed in any::<u64>()) {
        let svc = service();
        let schema = &svc.compiled.wsdl.schema;
        for op in &svc.operations {
            for m in [&op.input, &op.output] {
                let BodyLayout::Element { type_id, .. } = m else { continue };
                let v = Sampler::new(schema, &svc.model, seed).value(*type_id);
                let back = round_trip(svc, m, &v).map_err(TestCaseError::fail)?;
                prop_assert_eq!(normal(&back), normal(&v), "operation {}", op.route.operation);
            }
        }
    }
}

#[test]
fn the_full_sample_round_trips_too() {
    let svc = service();
    for op in &svc.operations {
        let BodyLayout::Element { type_id, .. } = &op.output else {
            panic!()
        };
        let v = Sampler::new(&svc.compiled.wsdl.schema, &svc.model, 0).value(*type_id);
        assert_eq!(
            normal(&round_trip(svc, &op.output, &v).unwrap()),
            normal(&v)
        );
    }
}
