//! The whole path over real sockets: a client calls the app on 127.0.0.1:0, the app sends SOAP
//! to an upstream on 127.0.0.1:0 that records each envelope and answers as told (the built-in
//! mock's samples, or a misbehaving service).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use soapbridge::config::Config;
use soapbridge::convert::operation::ServicePlan;
use soapbridge::http::{State, configure, load_services};
use soapbridge::mock::Mock;
use soapbridge::upstream::{Auth, Target};

/// What the upstream received: SOAPAction / Content-Type headers and the envelope.
#[derive(Debug, Clone)]
struct Received {
    content_type: String,
    soap_action: String,
    authorization: String,
    body: String,
}

/// How the fake upstream answers.
#[derive(Clone)]
enum Behaviour {
    Mock,
    Fault(&'static str),
    Raw(u16, &'static str, &'static str),
    Bytes(u16, &'static str, &'static [u8]),
    Hang,
}

struct Upstream {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

fn sample_service() -> Arc<ServicePlan> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings");
    load_services(&dir)
        .expect("the shipped mapping compiles")
        .remove(0)
}

fn start_upstream(service: Arc<ServicePlan>, behaviour: Behaviour) -> Upstream {
    let received = Arc::new(Mutex::new(Vec::new()));
    let mock = Arc::new(Mock::new(service));
    let rec = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let (mock, rec, behaviour) = (mock.clone(), rec.clone(), behaviour.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (mock, rec, behaviour) = (mock.clone(), rec.clone(), behaviour.clone());
            async move {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                rec.lock().unwrap().push(Received {
                    content_type: header("content-type"),
                    soap_action: header("soapaction"),
                    authorization: header("authorization"),
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let (status, ct, bytes) = match behaviour {
                    Behaviour::Mock => mock.answer(None, &body),
                    Behaviour::Fault(f) => mock.answer(Some(f), &body),
                    Behaviour::Raw(s, ct, b) => (s, ct.to_string(), b.as_bytes().to_vec()),
                    Behaviour::Bytes(s, ct, b) => (s, ct.to_string(), b.to_vec()),
                    Behaviour::Hang => {
                        actix_web::rt::time::sleep(Duration::from_secs(10)).await;
                        (200, "text/xml".to_string(), Vec::new())
                    }
                };
                let mut r =
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
                r.content_type(ct);
                if status / 100 == 3 {
                    r.insert_header(("Location", "http://127.0.0.1:9/elsewhere"));
                }
                r.body(bytes)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    Upstream {
        url: format!("http://{addr}/crm/CustomerService.asmx"),
        received,
    }
}

/// Starts the bridge for the sample mapping, pointed at `upstream_url`; returns its base URL.
pub fn start_bridge(service: Arc<ServicePlan>, upstream_url: &str, timeout: Duration) -> String {
    let target = Target::new(
        upstream_url.to_string(),
        Auth::None,
        timeout,
        Duration::from_secs(5),
    );
    start_bridge_to(service, target)
}

/// Starts the bridge for one service and upstream target; returns its base URL.
fn start_bridge_to(service: Arc<ServicePlan>, target: Target) -> String {
    let mut config = Config::default();
    config.limits.body_bytes = 64 * 1024;
    let state = Arc::new(State::new(config, vec![service], vec![Some(target)]));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    format!("http://{addr}")
}

pub async fn call(
    base: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, String, Value) {
    call_raw(
        base,
        method,
        path,
        body.map(|b| ("application/json", b.to_string())),
    )
    .await
}

async fn call_raw(
    base: &str,
    method: &str,
    path: &str,
    body: Option<(&str, String)>,
) -> (u16, String, Value) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();
    let url = format!("{base}{path}");
    let req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url),
        "PUT" => client.put(url),
        "DELETE" => client.delete(url),
        other => panic!("{other}"),
    };
    let mut resp = match body {
        Some((ct, b)) => req
            .insert_header(("Content-Type", ct))
            .send_body(b)
            .await
            .unwrap(),
        None => req.send().await.unwrap(),
    };
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.body().limit(1 << 24).await.unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, ct, v)
}

fn customer() -> Value {
    // Parsed from text so the 18-digit amount stays exact (json! would go through f64).
    let mut c = json!({
        "customerId": 0,
        "firstName": "Ada",
        "lastName": "Lovelace & Co <1843>",
        "companyName": null,
        "status": "Active",
        "createdAt": "2024-03-01T10:00:00+01:00",
        "taxExempt": false,
        "billingAddress": { "street1": "12 St James's Sq", "city": "London", "postalCode": "12345", "country": "GB" },
        "preferredContact": { "email": "ada@example.com" },
        "phoneNumbers": { "phoneNumber": [ { "number": "+44 20 7946 0000", "type": "Work" } ] },
    });
    c["creditLimit"] =
        serde_json::from_str(r#"{ "value": 1234567890123456.78, "currency": "GBP" }"#).unwrap();
    c
}

/// (operation, method, path, body) for every operation of the sample service.
fn calls() -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    vec![
        (
            "GetCustomer",
            "GET",
            "/api/customer/customers/42".into(),
            None,
        ),
        (
            "FindCustomers",
            "GET",
            "/api/customer/customers?name=Smi%20th&city=Z%C3%BCrich&maxResults=5&status=Suspended"
                .into(),
            None,
        ),
        (
            "CreateCustomer",
            "POST",
            "/api/customer/customers".into(),
            Some(customer()),
        ),
        (
            "UpdateCustomer",
            "PUT",
            "/api/customer/customers/0".into(),
            Some(customer()),
        ),
        (
            "DeleteCustomer",
            "DELETE",
            "/api/customer/customers/7".into(),
            None,
        ),
        (
            "GetOrder",
            "GET",
            "/api/customer/orders/9223372036854775807".into(),
            None,
        ),
        (
            "PlaceOrder",
            "POST",
            "/api/customer/place-order".into(),
            Some(json!({ "order": {
                "customerId": 42,
                "lines": { "orderLine": [
                    { "lineNumber": 1, "sku": "ABC-123456", "quantity": 2, "discountPercent": 12.5 },
                    { "lineNumber": 2, "sku": "XYZ-000001", "quantity": 1 }
                ] },
                "invoice": { "paymentTermsDays": 30, "dueDate": null },
                "notes": "leave at the door"
            }})),
        ),
        (
            "GetOrderStatus",
            "GET",
            "/api/customer/order-status/1".into(),
            None,
        ),
    ]
}

#[actix_web::test]
async fn every_operation_of_the_sample_service() {
    let service = sample_service();
    assert_eq!(
        service.operations.len(),
        calls().len(),
        "a call per operation"
    );
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    for (op, method, path, body) in calls() {
        let (status, ct, answer) = call(&base, method, &path, body).await;
        let expected_status = if op == "CreateCustomer" { 201 } else { 200 };
        assert_eq!(status, expected_status, "{op}: {answer}");
        assert_eq!(ct, "application/json", "{op}");
        let received = up
            .received
            .lock()
            .unwrap()
            .pop()
            .expect("the upstream was called");
        assert_eq!(received.content_type, "text/xml; charset=utf-8", "{op}");
        assert_eq!(
            received.soap_action,
            format!("\"http://example.com/crm/2009/service/{op}\""),
            "{op}"
        );
        insta::assert_snapshot!(format!("{op}_envelope"), received.body);
        insta::assert_snapshot!(
            format!("{op}_answer"),
            serde_json::to_string_pretty(&answer).unwrap()
        );
    }
}

#[actix_web::test]
async fn bad_requests_are_400_naming_the_field_and_never_reach_the_upstream() {
    let service = sample_service();
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    let mut wrong_type = customer();
    wrong_type["taxExempt"] = json!("no");
    let mut missing = customer();
    missing.as_object_mut().unwrap().remove("lastName");
    let mut unknown = customer();
    unknown["favouriteColour"] = json!("blue");
    let mut bad_enum = customer();
    bad_enum["status"] = json!("Deleted");
    let mut bad_null = customer();
    bad_null["firstName"] = Value::Null;
    let mut pattern = customer();
    pattern["billingAddress"]["postalCode"] = json!("not-a-zip");
    let mut date = customer();
    date["createdAt"] = json!("2024-02-30T10:00:00Z");
    let mut control = customer();
    control["notes"] = json!("bell\u{7}");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            wrong_type,
            "/taxExempt",
            "expected a boolean, found a string",
        ),
        (missing, "/lastName", "required field is missing"),
        (unknown, "/favouriteColour", "unknown field"),
        (
            bad_enum,
            "/status",
            "\"Deleted\" is not one of: Active, Suspended, Closed",
        ),
        (bad_null, "/firstName", "null is not allowed here"),
        (control, "/notes", "control character U+0007"),
        (
            pattern,
            "/billingAddress/postalCode",
            "does not match the pattern [0-9]{5}(-[0-9]{4})?",
        ),
        (date, "/createdAt", "is not a valid xs:dateTime"),
    ];
    for (body, pointer, message) in cases {
        let (status, ct, answer) = call(&base, "POST", "/api/customer/customers", Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(ct, "application/problem+json");
        let errors = answer["errors"].as_array().unwrap();
        assert!(
            errors.iter().any(
                |e| e["pointer"] == pointer && e["message"].as_str().unwrap().contains(message)
            ),
            "{pointer}: {answer:#}"
        );
    }
    // Every problem at once.
    let mut many = customer();
    many["status"] = json!(3);
    many["billingAddress"]["country"] = json!(["GB"]);
    many.as_object_mut().unwrap().remove("createdAt");
    let (status, _, answer) = call(&base, "POST", "/api/customer/customers", Some(many)).await;
    assert_eq!(status, 400);
    let pointers: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        ["/status", "/createdAt", "/billingAddress/country"],
        "{answer:#}"
    );
    // A path parameter of the wrong type.
    let (status, _, answer) = call(&base, "GET", "/api/customer/customers/forty-two", None).await;
    assert_eq!(
        (status, answer["errors"][0]["pointer"].as_str()),
        (400, Some("/customerId")),
        "{answer}"
    );
    // Malformed JSON, wrong media type, too large, unknown route.
    let (status, ct, answer) = call_raw(
        &base,
        "POST",
        "/api/customer/customers",
        Some(("application/json", "{\"customer\": ".into())),
    )
    .await;
    assert_eq!(
        (status, ct.as_str(), answer["code"].as_str()),
        (400, "application/problem+json", Some("malformed_json"))
    );
    let (status, _, answer) = call_raw(
        &base,
        "POST",
        "/api/customer/customers",
        Some(("text/plain", "hello".into())),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let big = json!({ "notes": "x".repeat(70 * 1024) });
    let (status, _, answer) = call(&base, "POST", "/api/customer/customers", Some(big)).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (413, Some("body_too_large"))
    );
    let (status, ct, answer) = call(&base, "GET", "/api/nothing/here", None).await;
    assert_eq!(
        (status, ct.as_str(), answer["code"].as_str()),
        (404, "application/problem+json", Some("no_such_route"))
    );
    assert!(
        up.received.lock().unwrap().is_empty(),
        "no bad request reached the upstream"
    );
}

/// The whole problem+json of a request with several problems: each names its place, the rule it
/// breaks, what the schema takes and what was sent (the README shows this answer).
#[actix_web::test]
async fn an_invalid_request_answers_every_problem_with_rule_expected_and_found() {
    let service = sample_service();
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    let mut body = customer();
    body["customerId"] = json!(3000000000u64);
    body["status"] = json!("Gone");
    body["billingAddress"]["postalCode"] = json!("ABC");
    body["billingAddress"]
        .as_object_mut()
        .unwrap()
        .remove("city");
    let (status, ct, answer) = call(&base, "POST", "/api/customer/customers", Some(body)).await;
    assert_eq!((status, ct.as_str()), (400, "application/problem+json"));
    assert_eq!(
        answer,
        json!({
            "type": "https://soapbridge.dev/problems/invalid_request",
            "title": "The request does not match the service's schema",
            "status": 400,
            "code": "invalid_request",
            "detail": "4 problem(s) in the request",
            "errors": [
                {"pointer": "/customerId", "rule": "maxInclusive",
                 "expected": "xs:int (-2147483648 to 2147483647)", "found": "3000000000",
                 "message": "must be at most 2147483647"},
                {"pointer": "/status", "rule": "enumeration",
                 "expected": "one of: \"Active\", \"Suspended\", \"Closed\"", "found": "\"Gone\"",
                 "message": "\"Gone\" is not one of: Active, Suspended, Closed"},
                {"pointer": "/billingAddress/city", "rule": "required",
                 "expected": "a value for the required field \"city\"", "found": "nothing",
                 "message": "required field is missing"},
                {"pointer": "/billingAddress/postalCode", "rule": "pattern",
                 "expected": "a string matching [0-9]{5}(-[0-9]{4})?", "found": "\"ABC\"",
                 "message": "\"ABC\" does not match the pattern [0-9]{5}(-[0-9]{4})?"}
            ]
        }),
        "{answer:#}"
    );
    // A path parameter: the field it fills, the value as sent (a string from the path).
    let (status, _, answer) = call(&base, "GET", "/api/customer/customers/forty-two", None).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["errors"],
        json!([{"pointer": "/customerId", "rule": "type",
            "expected": "an integer (xs:int)", "found": "\"forty-two\"",
            "message": "path parameter `customerId`: expected an integer (int), found \"forty-two\""}]),
        "{answer:#}"
    );
    assert!(up.received.lock().unwrap().is_empty(), "nothing was sent");
}

#[actix_web::test]
async fn faults_map_to_statuses() {
    let service = sample_service();
    // A declared fault the mapping maps (CustomerNotFoundFault -> 404), its detail typed.
    let up = start_upstream(service.clone(), Behaviour::Fault("CustomerNotFoundFault"));
    let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
    let (status, ct, answer) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!(
        (status, ct.as_str()),
        (404, "application/problem+json"),
        "{answer}"
    );
    assert_eq!(answer["fault"]["name"], "CustomerNotFoundFault");
    assert_eq!(answer["fault"]["detail"]["customerId"], 42);
    // A plain Client fault -> 400; a Server fault -> 502.
    for (fault, expected) in [("Client", 400), ("Server", 502)] {
        let up = start_upstream(service.clone(), Behaviour::Fault(fault));
        let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
        let (status, _, answer) = call(&base, "GET", "/api/customer/customers/42", None).await;
        assert_eq!(status, expected, "{fault}: {answer}");
        assert_eq!(answer["code"], "soap_fault");
    }
    // A fault with HTTP 200 is still a fault.
    let fault200 = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad id</faultstring></s:Fault></s:Body></s:Envelope>"#;
    let up = start_upstream(service.clone(), Behaviour::Raw(200, "text/xml", fault200));
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    let (status, _, answer) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!(
        (status, answer["detail"].as_str()),
        (400, Some("bad id")),
        "{answer}"
    );
}

#[actix_web::test]
async fn bad_upstreams_are_502_or_504_without_leaking_details() {
    let service = sample_service();
    let cases: Vec<(Behaviour, u16)> = vec![
        (
            Behaviour::Raw(
                200,
                "text/html",
                "<html><body><h1>Service Unavailable</h1></body></html>",
            ),
            502,
        ),
        (
            Behaviour::Raw(
                200,
                "text/xml",
                "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetCustomerRes",
            ),
            502,
        ),
        (
            Behaviour::Raw(
                200,
                "text/xml",
                "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY lol \"lol\">]><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>&lol;</s:Body></s:Envelope>",
            ),
            502,
        ),
        (Behaviour::Raw(302, "text/html", "moved"), 502),
        (
            Behaviour::Raw(
                200,
                "text/xml",
                "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><x:Other xmlns:x=\"urn:x\"/></s:Body></s:Envelope>",
            ),
            502,
        ),
        (Behaviour::Hang, 504),
        // Namespace declarations by the thousand (roxmltree's scoping is quadratic in them): refused
        // by the pre-scan before any tree is built.
        (Behaviour::Raw(200, "text/xml", many_namespaces()), 502),
        // A required element missing.
        (
            Behaviour::Raw(
                200,
                "text/xml",
                r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetCustomerResponse xmlns="http://example.com/crm/2009/service"/></s:Body></s:Envelope>"#,
            ),
            502,
        ),
        // An element inside simple content.
        (
            Behaviour::Raw(
                200,
                "text/xml",
                r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetCustomerResponse xmlns="http://example.com/crm/2009/service"><GetCustomerResult><CustomerId xmlns="http://example.com/crm/2009/types">1<x/></CustomerId></GetCustomerResult></GetCustomerResponse></s:Body></s:Envelope>"#,
            ),
            502,
        ),
    ];
    for (behaviour, expected) in cases {
        let up = start_upstream(service.clone(), behaviour);
        let base = start_bridge(service.clone(), &up.url, Duration::from_millis(500));
        let (status, ct, answer) = call(&base, "GET", "/api/customer/customers/42", None).await;
        assert_eq!(
            (status, ct.as_str()),
            (expected, "application/problem+json"),
            "{answer}"
        );
        let text = answer.to_string();
        assert!(
            !text.contains("127.0.0.1")
                && !text.contains("lol")
                && !text.contains("Service Unavailable"),
            "details leaked: {text}"
        );
    }
    // Connection refused: a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = start_bridge(
        service,
        &format!("http://127.0.0.1:{port}/x"),
        Duration::from_secs(2),
    );
    let (status, _, answer) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!(status, 502, "{answer}");
}

fn many_namespaces() -> &'static str {
    let decls: String = (0..400).map(|i| format!(" xmlns:p{i}=\"u\"")).collect();
    let header: String = (0..5000).map(|_| "<h xmlns:q=\"u\"/>").collect();
    Box::leak(format!("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"{decls}><s:Header>{header}</s:Header><s:Body/></s:Envelope>").into_boxed_str())
}

#[actix_web::test]
async fn a_query_value_that_is_not_utf8_is_refused() {
    let service = sample_service();
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/customer/customers?name=%FF%FEab", None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_request")),
        "{v}"
    );
    assert!(up.received.lock().unwrap().is_empty());
}

#[actix_web::test]
async fn health_checks() {
    let service = sample_service();
    let base = start_bridge(service, "http://127.0.0.1:9/", Duration::from_secs(1));
    assert_eq!(call(&base, "GET", "/livez", None).await.0, 200);
    assert_eq!(call(&base, "GET", "/readyz", None).await.0, 200);
    let (status, ct, doc) = call(&base, "GET", "/openapi.json", None).await;
    assert_eq!(
        (status, ct.as_str(), doc["openapi"].as_str()),
        (200, "application/json", Some("3.1.0"))
    );
    assert!(doc["paths"]["/api/customer/orders/{orderId}"]["get"].is_object());
}

/// A mapping of the sample WSDL written for another port or a test WSDL, compiled as a service.
fn service_from(wsdl: &Path, port: Option<&str>) -> Arc<ServicePlan> {
    let w = soapbridge::wsdl::load(wsdl, &Default::default()).unwrap_or_else(|d| panic!("{d}"));
    let sel = soapbridge::mapping::generate::select(&w, None, port, None).unwrap();
    let dir = wsdl.parent().unwrap();
    let text = soapbridge::mapping::generate::generate(
        &w,
        wsdl.file_name().unwrap().to_str().unwrap(),
        sel,
    );
    let compiled = soapbridge::mapping::compile::compile_str(&dir.join("t.yaml"), &text)
        .unwrap_or_else(|d| panic!("{d}"));
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}

#[actix_web::test]
async fn soap_12_binding() {
    let wsdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/wsdl/crm.wsdl");
    let service = service_from(&wsdl, Some("CustomerServiceSoap12"));
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!((status, v["customerId"].as_u64()), (200, Some(42)), "{v}");
    let got = up.received.lock().unwrap().pop().unwrap();
    assert_eq!(
        got.content_type,
        "application/soap+xml; charset=utf-8; action=\"http://example.com/crm/2009/service/GetCustomer\""
    );
    assert_eq!(got.soap_action, "", "SOAP 1.2 sends no SOAPAction header");
    assert!(
        got.body
            .contains("xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""),
        "{}",
        got.body
    );
    // A SOAP 1.2 Sender fault -> 400, a declared one -> its mapped status.
    for (fault, expected) in [
        ("Client", 400),
        ("CustomerNotFoundFault", 404),
        ("Server", 502),
    ] {
        let up = start_upstream(service.clone(), Behaviour::Fault(fault));
        let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
        let (status, _, v) = call(&base, "GET", "/api/customer/customers/42", None).await;
        assert_eq!(status, expected, "{fault}: {v}");
    }
    // A SOAP 1.1 answer to a SOAP 1.2 request is not this binding's answer.
    let v11 =
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>"#;
    let up = start_upstream(service.clone(), Behaviour::Raw(200, "text/xml", v11));
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    assert_eq!(
        call(&base, "GET", "/api/customer/customers/42", None)
            .await
            .0,
        502
    );
}

#[actix_web::test]
async fn rpc_literal_binding() {
    let dir = tempfile::tempdir().unwrap();
    let wsdl = dir.path().join("rpc.wsdl");
    std::fs::write(&wsdl, r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:rpc" targetNamespace="urn:rpc">
  <types><xs:schema targetNamespace="urn:rpc">
    <xs:complexType name="Point"><xs:sequence><xs:element name="x" type="xs:int"/><xs:element name="y" type="xs:int"/></xs:sequence></xs:complexType>
  </xs:schema></types>
  <message name="MoveIn"><part name="from" type="tns:Point"/><part name="dx" type="xs:int"/></message>
  <message name="MoveOut"><part name="to" type="tns:Point"/></message>
  <portType name="P"><operation name="Move"><input message="tns:MoveIn"/><output message="tns:MoveOut"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Move"><soap:operation soapAction="urn:rpc#Move"/>
      <input><soap:body use="literal" namespace="urn:rpc"/></input><output><soap:body use="literal" namespace="urn:rpc"/></output></operation></binding>
  <service name="RpcService"><port name="P" binding="tns:B"><soap:address location="http://127.0.0.1:9/rpc"/></port></service>
</definitions>"#).unwrap();
    let service = service_from(&wsdl, None);
    let answer = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r:MoveResponse xmlns:r="urn:rpc"><to><x>4</x><y>2</y></to></r:MoveResponse></s:Body></s:Envelope>"#;
    let up = start_upstream(service.clone(), Behaviour::Raw(200, "text/xml", answer));
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    let (status, _, v) = call(
        &base,
        "POST",
        "/api/rpc/move",
        Some(json!({"dx": 3, "from": {"y": 2, "x": 1}})),
    )
    .await;
    assert_eq!((status, v), (200, json!({"x": 4, "y": 2})));
    let got = up.received.lock().unwrap().pop().unwrap();
    // The rpc wrapper is the operation's name in the binding's namespace; parts are unqualified,
    // in message order whatever the JSON order.
    let prefix = got
        .body
        .split("=\"urn:rpc\"")
        .next()
        .unwrap()
        .rsplit("xmlns:")
        .next()
        .unwrap()
        .to_string();
    let expected = format!(
        "<soap:Body><{prefix}:Move><from><x>1</x><y>2</y></from><dx>3</dx></{prefix}:Move></soap:Body>"
    );
    assert!(got.body.contains(&expected), "{}", got.body);
}

#[actix_web::test]
async fn basic_auth_from_the_environment_and_answer_size_cap() {
    let service = sample_service();
    // Credentials are `${VAR}`s resolved from the environment (HOME is set wherever tests run).
    let home = std::env::var("HOME").expect("HOME is set");
    let mut settings = service.compiled.upstream.clone();
    let up = start_upstream(service.clone(), Behaviour::Mock);
    settings.url = Some(up.url.clone());
    settings.basic_auth = Some(("${HOME}".into(), "${HOME}".into()));
    let target = Target::resolve(&settings).unwrap().unwrap();
    assert!(
        !format!("{target:?}").contains(&home) || home.is_empty(),
        "Debug must not show credentials"
    );
    let base = start_bridge_to(service.clone(), target);
    let (status, _, _) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!(status, 200);
    let got = up.received.lock().unwrap().pop().unwrap();
    let expected = {
        use std::io::Write;
        let mut enc = Vec::new();
        write!(enc, "{home}:{home}").unwrap();
        enc
    };
    assert!(
        got.authorization.starts_with("Basic "),
        "{}",
        got.authorization
    );
    assert_eq!(decode_b64(&got.authorization["Basic ".len()..]), expected);

    // An answer over the limit is cut off while reading: 502.
    let big: &'static str = Box::leak(format!("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>{}</s:Body></s:Envelope>", "<x/>".repeat(1_200_000)).into_boxed_str());
    let up = start_upstream(service.clone(), Behaviour::Raw(200, "text/xml", big));
    let base = start_bridge(service, &up.url, Duration::from_secs(10));
    let (status, _, v) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!(
        (status, v["detail"].as_str()),
        (502, Some("the legacy service's answer is too large")),
        "{v}"
    );
}

#[actix_web::test]
async fn per_operation_deadline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings");
    let text = std::fs::read_to_string(dir.join("crm.yaml"))
        .unwrap()
        .replace(
            "    route: GET /customers/{customerId}\n",
            "    route: GET /customers/{customerId}\n    timeout: 300ms\n",
        );
    let compiled = soapbridge::mapping::compile::compile_str(&dir.join("crm.yaml"), &text)
        .unwrap_or_else(|d| panic!("{d}"));
    let service = Arc::new(ServicePlan::new(Arc::new(compiled)));
    let up = start_upstream(service.clone(), Behaviour::Hang);
    let base = start_bridge(service, &up.url, Duration::from_secs(30));
    let started = std::time::Instant::now();
    let (status, _, v) = call(&base, "GET", "/api/customer/customers/42", None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (504, Some("upstream_timeout"))
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the operation's 300ms deadline applies, not the mapping's 30s"
    );
}

fn decode_b64(s: &str) -> Vec<u8> {
    const T: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.trim_end_matches('=').chars() {
        bits = (bits << 6) | T.find(c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

#[actix_web::test]
async fn answers_in_legacy_encodings_are_read() {
    let service = sample_service();
    // ISO-8859-1 by the Content-Type (the byte 0xFC is `ü`), and UTF-16 by its BOM.
    let latin1: &'static [u8] = b"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><FindCustomersResponse xmlns=\"http://example.com/crm/2009/service\"><FindCustomersResult><Customer xmlns=\"http://example.com/crm/2009/types\"><CustomerId>1</CustomerId><FirstName>J\xfcrg</FirstName><LastName>M</LastName><Status>Active</Status><CreatedAt>2024-01-01T00:00:00Z</CreatedAt><TaxExempt>0</TaxExempt><BillingAddress><Street1>s</Street1><City>Z\xfcrich</City><PostalCode>80000</PostalCode><Country>CH</Country></BillingAddress></Customer></FindCustomersResult></FindCustomersResponse></s:Body></s:Envelope>";
    let up = start_upstream(
        service.clone(),
        Behaviour::Bytes(200, "text/xml; charset=ISO-8859-1", latin1),
    );
    let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/customer/customers?name=J", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["customer"][0]["firstName"], "Jürg");
    assert_eq!(v["customer"][0]["billingAddress"]["city"], "Zürich");
    assert_eq!(v["customer"][0]["taxExempt"], false);
    let text = String::from_utf8_lossy(latin1).replace('\u{FFFD}', "ü");
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let utf16: &'static [u8] = Box::leak(utf16.into_boxed_slice());
    let up = start_upstream(service.clone(), Behaviour::Bytes(200, "text/xml", utf16));
    let base = start_bridge(service, &up.url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/customer/customers?name=J", None).await;
    assert_eq!(
        (status, v["customer"][0]["firstName"].as_str()),
        (200, Some("Jürg")),
        "{v}"
    );
}

/// The OpenAPI examples are real: a request built from each operation's parameter and body
/// examples is accepted, and the answer (the mock samples with the same generator) is the
/// response example.
#[actix_web::test]
async fn openapi_examples_are_accepted_and_answered() {
    let service = sample_service();
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&service));
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
    let mut calls = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut url = path.clone();
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let text = match &p["example"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let text: String = text
                    .bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect();
                match p["in"].as_str().unwrap() {
                    "path" => {
                        url = url.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), &text)
                    }
                    "query" => query.push(format!("{}={text}", p["name"].as_str().unwrap())),
                    other => panic!("{other} parameters are not in the sample"),
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let body = op["requestBody"]["content"]["application/json"]["example"].clone();
            let body = (!body.is_null()).then_some(body);
            let (status, _, answer) = call(&base, &method.to_uppercase(), &url, body).await;
            assert!((200..300).contains(&status), "{method} {url}: {answer}");
            let expected =
                &op["responses"][status.to_string()]["content"]["application/json"]["example"];
            assert_eq!(&answer, expected, "{method} {url}");
            calls += 1;
        }
    }
    assert_eq!(calls, service.operations.len());
}

/// The sample mapping with `validate_answers` set.
fn sample_with_validation(mode: &str) -> Arc<ServicePlan> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/mappings/crm.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "validate_answers: warn\n",
        &format!("validate_answers: {mode}\n"),
    );
    assert!(text.contains(&format!("validate_answers: {mode}\n")));
    let compiled =
        soapbridge::mapping::compile::compile_str(&file, &text).unwrap_or_else(|d| panic!("{d}"));
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}

#[actix_web::test]
async fn answers_outside_the_schema_per_validate_answers() {
    // The mock's answer to GetOrderStatus with a status the enumeration does not have: the
    // conversion reads it (the value is a string), the schema does not allow it.
    let sample = sample_service();
    let mock = Mock::new(sample.clone());
    let good =
        String::from_utf8(mock.sample_response(sample.operation("GetOrderStatus").unwrap(), 0))
            .unwrap();
    let status = roxmltree::Document::parse(&good)
        .unwrap()
        .descendants()
        .find(|n| n.has_tag_name("GetOrderStatusResult"))
        .and_then(|n| n.text().map(str::to_string))
        .expect("a status in the mock's answer");
    let bad: &'static str = Box::leak(
        good.replace(&format!(">{status}<"), ">Teleported<")
            .into_boxed_str(),
    );
    assert_ne!(bad, good);
    for (mode, expected) in [("strict", 502), ("warn", 200), ("off", 200)] {
        let service = sample_with_validation(mode);
        let upstream = start_upstream(service.clone(), Behaviour::Raw(200, "text/xml", bad));
        let base = start_bridge(service.clone(), &upstream.url, Duration::from_secs(5));
        let (code, _, body) = call(&base, "GET", "/api/customer/order-status/7", None).await;
        assert_eq!(code, expected, "{mode}: {body}");
        if expected == 502 {
            // A short reason; the violations themselves go to the log only.
            assert_eq!(
                body["detail"],
                json!("the legacy service's answer does not match its contract")
            );
            assert!(!body.to_string().contains("Teleported"), "{body}");
        } else {
            assert_eq!(body, json!("Teleported"), "{mode}");
        }
        let metrics = reqwest_text(&format!("{base}/metrics")).await;
        let counted = if mode == "off" { 0 } else { 1 };
        assert!(
            metrics.contains(&format!(
                "soapbridge_answers_outside_schema_total{{mapping=\"crm\"}} {counted}"
            )),
            "{mode}: {metrics}"
        );
        // A valid answer is not counted.
        let upstream = start_upstream(service.clone(), Behaviour::Mock);
        let base = start_bridge(service.clone(), &upstream.url, Duration::from_secs(5));
        let (code, _, _) = call(&base, "GET", "/api/customer/order-status/7", None).await;
        assert_eq!(code, 200, "{mode}");
        assert_eq!(
            service
                .answers_invalid
                .load(std::sync::atomic::Ordering::Relaxed),
            counted,
            "{mode}"
        );
    }
}

/// A GET's body as text.
async fn reqwest_text(url: &str) -> String {
    let mut resp = awc::Client::default().get(url).send().await.unwrap();
    String::from_utf8(resp.body().await.unwrap().to_vec()).unwrap()
}

/// The generated mapping of the sample: `POST /customers` answers `{"id": N}` (201) with the
/// `Location` of `GET /customers/{customerId}`, which reads it; a single value is never a bare
/// body (`DELETE` answers `{"result": ...}`).
#[actix_web::test]
async fn created_resources_answer_an_object_and_their_location() {
    let wsdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sample/wsdl/crm.wsdl");
    let service = service_from(&wsdl, None);
    let up = start_upstream(service.clone(), Behaviour::Mock);
    let base = start_bridge(service.clone(), &up.url, Duration::from_secs(5));
    let client = awc::Client::default();
    let mut resp = client
        .post(format!("{base}/api/customer/customers"))
        .insert_header(("Content-Type", "application/json"))
        .send_body({
            // Generated mappings unwrap list wrappers (`unwrap_lists: true`).
            let mut c = customer();
            c["phoneNumbers"] = c["phoneNumbers"]["phoneNumber"].take();
            c.to_string()
        })
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&resp.body().await.unwrap()).unwrap();
    assert_eq!(resp.status().as_u16(), 201, "{body}");
    let id = body["id"].as_i64().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_string();
    assert_eq!(location, format!("/api/customer/customers/{id}"));
    let (status, _, read) = call(&base, "GET", &location, None).await;
    assert_eq!(status, 200, "{read}");
    assert!(read["customerId"].is_number(), "{read}");

    let (status, _, deleted) = call(&base, "DELETE", &location, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["result"].is_boolean(), "{deleted}");
    let (status, _, st) = call(&base, "GET", "/api/customer/orders/7/status", None).await;
    assert_eq!(status, 200, "{st}");
    assert!(st["result"].is_string(), "{st}");
}
