//! `response: { KEY: FIELD }` and `created.location` as `check` reads them: a location must be a
//! GET route of the mapping whose parameters are keys of the answer.

use std::path::Path;

use soapbridge::mapping::compile::compile_str;
use soapbridge::mapping::route::LocationPart;

/// The sample's generated mapping (`generate` pairs CreateCustomer with GetCustomer), with
/// `edit` applied to its text.
fn compile_edited(
    edit: impl Fn(String) -> String,
) -> Result<soapbridge::mapping::CompiledMapping, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/generate/crm.yaml")).unwrap();
    // Compiled as if it stood beside the shipped one, so that `../wsdl/crm.wsdl` resolves (that
    // file is never read).
    let file = root.join("mappings/generated-crm.yaml");
    compile_str(&file, &edit(text)).map_err(|d| d.to_string())
}

#[test]
fn the_generated_location_names_the_get_route() {
    let m = compile_edited(|t| t).unwrap();
    let create = m
        .routes
        .iter()
        .find(|r| r.operation == "CreateCustomer")
        .unwrap();
    assert_eq!(create.response_key.as_deref(), Some("id"));
    let loc = create.created.as_ref().expect("created.location");
    assert_eq!(
        loc.parts,
        [
            LocationPart::Text("/api/customer/customers/".into()),
            LocationPart::Key("id".into())
        ]
    );
    assert_eq!(
        loc.fill(&serde_json::json!({"id": "a b/c"})).as_deref(),
        Some("/api/customer/customers/a%20b%2Fc")
    );
    assert_eq!(loc.fill(&serde_json::json!({"id": null})), None);
    assert_eq!(loc.fill(&serde_json::json!({})), None);
}

#[test]
fn a_location_that_reads_nothing_is_refused() {
    let err = compile_edited(|t| {
        t.replace(
            "location: GET /customers/{id}",
            "location: GET /clients/{id}",
        )
    })
    .unwrap_err();
    assert!(
        err.contains(
            "`created.location` names no route of this mapping: no `GET /api/customer/clients/{id}`"
        ),
        "{err}"
    );
    assert!(
        err.contains("its GET routes are: /api/customer/customers/{customerId}"),
        "{err}"
    );
}

#[test]
fn a_location_key_must_be_a_key_of_the_answer() {
    let err = compile_edited(|t| {
        t.replace(
            "location: GET /customers/{id}",
            "location: GET /customers/{customerId}",
        )
    })
    .unwrap_err();
    assert!(
        err.contains("`{customerId}` in `created.location` is not a key of the answer"),
        "{err}"
    );
    assert!(err.contains("the answer's keys are: id"), "{err}");
    let err = compile_edited(|t| {
        t.replace(
            "response: { id: createCustomerResult }",
            "response: createCustomerResult",
        )
    })
    .unwrap_err();
    assert!(err.contains("the answer is no object: name it"), "{err}");
    let err =
        compile_edited(|t| t.replace("location: GET /customers/{id}", "location: POST /customers"))
            .unwrap_err();
    assert!(err.contains("must be `GET /path`"), "{err}");
}

#[test]
fn a_named_response_takes_one_entry() {
    let err = compile_edited(|t| {
        t.replace(
            "response: { id: createCustomerResult }",
            "response: { id: createCustomerResult, x: y }",
        )
    })
    .unwrap_err();
    assert!(err.contains("takes one `KEY: FIELD` entry"), "{err}");
    let err = compile_edited(|t| {
        t.replace(
            "response: { id: createCustomerResult }",
            "response: { id: nope }",
        )
    })
    .unwrap_err();
    assert!(err.contains("has no output field `nope`"), "{err}");
}
