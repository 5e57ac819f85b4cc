//! What the benches share: the large sample answer and the large sample request.

use serde_json::{Map, Value, json};

use soapbridge::convert::operation::{BodyLayout, ServicePlan};

/// An answer to FindCustomers with enough customers for ~100 KB (shared by the convert and validate benches).
pub fn large_find_answer(
    svc: &ServicePlan,
    op: &soapbridge::convert::operation::OperationPlan,
) -> String {
    let BodyLayout::Element { type_id, .. } = &op.output else {
        unreachable!()
    };
    let schema = &svc.compiled.wsdl.schema;
    let one = soapbridge::mock::sample::Sampler::new(schema, &svc.model, 0).value(*type_id);
    let customer = one["findCustomersResult"]["customer"][0].clone();
    let customers: Vec<Value> = (0..95)
        .map(|i| {
            let mut c = customer.clone();
            c["customerId"] = json!(i);
            c
        })
        .collect();
    let v = json!({ "findCustomersResult": { "customer": customers } });
    String::from_utf8(svc.answer(op, &v).unwrap_or_else(|e| panic!("{e:?}"))).unwrap()
}

/// The input fields of a ~100 KiB PlaceOrder request: a sample order with 400 lines (a large
/// POST body, as a client creating a big record sends).
#[allow(dead_code)]
pub fn large_order_request(
    svc: &ServicePlan,
    op: &soapbridge::convert::operation::OperationPlan,
) -> Map<String, Value> {
    let BodyLayout::Element { type_id, .. } = &op.input else {
        unreachable!()
    };
    let schema = &svc.compiled.wsdl.schema;
    let mut fields =
        match soapbridge::mock::sample::Sampler::new(schema, &svc.model, 0).value(*type_id) {
            Value::Object(o) => o,
            other => panic!("a PlaceOrder sample that is not an object: {other}"),
        };
    let lines = fields
        .values_mut()
        .find_map(|v| {
            v.pointer_mut("/lines/orderLine")
                .and_then(Value::as_array_mut)
        })
        .expect("PlaceOrder's order lines");
    let line = lines[0].clone();
    *lines = (1..=400)
        .map(|i| {
            let mut l = line.clone();
            l["lineNumber"] = json!(i);
            l
        })
        .collect();
    fields
}
