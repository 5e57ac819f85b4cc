//! `/metrics`: the Prometheus text exposition of the bridge's counters.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::convert::operation::ServicePlan;

/// The counters of every service, as Prometheus text.
pub(super) fn text(services: &[Arc<ServicePlan>]) -> String {
    let mut out = String::from(
        "# HELP soapbridge_answers_outside_schema_total Upstream answers that violated the WSDL's schema (validate_answers: warn or strict).\n\
         # TYPE soapbridge_answers_outside_schema_total counter\n",
    );
    for s in services {
        let mapping = s
            .compiled
            .file
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mapping = mapping.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str(&format!(
            "soapbridge_answers_outside_schema_total{{mapping=\"{mapping}\"}} {}\n",
            s.answers_invalid.load(Ordering::Relaxed)
        ));
    }
    out
}
