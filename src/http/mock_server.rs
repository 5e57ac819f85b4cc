//! The built-in mock served over HTTP: one worker answering every request with what
//! [`Mock`] makes of the envelope (an `X-Mock-Fault` header asks for a fault). `serve --mock`
//! starts one such server for every mapping it mocks, each mapping's mock at a path of its own
//! ([`mock_path`]).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::mock::Mock;

/// Starts the mock of one service on `addr`, answering at every path; returns the server future
/// and the bound address.
pub fn start_mock(mock: Mock, addr: &str) -> anyhow::Result<(actix_web::dev::Server, SocketAddr)> {
    serve_mocks(vec![mock], true, addr)
}

/// Starts one server on `addr` for the mocks of several services: the `k`-th answers at
/// [`mock_path`]`(k)`, any other path gets a 404. Returns the server future and the bound
/// address.
pub fn start_mocks(
    mocks: Vec<Mock>,
    addr: &str,
) -> anyhow::Result<(actix_web::dev::Server, SocketAddr)> {
    serve_mocks(mocks, false, addr)
}

/// The path at which [`start_mocks`] serves its `k`-th mock.
pub fn mock_path(k: usize) -> String {
    format!("/mock/{k}")
}

/// The mock of `path` ([`mock_path`]), by its index.
fn mock_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("/mock/")?;
    rest.split('/').next()?.parse().ok()
}

fn serve_mocks(
    mocks: Vec<Mock>,
    any_path: bool,
    addr: &str,
) -> anyhow::Result<(actix_web::dev::Server, SocketAddr)> {
    let mocks: Arc<[Mock]> = mocks.into();
    let listener = TcpListener::bind(addr)?;
    let bound = listener.local_addr()?;
    let server = actix_web::HttpServer::new(move || {
        let mocks = mocks.clone();
        actix_web::App::new()
            .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
            .default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let mocks = mocks.clone();
                async move {
                    let k = if any_path {
                        Some(0)
                    } else {
                        mock_index(req.path())
                    };
                    let Some(mock) = k.and_then(|k| mocks.get(k)) else {
                        return HttpResponse::NotFound().finish();
                    };
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

#[cfg(test)]
mod tests {
    use super::{mock_index, mock_path};

    #[test]
    fn a_mock_path_names_its_index_and_nothing_else_does() {
        assert_eq!(mock_index(&mock_path(0)), Some(0));
        assert_eq!(mock_index(&mock_path(37)), Some(37));
        assert_eq!(mock_index("/mock/3/anything"), Some(3));
        assert_eq!(mock_index("/mock/"), None);
        assert_eq!(mock_index("/mock"), None);
        assert_eq!(mock_index("/mock/x"), None);
        assert_eq!(mock_index("/other/1"), None);
    }
}
