//! Which requests get an access line: none with `log.access_log: false`; otherwise every answer of
//! 500 or more, and of the others one in `1 / log.access_sample` (counted, not drawn: 0.01
//! writes exactly every hundredth line, whatever the traffic's shape); and the line itself
//! ([`Line`]), the same for an answer of the pipeline and for a head the intake refused.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::otel::Timings;
use super::trace::Correlation;
use crate::config::LogSettings;
use crate::mapping::route::Route;

/// One access line: the route a request was served by and how it went.
pub(super) struct Line<'a> {
    pub route: &'a Route,
    pub status: u16,
    pub timings: &'a Timings,
    pub elapsed: Duration,
    pub corr: &'a Correlation,
    pub trace_id: &'a str,
}

impl Line<'_> {
    /// One compact line of structured fields (target `soapbridge::access`): method, route,
    /// operation, status, identity, upstream status, envelope and answer sizes, time, request
    /// and trace id.
    pub(super) fn write(&self) {
        let (route, t) = (self.route, self.timings);
        tracing::info!(
            target: "soapbridge::access",
            method = route.method.as_str(),
            route = route.path.as_str(),
            operation = route.operation.as_str(),
            status = self.status,
            identity = t.identity.as_deref(),
            upstream_status = t.upstream_status,
            request_bytes = t.sent,
            answer_bytes = t.received,
            elapsed_us = self.elapsed.as_micros() as u64,
            request_id = self.corr.request_id(),
            trace_id = self.trace_id,
            "Handled"
        );
    }
}

/// The access log's sampling, shared by the workers.
#[derive(Debug)]
pub struct AccessLog {
    enabled: bool,
    /// Write one in `every` of the lines below 500; 0 writes none of them.
    every: u64,
    seen: AtomicU64,
}

impl AccessLog {
    /// As `log:` says.
    pub fn new(settings: &LogSettings) -> AccessLog {
        let every = if settings.access_sample <= 0.0 {
            0
        } else {
            (1.0 / settings.access_sample).round().max(1.0) as u64
        };
        AccessLog {
            enabled: settings.access_log,
            every,
            seen: AtomicU64::new(0),
        }
    }

    /// Whether the request answered with `status` gets its line.
    pub fn writes(&self, status: u16) -> bool {
        if !self.enabled {
            return false;
        }
        if status >= 500 {
            return true;
        }
        match self.every {
            0 => false,
            1 => true,
            n => self.seen.fetch_add(1, Ordering::Relaxed).is_multiple_of(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(access_log: bool, access_sample: f64) -> AccessLog {
        AccessLog::new(&LogSettings {
            access_log,
            access_sample,
            ..LogSettings::default()
        })
    }

    #[test]
    fn sampling_keeps_every_5xx_and_one_in_n_of_the_rest() {
        let l = log(true, 0.01);
        let written = (0..1000).filter(|_| l.writes(200)).count();
        assert_eq!(written, 10);
        assert!((0..10).all(|_| l.writes(502)));
        let l = log(true, 0.0);
        assert!(!l.writes(404) && l.writes(503));
        let l = log(true, 1.0);
        assert!((0..10).all(|_| l.writes(200)));
        let l = log(false, 1.0);
        assert!(!l.writes(200) && !l.writes(500));
    }
}
