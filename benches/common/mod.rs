//! What the benches share: the large sample answer.

use serde_json::{Value, json};

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
