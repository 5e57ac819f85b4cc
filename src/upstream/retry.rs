//! The retry policy: a call is tried again only when its operation is marked idempotent and
//! nothing can have reached the service (no connection could be made; the HTTP client cannot
//! tell a pooled connection closed before the request was written from one closed after the
//! service read it, so neither is retried), at most `retries.attempts` times, after a
//! jittered backoff, and only while the upstream's retry budget lasts. Every other failure is
//! final.

use tracing::warn;

use super::call::{Call, Reply, send};
use super::error::UpstreamError;
use super::target::Target;
use crate::traffic::budget::RetryBudget;
use crate::traffic::counters;

/// Sends a call, trying again when the policy allows, and returns the answer or the last error.
pub async fn call(
    client: &awc::Client,
    target: &Target,
    call: Call<'_>,
    budget: &RetryBudget,
) -> Result<Reply, UpstreamError> {
    budget.deposit();
    let mut retries = 0;
    loop {
        match send(client, target, &call).await {
            Err(e) if retries < budget.attempts() && may_retry(&e, call.idempotent) => {
                if !budget.withdraw() {
                    counters::retry("budget");
                    warn!(error = %e, "Upstream call failed; the retry budget is spent");
                    return Err(e);
                }
                counters::retry("sent");
                warn!(error = %e, retry = retries + 1, "Upstream call failed before reaching the service; retrying the idempotent call");
                tokio::time::sleep(budget.backoff(retries)).await;
                retries += 1;
            }
            result => return result,
        }
    }
}

/// Whether a failed try may be repeated: the operation is idempotent and nothing reached the
/// service.
fn may_retry(e: &UpstreamError, idempotent: bool) -> bool {
    idempotent && matches!(e, UpstreamError::Connect(_))
}
