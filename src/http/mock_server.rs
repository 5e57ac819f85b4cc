//! The built-in mock served over HTTP: one worker answering every request with what
//! [`Mock`] makes of the envelope (an `X-Mock-Fault` header asks for a fault).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::mock::Mock;

/// Starts the mock of one service on `addr`; returns the server future and the bound address.
pub fn start_mock(mock: Mock, addr: &str) -> anyhow::Result<(actix_web::dev::Server, SocketAddr)> {
    let mock = Arc::new(mock);
    let listener = TcpListener::bind(addr)?;
    let bound = listener.local_addr()?;
    let server = actix_web::HttpServer::new(move || {
        let mock = mock.clone();
        actix_web::App::new()
            .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
            .default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let mock = mock.clone();
                async move {
                    let fault = req
                        .headers()
                        .get("x-mock-fault")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    // An MTOM request is read as the envelope it packages.
                    let ct = req
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    let body = if crate::soap::mtom::is_multipart(ct) {
                        let limit = body.len().saturating_mul(2);
                        match crate::soap::mtom::unpack(ct, body, limit).await {
                            Ok(u) => web::Bytes::from(u.envelope),
                            Err(e) => web::Bytes::from(e.to_string()),
                        }
                    } else {
                        body
                    };
                    let (status, ct, bytes) = mock.answer(fault.as_deref(), &body);
                    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                        .content_type(ct)
                        .body(bytes)
                }
            }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, bound))
}
