//! Examples, drawn by the sampler the mock answers with (seed 0: every field present), so an
//! example is what the mock would send.

use serde_json::{Map, Value, json};

use crate::convert::model::JsonModel;
use crate::convert::operation::OperationPlan;
use crate::mapping::shape::Field;
use crate::mock::sample::Sampler;
use crate::xsd::{Schema, TypeId};

/// A request field's example: one value, in an array when the field repeats.
pub(super) fn field(schema: &Schema, model: &JsonModel, field: &Field) -> Value {
    let one = Sampler::new(schema, model, 0).value(field.type_id);
    if field.max.is_many() {
        json!([one])
    } else {
        one
    }
}

/// A sample of an operation's whole input, keyed as its fields (and `$xml`, `$attributes` for
/// the input element's open content); a sample that is no object (the content of an
/// `anyType` element) under the key `""`.
pub(super) fn input(schema: &Schema, model: &JsonModel, op: &OperationPlan) -> Map<String, Value> {
    match Sampler::new(schema, model, 0).message(&op.input) {
        Value::Object(o) => o,
        other => Map::from_iter([(String::new(), other)]),
    }
}

/// The example of an operation's answer, with the keys its SOAP headers add (drawn in turn by
/// the same sampler).
pub(super) struct Answer<'m> {
    sampler: Sampler<'m>,
    pub(super) value: Value,
}

impl<'m> Answer<'m> {
    /// The whole output, or the field the route answers with.
    pub(super) fn new(schema: &'m Schema, model: &'m JsonModel, op: &OperationPlan) -> Answer<'m> {
        let mut sampler = Sampler::new(schema, model, 0);
        let whole = sampler.message(&op.output);
        let r = &op.route;
        let value = match (r.response, &r.response_key) {
            (Some(i), Some(k)) => {
                let v = whole.get(&r.outputs[i].0).cloned().unwrap_or(Value::Null);
                Value::Object([(k.clone(), v)].into_iter().collect())
            }
            (Some(i), None) => whole.get(&r.outputs[i].0).cloned().unwrap_or(Value::Null),
            (None, _) => whole,
        };
        Answer { sampler, value }
    }

    /// Adds the key an answer's SOAP header fills (when the answer is an object).
    pub(super) fn add_key(&mut self, key: &str, type_id: TypeId) {
        if let Some(o) = self.value.as_object_mut() {
            o.insert(key.to_string(), self.sampler.value(type_id));
        }
    }
}
