//! A path parameter bound to a value inside the body object (`customer/customerId:
//! path.customerId`): `PUT /customers/{customerId}` of the sample. The path fills the value
//! when the body leaves it out; a body that repeats it must agree (else a 400 naming both);
//! `check` refuses a binding that names no such value. And `generate`: Update with the id in
//! the path, Delete with structured inputs as `DELETE /x/{id}` or a `POST` with the reason.

use std::path::Path;

use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};

use soapbridge::http::{configure, load_services};
use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::generate::{generate, select};
use soapbridge::mapping::route::InputSource;
use soapbridge::sources::LoadOptions;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A customer as the sample's UpdateCustomer takes it, without its `customerId`.
fn customer() -> Value {
    json!({
        "firstName": "Ada", "lastName": "Lovelace", "status": "Active",
        "createdAt": "2024-03-01T10:00:00Z", "taxExempt": false,
        "billingAddress": { "street1": "1 Main St", "city": "London", "postalCode": "12345", "country": "GB" }
    })
}

fn with_id(id: Value) -> Value {
    let mut c = customer();
    c["customerId"] = id;
    c
}

/// The envelope the sample's UpdateCustomer sends for path parameter `customerId` = `path` and
/// `body`, or the problems found.
fn envelope(path: &str, body: Value) -> Result<String, Vec<String>> {
    let dir = root().join("tests/sample/mappings");
    let service = load_services(&dir).unwrap().remove(0);
    let op = service.operation("UpdateCustomer").unwrap();
    let param = |s: &InputSource| match s {
        InputSource::Path(p) if p == "customerId" => vec![path.to_string()],
        _ => Vec::new(),
    };
    service
        .build_request(op, &param, Some(body))
        .map(|b| String::from_utf8(b).unwrap())
        .map_err(|e| e.into_iter().map(|e| e.message).collect())
}

#[test]
fn the_path_fills_the_id_the_body_leaves_out() {
    let xml = envelope("42", customer()).unwrap();
    assert!(xml.contains("<ns1:CustomerId>42</ns1:CustomerId>"), "{xml}");
    // `null` is left out as well.
    let xml = envelope("7", with_id(Value::Null)).unwrap();
    assert!(xml.contains("<ns1:CustomerId>7</ns1:CustomerId>"), "{xml}");
}

#[test]
fn a_body_that_repeats_the_id_must_agree() {
    let xml = envelope("42", with_id(json!(42))).unwrap();
    assert!(xml.contains("<ns1:CustomerId>42</ns1:CustomerId>"), "{xml}");
    assert_eq!(
        envelope("42", with_id(json!(43))).unwrap_err(),
        ["path parameter `customerId` is 42 but the body's `/customerId` is 43"]
    );
    // The path's text is converted by the field's type first.
    let err = envelope("abc", customer()).unwrap_err();
    assert!(
        err[0].starts_with("path parameter `customerId`: "),
        "{err:?}"
    );
}

#[actix_web::test]
async fn over_http_a_disagreement_is_a_problem_naming_both() {
    let state = crate::state_over_mock("tests/sample/mappings");
    let app = test::init_service(App::new().configure(configure(state))).await;
    let put = |uri: &str, body: Value| {
        TestRequest::put()
            .uri(uri)
            .insert_header(("content-type", "application/json"))
            .set_payload(body.to_string())
            .to_request()
    };
    let ok = test::call_service(&app, put("/api/customer/customers/42", customer())).await;
    assert_eq!(ok.status(), 200);
    let same =
        test::call_service(&app, put("/api/customer/customers/42", with_id(json!(42)))).await;
    assert_eq!(same.status(), 200);
    let other =
        test::call_service(&app, put("/api/customer/customers/42", with_id(json!(43)))).await;
    assert_eq!(other.status(), 400);
    assert_eq!(
        other.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let body: Value = serde_json::from_slice(&other.into_body().try_into_bytes().unwrap()).unwrap();
    assert_eq!(body["errors"][0]["pointer"], "/customerId");
    assert_eq!(body["errors"][0]["rule"], "conflict");
    assert_eq!(
        body["errors"][0]["message"],
        "path parameter `customerId` is 42 but the body's `/customerId` is 43"
    );
    // The README's update call, verbatim.
    let (path, body) = readme_put();
    let readme = test::call_service(&app, put(&path, body)).await;
    assert_eq!(readme.status(), 200, "{path}");
    // The old route is gone.
    let old = test::call_service(&app, put("/api/customer/customers", customer())).await;
    assert_eq!(old.status(), 405);
}

/// The path and body of the README's `curl -X PUT` (its lines up to the closing quote).
fn readme_put() -> (String, Value) {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("curl -s -X PUT ")
        .expect("the README updates a customer");
    let call = &readme[start..];
    let url = call.split_whitespace().nth(4).unwrap();
    let path = url.strip_prefix("localhost:8080").unwrap().to_string();
    let data = &call[call.find("-d '").unwrap() + 4..];
    let data = &data[..data.find('\'').unwrap()];
    (path, serde_json::from_str(data).unwrap())
}

/// `check` of the sample mapping with `edit` applied.
fn check_edited(edit: impl Fn(String) -> String) -> Result<(), String> {
    let text = std::fs::read_to_string(root().join("tests/sample/mappings/crm.yaml")).unwrap();
    compile_str(
        &root().join("tests/sample/mappings/edited.yaml"),
        &edit(text),
    )
    .map(|_| ())
    .map_err(|d| d.to_string())
}

#[test]
fn check_refuses_a_binding_to_nothing() {
    let err = check_edited(|t| {
        t.replace(
            "customer/customerId: path.customerId",
            "customer/customerID: path.customerId",
        )
    })
    .unwrap_err();
    assert!(
        err.contains("`customer` has no field `customerID`")
            && err.contains("did you mean `customerId`?"),
        "{err}"
    );
    let err = check_edited(|t| {
        t.replace(
            "customer/customerId: path.customerId",
            "customer/billingAddress: path.customerId",
        )
    })
    .unwrap_err();
    assert!(
        err.contains("field `customer/billingAddress` is structured or repeated and cannot come from a path segment"),
        "{err}"
    );
    let err = check_edited(|t| {
        t.replace(
            "customer/customerId: path.customerId",
            "customer/customerId: path.id",
        )
    })
    .unwrap_err();
    assert!(
        err.contains(
            "names path parameter `{id}`, which route `PUT /customers/{customerId}` does not have"
        ) && err.contains("path parameter `{customerId}` is not bound to an input field"),
        "{err}"
    );
    let err = check_edited(|t| {
        t.replace(
            "      customerId: path.customerId\n    response: getCustomerResult",
            "      customerId: path.customerId\n      customerId/x: query.x\n    response: getCustomerResult",
        )
    })
    .unwrap_err();
    assert!(
        err.contains(
            "`customerId/x` is inside field `customerId`, which does not come from the body"
        ),
        "{err}"
    );
    assert_eq!(check_edited(|t| t), Ok(()));
}

#[test]
fn generate_keys_updates_and_structured_deletes() {
    let path = root().join("tests/routes/verbs.wsdl");
    let wsdl = soapbridge::wsdl::load(&path, &LoadOptions::default()).unwrap();
    let text = generate(
        &wsdl,
        "verbs.wsdl",
        select(&wsdl, None, None, None).unwrap(),
    );
    // A structured input holding only simple values: its id in the path, the rest in the query.
    assert!(
        text.contains(
            "  DeleteOrder:\n    route: DELETE /orders/{orderId}\n    request:\n      order/orderId: path.orderId\n      order/reason: query.reason\n"
        ),
        "{text}"
    );
    // A structured value inside: POST, and why.
    assert!(
        text.contains(
            "  CancelShipment:\n    # POST, not DELETE: `shipment` holds structured values, which a DELETE (no body) cannot carry\n    route: POST /cancel-shipment\n"
        ),
        "{text}"
    );
    // UpdateCustomer keys its top-level id; ReplaceCustomer's id is inside its body, and that
    // route is taken, so it keeps `PUT /customers`.
    assert!(
        text.contains(
            "  ReplaceCustomer:\n    route: PUT /customers\n    request:\n      customer: body\n"
        ),
        "{text}"
    );
    let crm = root().join("tests/sample/wsdl/crm.wsdl");
    let wsdl = soapbridge::wsdl::load(&crm, &LoadOptions::default()).unwrap();
    let text = generate(&wsdl, "crm.wsdl", select(&wsdl, None, None, None).unwrap());
    assert!(
        text.contains(
            "  UpdateCustomer:\n    route: PUT /customers/{customerId}\n    request:\n      customer: body\n      customer/customerId: path.customerId\n"
        ),
        "{text}"
    );
}
