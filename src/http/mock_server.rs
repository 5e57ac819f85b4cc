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
