//! Which requests get an access line: none with `log.access_log: false`; otherwise every answer of
//! 500 or more, and of the others one in `1 / log.access_sample` (counted, not drawn: 0.01
//! writes exactly every hundredth line, whatever the traffic's shape).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::LogSettings;

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
