//! The retry policy: a call gets one more try only when nothing reached the service: a refused
//! connect (idempotent operations only), or a pooled connection the service had already closed
//! (it never read the request). Every other failure is final.

use tracing::warn;

use super::call::{Call, Reply, send};
use super::error::UpstreamError;
use super::target::Target;

/// Tries after the first.
const RETRIES: u32 = 1;

/// Sends a call, trying again when the policy allows, and returns the answer or the last error.
pub async fn call(
    client: &awc::Client,
    target: &Target,
    call: Call<'_>,
) -> Result<Reply, UpstreamError> {
    let mut retries_left = RETRIES;
    loop {
        match send(client, target, &call).await {
            Err(e) if retries_left > 0 && may_retry(&e, call.idempotent) => retries_left -= 1,
            result => return result,
        }
    }
}

/// Whether a failed try may be repeated (logged when it is): nothing reached the service.
fn may_retry(e: &UpstreamError, idempotent: bool) -> bool {
    match e {
        UpstreamError::Connect(why) if idempotent => {
            warn!(error = %why, "Upstream connect failed; retrying the idempotent call once");
            true
        }
        UpstreamError::Stale => {
            warn!("Pooled upstream connection was closed; retrying on a new one");
            true
        }
        _ => false,
    }
}
