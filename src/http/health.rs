//! `/livez` and `/readyz`. Liveness is a constant answer (the process serves HTTP). Readiness
//! is what a load balancer should know: not ready while no mappings are loaded, while draining,
//! and (when `readiness.fail_on_open_circuit` is set) while an upstream's circuit is open. The
//! code that drains, reloads or breaks circuits says so through [`Health`]'s setters; neither
//! check is logged per request or guarded by client authentication.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::HttpResponse;
use serde_json::{Value, json};

/// What readiness is made of; shared by the workers, set by drain, reload and the breakers.
#[derive(Debug, Default)]
pub struct Health {
    loaded: AtomicBool,
    draining: AtomicBool,
    fail_on_open_circuit: bool,
    open_circuits: Mutex<BTreeSet<String>>,
    reload_problem: Mutex<Option<String>>,
}

impl Health {
    /// Not loaded, not draining, no circuit open; `fail_on_open_circuit` from the settings.
    pub fn new(fail_on_open_circuit: bool) -> Health {
        Health {
            fail_on_open_circuit,
            ..Health::default()
        }
    }

    /// Whether a set of mappings is loaded and served.
    pub fn set_loaded(&self, loaded: bool) {
        self.loaded.store(loaded, Ordering::Relaxed);
    }

    /// Whether the server is draining (it then stays not ready until it stops).
    pub fn set_draining(&self, draining: bool) {
        self.draining.store(draining, Ordering::Relaxed);
    }

    /// Whether the circuit of `mapping`'s upstream is open now.
    pub fn set_circuit_open(&self, mapping: &str, open: bool) {
        let mut set = self.open_circuits.lock().unwrap_or_else(|e| e.into_inner());
        if open {
            set.insert(mapping.to_string());
        } else {
            set.remove(mapping);
        }
    }

    /// The last reload's failure (the loaded set was kept, so this does not fail readiness;
    /// it is shown in `/readyz`'s detail), or `None` after a successful one.
    pub fn set_reload_problem(&self, problem: Option<String>) {
        *self
            .reload_problem
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = problem;
    }

    /// Whether the server is ready, and the JSON that says why (not).
    pub fn readiness(&self) -> (bool, Value) {
        self.readiness_with(&[])
    }

    /// [`Health::readiness`], with the circuits the served set's breakers say are open now
    /// besides those set here.
    pub fn readiness_with(&self, breakers_open: &[&str]) -> (bool, Value) {
        let mut reasons = Vec::new();
        if !self.loaded.load(Ordering::Relaxed) {
            reasons.push("mappings_not_loaded".to_string());
        }
        if self.draining.load(Ordering::Relaxed) {
            reasons.push("draining".to_string());
        }
        let mut open: BTreeSet<String> = self
            .open_circuits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        open.extend(breakers_open.iter().map(|n| n.to_string()));
        let open: Vec<String> = open.into_iter().collect();
        if self.fail_on_open_circuit && !open.is_empty() {
            reasons.push("circuit_open".to_string());
        }
        let ready = reasons.is_empty();
        let mut body = json!({ "status": if ready { "ready" } else { "not_ready" } });
        if !ready {
            body["reasons"] = json!(reasons);
        }
        if !open.is_empty() {
            body["open_circuits"] = json!(open);
        }
        if let Some(p) = &*self
            .reload_problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
        {
            body["last_reload"] = json!({ "status": "failed", "problems": p });
        }
        (ready, body)
    }
}

/// `/livez`: 200 while the process answers HTTP; nothing is looked at.
pub(super) fn livez() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

/// `/readyz`: 200 when ready, 503 with the reasons otherwise.
pub(super) fn readyz(health: &Health, breakers_open: &[&str]) -> HttpResponse {
    let (ready, body) = health.readiness_with(breakers_open);
    let mut r = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    r.content_type("application/json")
        .insert_header(("Cache-Control", "no-store"))
        .body(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_follows_loading_drain_and_circuits() {
        let h = Health::new(true);
        assert_eq!(h.readiness().1["reasons"], json!(["mappings_not_loaded"]));
        h.set_loaded(true);
        assert_eq!(h.readiness(), (true, json!({ "status": "ready" })));
        h.set_circuit_open("crm", true);
        let (ready, body) = h.readiness();
        assert!(!ready);
        assert_eq!(body["open_circuits"], json!(["crm"]));
        h.set_circuit_open("crm", false);
        h.set_reload_problem(Some("crm.yaml:3:5: unknown key".into()));
        let (ready, body) = h.readiness();
        assert!(ready, "a failed reload keeps the old set: {body}");
        assert_eq!(body["last_reload"]["status"], "failed");
        h.set_draining(true);
        assert_eq!(h.readiness().1["reasons"], json!(["draining"]));
        // Not configured to fail on open circuits: shown, still ready.
        let h = Health::new(false);
        h.set_loaded(true);
        h.set_circuit_open("crm", true);
        let (ready, body) = h.readiness();
        assert!(ready);
        assert_eq!(body["open_circuits"], json!(["crm"]));
    }
}
