//! SOAP headers end to end, on a WSDL of our own (`tests/cases/mapping_headers_ok`): header parts
//! filled from constants, `${VAR}`s, HTTP headers and body keys; `mustUnderstand`; SOAP 1.1 and
//! 1.2; answer headers as HTTP response headers and JSON keys; bad values as 400s; secrets never
//! in answers; the generated mapping and the OpenAPI document.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use soapbridge::convert::operation::ServicePlan;
use soapbridge::mapping::compile::compile_str;

use crate::serve::start_bridge;

/// The case's password (a secret, so read from a file), as the mapping writes it.
const PASSWORD_FROM_FILE: &str = "${file:tests/cases/mapping_headers_ok/password.txt}";

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/mapping_headers_ok")
}

/// The case's mapping, edited by `edit`, compiled as a service.
fn service(edit: impl Fn(String) -> String) -> Arc<ServicePlan> {
    let file = case_dir().join("mapping.yaml");
    let text = edit(std::fs::read_to_string(&file).unwrap());
    let compiled = compile_str(&file, &text).unwrap_or_else(|d| panic!("{d}"));
    Arc::new(ServicePlan::new(Arc::new(compiled)))
}

/// An upstream on 127.0.0.1:0 that records every envelope and answers `answer` (SOAP 1.1 or 1.2
/// by the `soap` prefix's namespace in it).
fn upstream(answer: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let rec = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let rec = rec.clone();
        App::new().default_service(web::to(move |body: web::Bytes| {
            let rec = rec.clone();
            async move {
                rec.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                HttpResponse::Ok().content_type("text/xml").body(answer)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (format!("http://{addr}/orders"), received)
}

const GET_ANSWER: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><w:Security xmlns:w="urn:undeclared"><w:Token>t</w:Token></w:Security><h:RequestId xmlns:h="urn:acme:headers">req-77</h:RequestId><h:ServerInfo xmlns:h="urn:acme:headers" version="2.4"><h:Build>1207</h:Build></h:ServerInfo></s:Header><s:Body><GetOrderResponse xmlns="urn:acme:orders"><Order><Id>42</Id><Item>Widget</Item><Quantity>3</Quantity></Order></GetOrderResponse></s:Body></s:Envelope>"#;

const CREATE_ANSWER: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><CreateOrderResponse xmlns="urn:acme:orders"><Id>43</Id></CreateOrderResponse></s:Body></s:Envelope>"#;

/// Calls the bridge with request headers; answers (status, response headers, JSON).
async fn call(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, awc::http::header::HeaderMap, Value) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();
    let url = format!("{base}{path}");
    let mut req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url),
        other => panic!("{other}"),
    };
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut resp = match body {
        Some(b) => req
            .insert_header(("Content-Type", "application/json"))
            .send_body(b.to_string())
            .await
            .unwrap(),
        None => req.send().await.unwrap(),
    };
    let bytes = resp.body().await.unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (resp.status().as_u16(), resp.headers().clone(), v)
}

#[actix_web::test]
async fn header_parts_from_constants_http_headers_and_the_answer() {
    let svc = service(|t| t);
    let (url, received) = upstream(GET_ANSWER);
    let base = start_bridge(svc, &url, Duration::from_secs(5));
    let (status, headers, v) = call(
        &base,
        "GET",
        "/api/orders/orders/42",
        &[("X-Tenant", "7"), ("Accept-Language", "en-GB")],
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    // The answer's simple header is an HTTP header; the structured one a key of the JSON.
    assert_eq!(
        headers.get("x-request-id").and_then(|h| h.to_str().ok()),
        Some("req-77")
    );
    assert_eq!(
        v,
        json!({"id": 42, "item": "Widget", "quantity": 3, "server": {"version": "2.4", "build": 1207}})
    );
    let envelope = received.lock().unwrap().pop().unwrap();
    insta::assert_snapshot!("headers_get_order_envelope", envelope);

    // Without the optional request values: Auth still goes (its constants), Locale does not.
    let (status, _, v) = call(&base, "GET", "/api/orders/orders/42", &[], None).await;
    assert_eq!(status, 200, "{v}");
    let envelope = received.lock().unwrap().pop().unwrap();
    assert!(
        envelope.contains("Password>s3cret</")
            && !envelope.contains("Tenant")
            && !envelope.contains("Locale"),
        "{envelope}"
    );
}

#[actix_web::test]
async fn bad_header_values_are_400_naming_the_header_and_never_sent() {
    let svc = service(|t| t);
    let (url, received) = upstream(CREATE_ANSWER);
    let base = start_bridge(svc, &url, Duration::from_secs(5));
    let order = json!({"order": {"id": 1, "item": "Widget", "quantity": 2}});
    let with = |extra: Value| {
        let mut b = order.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    // (method, request headers, body, expected pointer, expected message fragment)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Value, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            "GET",
            vec![("X-Tenant", "seven")],
            Value::Null,
            "/tenant",
            "header `X-Tenant`",
        ),
        (
            "GET",
            vec![("Accept-Language", "not a language")],
            Value::Null,
            "/locale",
            "header `Accept-Language`",
        ),
        // CreateOrder's Trace header is required.
        (
            "POST",
            vec![],
            order.clone(),
            "/",
            "the SOAP header `Trace` is required: give header `X-Trace-Id` or body key `trace`",
        ),
        // Given, but without its required traceId.
        (
            "POST",
            vec![],
            with(json!({"trace": {"app": "web", "hop": ["a"]}})),
            "/traceId",
            "header `X-Trace-Id` is required (it fills the SOAP header `Trace`)",
        ),
        (
            "POST",
            vec![("X-Trace-Id", "XYZ")],
            order.clone(),
            "/traceId",
            "header `X-Trace-Id`: \"XYZ\" does not match the pattern",
        ),
        // A structured header value from the body: errors point into the body.
        (
            "POST",
            vec![("X-Trace-Id", "0badcafe")],
            with(json!({"trace": {"app": "web"}})),
            "/trace/hop",
            "required",
        ),
        (
            "POST",
            vec![("X-Trace-Id", "0badcafe")],
            with(json!({"trace": {"app": "web", "hop": ["a"], "colour": 1}})),
            "/trace/colour",
            "unknown field",
        ),
    ];
    for (method, headers, body, pointer, message) in cases {
        let (path, body) = if method == "GET" {
            ("/api/orders/orders/42", None)
        } else {
            ("/api/orders/orders", Some(body))
        };
        let (status, _, v) = call(&base, method, path, &headers, body).await;
        assert_eq!(status, 400, "{v:#}");
        assert!(
            v["errors"].as_array().unwrap().iter().any(
                |e| e["pointer"] == pointer && e["message"].as_str().unwrap().contains(message)
            ),
            "{pointer} {message}: {v:#}"
        );
    }
    assert!(received.lock().unwrap().is_empty(), "nothing bad was sent");

    // The good request: the structured header from the body key, the attribute from the header.
    let (status, _, v) = call(
        &base,
        "POST",
        "/api/orders/orders",
        &[("X-Trace-Id", "0badcafe")],
        Some(with(
            json!({"trace": {"hop": ["edge", "core"], "app": "web"}}),
        )),
    )
    .await;
    assert_eq!((status, v), (201, json!({"id": 43})));
    let envelope = received.lock().unwrap().pop().unwrap();
    insta::assert_snapshot!("headers_create_order_envelope", envelope);
}

#[actix_web::test]
async fn soap_12_headers() {
    let svc = service(|t| t.replace("port: OrdersSoap\n", "port: OrdersSoap12\n"));
    let answer = GET_ANSWER.replace(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    );
    let (url, received) = upstream(Box::leak(answer.into_boxed_str()));
    let base = start_bridge(svc, &url, Duration::from_secs(5));
    let (status, headers, v) = call(
        &base,
        "GET",
        "/api/orders/orders/42",
        &[("Accept-Language", "de-CH")],
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["server"]["build"], 1207);
    assert_eq!(headers.get("x-request-id").unwrap(), "req-77");
    let envelope = received.lock().unwrap().pop().unwrap();
    insta::assert_snapshot!("headers_soap12_envelope", envelope);
}

#[actix_web::test]
async fn secrets_stay_out_of_answers() {
    // An unset variable: the operation is unavailable (503), saying nothing of the variable.
    let svc = service(|t| t.replace(PASSWORD_FROM_FILE, "${SOAPBRIDGE_TEST_UNSET_PASSWORD}"));
    let problem = svc.operations[0]
        .header_problem
        .as_ref()
        .unwrap()
        .to_string();
    assert!(
        problem.contains("SOAPBRIDGE_TEST_UNSET_PASSWORD"),
        "{problem}"
    );
    let (url, received) = upstream(GET_ANSWER);
    let base = start_bridge(svc, &url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/orders/orders/42", &[], None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (503, Some("unavailable")),
        "{v}"
    );
    assert!(!v.to_string().contains("SOAPBRIDGE_TEST"), "{v}");
    assert!(received.lock().unwrap().is_empty());

    // A variable whose value does not fit the field's type: the problem names the field, never
    // the value (HOME is set wherever tests run, and is not an xs:int).
    let home = std::env::var("HOME").expect("HOME is set");
    let svc = service(|t| t.replace("tenant: header.X-Tenant", "tenant: { value: \"${HOME}\" }"));
    let problem = svc.operations[0]
        .header_problem
        .as_ref()
        .unwrap()
        .to_string();
    assert!(
        problem.contains("tenant") && !problem.contains(&home),
        "{problem}"
    );
}

/// A `${VAR}` constant that fails its field's type is never echoed: not in `found`, not in a
/// message, whether the operation is refused at load (503) or the value reaches the encoder.
#[actix_web::test]
async fn a_secret_constant_that_fails_its_type_is_never_in_an_error_body() {
    const SECRET: &str = "tenant-secret-4711";
    let text = std::fs::read_to_string(case_dir().join("mapping.yaml"))
        .unwrap()
        .replace(
            "tenant: header.X-Tenant",
            "tenant: { value: \"${SOAPBRIDGE_TEST_UNSET_TENANT:-tenant-secret-4711}\" }",
        );
    let file = case_dir().join("mapping.yaml");
    let compiled = Arc::new(compile_str(&file, &text).unwrap_or_else(|d| panic!("{d}")));

    // As loaded: the value (not an xs:int) makes the operation unavailable, saying why only in
    // the log.
    let svc = ServicePlan::new(compiled.clone());
    let problem = svc.operations[0]
        .header_problem
        .as_ref()
        .unwrap()
        .to_string();
    assert!(!problem.contains(SECRET), "{problem}");
    let (url, received) = upstream(GET_ANSWER);
    let base = start_bridge(Arc::new(svc), &url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/orders/orders/42", &[], None).await;
    assert_eq!(status, 503, "{v}");
    assert!(!v.to_string().contains(SECRET), "{v}");

    // Had the value reached the encoder anyway, its 400 says the rule and what the schema takes,
    // never the value.
    let mut svc = ServicePlan::new(compiled);
    let op = &mut svc.operations[0];
    op.header_problem = None;
    op.header_values[0].push(("tenant".to_string(), Value::String(SECRET.to_string())));
    let base = start_bridge(Arc::new(svc), &url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/orders/orders/42", &[], None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_request")),
        "{v:#}"
    );
    assert!(!v.to_string().contains(SECRET), "{v:#}");
    let errors = v["errors"].as_array().unwrap();
    let configured = errors
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("configured value"))
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(
        configured,
        &json!({
            "pointer": "/",
            "rule": "type",
            "expected": "an integer (xs:int)",
            "message": "a configured value of the SOAP header `Auth` is not valid"
        })
    );
    assert_eq!(errors.len(), 1, "{v:#}");
    assert!(received.lock().unwrap().is_empty(), "nothing was sent");
}

#[test]
fn the_generated_mapping_binds_header_fields_to_http_headers() {
    let wsdl_path = case_dir().join("service.wsdl");
    let wsdl = soapbridge::wsdl::load(&wsdl_path, &Default::default()).unwrap();
    let sel = soapbridge::mapping::generate::select(&wsdl, None, None, None).unwrap();
    let text = soapbridge::mapping::generate::generate(&wsdl, "service.wsdl", sel);
    insta::assert_snapshot!("headers_generated_mapping", text);
    let compiled =
        compile_str(&case_dir().join("generated.yaml"), &text).unwrap_or_else(|d| panic!("{d}"));
    let create = compiled
        .routes
        .iter()
        .find(|r| r.operation == "CreateOrder")
        .unwrap();
    let bound: Vec<String> = create
        .headers
        .iter()
        .flat_map(|h| {
            h.fields
                .iter()
                .map(move |f| format!("{}.{}<-{:?}", h.part, f.key, f.source))
        })
        .collect();
    assert_eq!(
        bound,
        [
            r#"Auth.username<-Request(Header("X-Username"))"#,
            r#"Auth.password<-Request(Header("X-Password"))"#,
            r#"Auth.tenant<-Request(Header("X-Tenant"))"#,
            r#"Trace.traceId<-Request(Header("X-Trace-Id"))"#,
        ]
    );
}

#[test]
fn openapi_describes_header_parameters_and_answer_headers() {
    let svc = service(|t| t);
    let doc = soapbridge::http::openapi::document(&[svc]);
    let get = &doc["paths"]["/api/orders/orders/{orderId}"]["get"];
    let params: Vec<(String, String, bool)> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["in"].as_str().unwrap().to_string(),
                p["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            ("orderId".to_string(), "path".to_string(), true),
            ("X-Tenant".to_string(), "header".to_string(), false),
            ("Accept-Language".to_string(), "header".to_string(), false),
        ]
    );
    let ok = &get["responses"]["200"];
    assert!(
        ok["headers"]["X-Request-Id"]["schema"].is_object(),
        "{ok:#}"
    );
    let schema = &ok["content"]["application/json"]["schema"];
    assert!(schema["properties"]["server"].is_object(), "{schema:#}");
    assert!(schema["properties"]["item"].is_object(), "{schema:#}");
    assert!(
        ok["content"]["application/json"]["example"]["server"]["build"].is_i64(),
        "{ok:#}"
    );
    let post = &doc["paths"]["/api/orders/orders"]["post"];
    let trace = post["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "X-Trace-Id")
        .unwrap();
    assert_eq!(trace["required"], true, "the Trace header is required");
    let body = &post["requestBody"]["content"]["application/json"]["schema"];
    assert!(body["properties"]["trace"].is_object(), "{body:#}");
    assert!(body["properties"]["order"].is_object(), "{body:#}");
}

#[actix_web::test]
async fn an_answer_header_outside_its_type_is_a_502() {
    let svc = service(|t| t);
    let bad = GET_ANSWER.replace("<h:Build>1207</h:Build>", "<h:Build>many</h:Build>");
    let (url, _) = upstream(Box::leak(bad.into_boxed_str()));
    let base = start_bridge(svc, &url, Duration::from_secs(5));
    let (status, _, v) = call(&base, "GET", "/api/orders/orders/42", &[], None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (502, Some("bad_gateway")),
        "{v}"
    );
    assert!(!v.to_string().contains("many"), "{v}");
}

#[test]
fn constants_may_be_numbers_and_a_misspelt_key_is_an_error_with_its_place() {
    let file = case_dir().join("mapping.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let numeric = text.replace("tenant: header.X-Tenant", "tenant: { value: 7 }");
    let c = compile_str(&file, &numeric).unwrap_or_else(|d| panic!("{d}"));
    let svc = ServicePlan::new(Arc::new(c));
    assert_eq!(
        svc.operations[0].header_values[0],
        [
            ("username".to_string(), json!("bridge")),
            ("password".to_string(), json!("s3cret")),
            ("tenant".to_string(), json!(7)),
        ]
    );
    let misspelt = text.replace("tenant: header.X-Tenant", "tenant: { valeu: 7 }");
    let err = compile_str(&file, &misspelt).unwrap_err().to_string();
    assert!(
        err.contains("mapping.yaml:15:") && err.contains("unknown field `valeu`"),
        "{err}"
    );
    let unknown_key = text.replace("must_understand: true", "must_understnd: true");
    let err = compile_str(&file, &unknown_key).unwrap_err().to_string();
    assert!(
        err.contains("mapping.yaml:11:") && err.contains("must_understnd"),
        "{err}"
    );
}

/// Corpus WSDLs that declare headers (ignored without `SOAPBRIDGE_CORPUS`; asked for, missing
/// material is a failure): the generated mapping of Salesforce's enterprise WSDL sends the session header from
/// `X-Session-Id` and Exchange's `RequestServerVersion` from `X-Version`, typed and qualified.
#[test]
#[ignore = "needs SOAPBRIDGE_CORPUS"]
fn corpus_wsdls_with_headers_send_them() {
    let corpus = super::corpus::corpus();
    let cases = [
        (
            "salesforce-php-toolkit/salesforce-enterprise/enterprise.wsdl.xml",
            "getServerTimestamp",
            "X-Session-Id",
            "00D000000000001",
            ":sessionId>00D000000000001</",
        ),
        (
            "php-ews/exchange-ews/services.wsdl",
            "GetServerTimeZones",
            "X-Version",
            "Exchange2010_SP2",
            "RequestServerVersion Version=\"Exchange2010_SP2\"/>",
        ),
        // Simple content (xs:language with attributes), named after the part.
        (
            "php-ews/exchange-ews/services.wsdl",
            "GetServerTimeZones",
            "X-Mailbox-Culture",
            "de-CH",
            "MailboxCulture>de-CH</",
        ),
    ];
    for (entry, op_name, header, value, expected) in cases {
        let path = corpus.join("wsdl").join(entry);
        assert!(path.is_file(), "corpus file missing: {}", path.display());
        let wsdl = soapbridge::wsdl::load(&path, &Default::default()).unwrap();
        let sel = soapbridge::mapping::generate::select(&wsdl, None, None, None).unwrap();
        let dir = path.parent().unwrap();
        let text = soapbridge::mapping::generate::generate(
            &wsdl,
            path.file_name().unwrap().to_str().unwrap(),
            sel,
        );
        let compiled =
            compile_str(&dir.join("generated.yaml"), &text).unwrap_or_else(|d| panic!("{d}"));
        let svc = ServicePlan::new(Arc::new(compiled));
        let op = svc.operation(op_name).unwrap();
        let schema = &svc.compiled.wsdl.schema;
        let param = |s: &soapbridge::mapping::route::InputSource| match s {
            soapbridge::mapping::route::InputSource::Header(h) if h == header => {
                vec![value.to_string()]
            }
            _ => Vec::new(),
        };
        let input = soapbridge::convert::operation::gather_all(schema, &op.route, &param, None)
            .unwrap_or_else(|e| panic!("{entry}: {e:?}"));
        let envelope = svc
            .request_with(op, &input.fields, None, &input.headers)
            .unwrap_or_else(|e| panic!("{entry}: {e:?}"));
        let envelope = String::from_utf8(envelope).unwrap();
        let header = envelope
            .split("<soap:Header>")
            .nth(1)
            .and_then(|h| h.split("</soap:Header>").next())
            .unwrap_or_else(|| panic!("{entry}: no Header in {envelope}"));
        assert!(header.contains(expected), "{entry}: {header}");
    }
}

/// The built-in mock sends the answer headers the mapping exposes, so `serve --mock` shows them:
/// the answer is the OpenAPI document's example, response headers included.
#[actix_web::test]
async fn the_mock_answers_with_the_exposed_headers() {
    let svc = service(|t| t);
    let doc = soapbridge::http::openapi::document(std::slice::from_ref(&svc));
    let mock = soapbridge::mock::Mock::new(svc.clone());
    let op = svc.operation("GetOrder").unwrap();
    let answer = String::from_utf8(mock.sample_response(op, 0)).unwrap();
    let soapbridge::convert::operation::Answer { outcome, headers } = svc
        .response_with_headers(op, &answer, Default::default())
        .unwrap();
    let soapbridge::convert::operation::Outcome::Ok(text) = outcome else {
        panic!("{answer}")
    };
    let json: Value = serde_json::from_str(&text).unwrap();
    let ok = &doc["paths"]["/api/orders/orders/{orderId}"]["get"]["responses"]["200"];
    assert_eq!(
        json, ok["content"]["application/json"]["example"],
        "{answer}"
    );
    assert_eq!(headers.len(), 1, "{answer}");
    assert_eq!(headers[0].0, "X-Request-Id");
}

/// With openapi-spec-validator (installed by `.ci/run`): the document of the header service is
/// valid OpenAPI 3.1 and its examples (header keys included) fit their schemas.
#[test]
#[ignore = "needs SOAPBRIDGE_OPENAPI_VALIDATOR (python openapi-spec-validator; .ci/run)"]
fn the_openapi_document_with_headers_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = soapbridge::http::openapi::document(&[service(|t| t)]);
    crate::openapi::validate(&doc, "headers", tmp.path());
    crate::openapi::examples_conform(&doc, tmp.path());
}

/// `serve` refuses to start when a header secret is unset and a real upstream would receive the
/// envelope, naming the variable (never a value).
#[test]
fn serve_refuses_to_start_without_a_header_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(case_dir().join("mapping.yaml"))
        .unwrap()
        .replace(
            "wsdl: service.wsdl",
            &format!("wsdl: {}", case_dir().join("service.wsdl").display()),
        )
        .replace(PASSWORD_FROM_FILE, "${SOAPBRIDGE_TEST_UNSET_PASSWORD}");
    std::fs::create_dir(tmp.path().join("mappings")).unwrap();
    std::fs::write(tmp.path().join("mappings/orders.yaml"), text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .current_dir(tmp.path())
        .env_remove("SOAPBRIDGE_TEST_UNSET_PASSWORD")
        .args(["serve", "--listen", "127.0.0.1:0", "--mappings", "mappings"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("orders.yaml") && stderr.contains("SOAPBRIDGE_TEST_UNSET_PASSWORD"),
        "{stderr}"
    );
}

#[test]
fn an_operation_turns_a_shared_header_off_with_empty_fields() {
    let svc = service(|t| {
        t.replace(
            "    response: order\n",
            "    response: order\n    headers:\n      Auth: { fields: {} }\n",
        )
    });
    let get = svc.operation("GetOrder").unwrap();
    assert_eq!(
        get.route
            .headers
            .iter()
            .map(|h| h.part.as_str())
            .collect::<Vec<_>>(),
        ["Locale"]
    );
    let mut fields = serde_json::Map::new();
    fields.insert("orderId".into(), json!(1));
    let envelope = String::from_utf8(svc.request(get, &fields, None).unwrap()).unwrap();
    assert!(!envelope.contains("<soap:Header>"), "{envelope}");
    // CreateOrder keeps the shared entry.
    let create = svc.operation("CreateOrder").unwrap();
    assert_eq!(create.route.headers[0].part, "Auth");
}

/// The generated `response_headers:` section: an entry that needs review is commented out, and
/// uncommenting it (removing `# `) gives a mapping that checks, also when it is the only entry.
#[test]
fn uncommenting_a_generated_response_header_checks() {
    let wsdl = std::fs::read_to_string(case_dir().join("service.wsdl")).unwrap();
    // Without the simple answer header, the structured one is the section's only entry.
    let only_structured: String = wsdl
        .lines()
        .filter(|l| !l.contains("part=\"RequestId\""))
        .map(|l| format!("{l}\n"))
        .collect();
    for (name, text) in [("both", wsdl.clone()), ("only_structured", only_structured)] {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("service.wsdl"), &text).unwrap();
        let bin = || {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"));
            c.current_dir(tmp.path());
            c
        };
        let out = bin()
            .args(["generate", "service.wsdl", "-o", "mapping.yaml"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let generated = std::fs::read_to_string(tmp.path().join("mapping.yaml")).unwrap();
        // The block after its explanation: the section's line and its entries.
        let explained = generated
            .find("# SOAP headers of answers passed on")
            .expect("the section is explained");
        let block_start = explained + generated[explained..].find('\n').unwrap() + 1;
        let block_end = block_start + generated[block_start..].find("operations:").unwrap();
        let block = &generated[block_start..block_end];
        assert!(
            block
                .lines()
                .any(|l| l.trim_start().starts_with('#')
                    && l.ends_with("ServerInfo: body.serverInfo")),
            "{name}: the structured header is offered commented out: {block}"
        );
        // Remove the first `# ` of each commented line.
        let uncommented_block: String = block
            .lines()
            .map(|l| match l.find("# ") {
                Some(i) if l[..i].trim().is_empty() => format!("{}{}\n", &l[..i], &l[i + 2..]),
                _ => format!("{l}\n"),
            })
            .collect();
        let uncommented = format!(
            "{}{uncommented_block}{}",
            &generated[..block_start],
            &generated[block_end..]
        );
        std::fs::write(tmp.path().join("mapping.yaml"), &uncommented).unwrap();
        let check = bin().args(["check", "mapping.yaml"]).output().unwrap();
        assert!(
            check.status.success(),
            "{name}: {}\n{uncommented}",
            String::from_utf8_lossy(&check.stderr)
        );
        let compiled = soapbridge::mapping::compile_file(&tmp.path().join("mapping.yaml")).unwrap();
        let get = compiled
            .routes
            .iter()
            .find(|r| r.operation == "GetOrder")
            .unwrap();
        assert!(
            format!("{:?}", get.response_headers).contains("serverInfo"),
            "{name}: {:?}",
            get.response_headers
        );
    }
}
