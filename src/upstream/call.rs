//! One try of a call: the target's credentials (a token asked for when needed), the envelope
//! (or its MTOM package) posted to the target with the SOAP version's headers, the answer read
//! (at most the answer limit, counted while reading) before the deadline, an MTOM/XOP answer
//! unpacked, and a WS-Addressing answer's `wsa:RelatesTo` checked. Retrying is `retry`'s business.

use std::time::Duration;

use actix_web::http::header::{AUTHORIZATION, CONNECTION, HeaderName, HeaderValue};
use actix_web::web::Bytes;
use awc::error::{ConnectError, PayloadError, SendRequestError};
use awc::http::header::CONTENT_TYPE;

use super::error::UpstreamError;
use super::target::Target;
use crate::env::Secret;
use crate::soap::{AddressingError, check_action, check_relates_to, mtom};
use crate::wsdl::{SoapVersion, WsaVersion};

/// SOAP 1.1's action header.
const SOAP_ACTION: HeaderName = HeaderName::from_static("soapaction");

/// SOAP 1.1's content type (as `soap::content_type` writes it).
const SOAP11_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// One call to the legacy service: everything that varies per request.
pub struct Call<'a> {
    /// The SOAP envelope to post (cheap to clone for another try).
    pub envelope: Bytes,
    /// The body's `Content-Type` when it is not the SOAP version's (an MTOM package).
    pub content_type: Option<&'a str>,
    /// The WS-Addressing version and `wsa:MessageID` of the request, whose answer's
    /// `wsa:RelatesTo` must name it.
    pub relates_to: Option<(WsaVersion, &'a str)>,
    /// The `wsa:Action` a successful answer may carry (WS-Addressing on; `None`: unchecked).
    pub reply_action: Option<&'a str>,
    /// The binding's SOAP version: it decides the content type and the `SOAPAction` header.
    pub soap: SoapVersion,
    /// The operation's SOAP action.
    pub action: Option<&'a str>,
    /// The operation's own deadline; `None` takes the target's timeout.
    pub deadline: Option<Duration>,
    /// The most bytes of answer read; beyond, [`UpstreamError::TooLarge`].
    pub answer_limit: usize,
    /// Whether the operation may safely run twice (a refused connect is then tried again).
    pub idempotent: bool,
    /// Headers passed on as they are: the request id and the trace context.
    pub headers: &'a [(HeaderName, HeaderValue)],
}

/// An upstream answer: status, content type, body.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Bytes,
}

/// Sends the call once and reads the answer.
pub(super) async fn send(
    client: &awc::Client,
    target: &Target,
    call: &Call<'_>,
) -> Result<Reply, UpstreamError> {
    let deadline = call.deadline.unwrap_or(target.timeout);
    let closes = target.closes_connections();
    let work = async {
        let authorization = target.auth.authorization(client).await?;
        let req = request(client, target, call, deadline, closes, authorization);
        let mut resp = req
            .send_body(call.envelope.clone())
            .await
            .map_err(|e| send_error(e, deadline))?;
        let status = resp.status().as_u16();
        let keep_alive = resp
            .headers()
            .get(CONNECTION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("keep-alive"));
        if resp.version() == awc::http::Version::HTTP_10 && !keep_alive && !closes {
            target.note_closes_connections();
        }
        if (300..400).contains(&status) {
            return Err(UpstreamError::Redirect(status));
        }
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = resp
            .body()
            .limit(call.answer_limit)
            .await
            .map_err(|e| match e {
                PayloadError::Overflow => UpstreamError::TooLarge(call.answer_limit),
                other => UpstreamError::Other(other.to_string()),
            })?;
        let (content_type, body) = if mtom::is_multipart(&content_type) {
            // The parts put back as base64 grow by a third at most.
            let limit = call.answer_limit.saturating_add(call.answer_limit / 3 + 4);
            let u = mtom::unpack(&content_type, body, limit).await?;
            (u.content_type, Bytes::from(u.envelope))
        } else {
            (content_type, body)
        };
        if let Some((version, id)) = call.relates_to {
            match check_relates_to(&body, version, id) {
                // A fault (an HTTP error) of a service that did not get as far as addressing
                // its answer is passed on as the fault it is.
                Err(AddressingError::Missing { .. }) if status >= 400 => {}
                r => r?,
            }
            // A fault's action is the fault's, not the output's.
            if let Some(action) = call.reply_action.filter(|_| status < 400) {
                check_action(&body, version, action)?;
            }
        }
        Ok(Reply {
            status,
            content_type,
            body,
        })
    };
    match tokio::time::timeout(deadline, work).await {
        Ok(r) => r,
        Err(_) => Err(UpstreamError::Timeout(deadline)),
    }
}

/// The POST with its headers: content type (with the action for SOAP 1.2), `SOAPAction` for
/// SOAP 1.1, credentials; a fresh connection when the service closes every one.
fn request(
    client: &awc::Client,
    target: &Target,
    call: &Call<'_>,
    deadline: Duration,
    closes: bool,
    authorization: Option<Secret>,
) -> awc::ClientRequest {
    // The URL parsed once, the header names typed: nothing formatted or parsed per call that
    // need not be.
    let req = match &target.uri {
        Some(uri) => client.post(uri.clone()),
        None => client.post(&target.url),
    };
    let mut req = match (call.content_type, call.soap) {
        // SOAP 1.1's is always the same: nothing made per call.
        (None, SoapVersion::V11) => {
            req.insert_header((CONTENT_TYPE, HeaderValue::from_static(SOAP11_CONTENT_TYPE)))
        }
        (None, v) => req.insert_header((CONTENT_TYPE, crate::soap::content_type(v, call.action))),
        (Some(ct), _) => req.insert_header((CONTENT_TYPE, ct.to_string())),
    }
    .timeout(deadline);
    if call.soap == SoapVersion::V11 {
        let action = call.action.unwrap_or("");
        let mut quoted = String::with_capacity(action.len() + 2);
        quoted.push('"');
        if action.contains('"') {
            quoted.push_str(&action.replace('"', "%22"));
        } else {
            quoted.push_str(action);
        }
        quoted.push('"');
        req = req.insert_header((SOAP_ACTION, quoted));
    }
    for (name, value) in call.headers {
        req = req.insert_header((name.clone(), value.clone()));
    }
    if let Some(value) = authorization {
        req = req.insert_header((AUTHORIZATION, value.expose()));
    }
    if closes {
        req = req.force_close();
    }
    req
}

fn send_error(e: SendRequestError, deadline: Duration) -> UpstreamError {
    match e {
        SendRequestError::Timeout => UpstreamError::Timeout(deadline),
        SendRequestError::Connect(ConnectError::Timeout) => {
            UpstreamError::Connect("connect timeout".into())
        }
        SendRequestError::Connect(c) => UpstreamError::Connect(c.to_string()),
        other => UpstreamError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap11s_content_type_is_the_one_the_envelope_is_written_for() {
        for action in [None, Some("urn:a")] {
            assert_eq!(
                crate::soap::content_type(SoapVersion::V11, action),
                SOAP11_CONTENT_TYPE
            );
        }
    }
}
