//! The requests the HTTP/1 codec refuses by itself (bytes that are not HTTP: 400; a head not
//! sent in time: 408; a head too large: 431), which any client can send without limit: each is
//! counted in `soapbridge_protocol_refusals_total`, and logged at WARN at most once per
//! [`LOG_EVERY`], the line saying how many more came since the previous one. The codec's own
//! ERROR line for each (`stream error: request parse error: ...`) is dropped from the log
//! ([`QuietCodec`]): an attacker must not be able to write the log at the rate it sends bytes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use super::metrics::Metrics;

/// The shortest time between two log lines about refused requests.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// Counts and logs the codec's refusals of one server (shared by its workers).
#[derive(Clone)]
pub(super) struct Refusals {
    metrics: Arc<Metrics>,
    log: Arc<Mutex<Throttle>>,
}

/// When the last line was written and how many refusals came since without one.
#[derive(Default)]
struct Throttle {
    last: Option<Instant>,
    unlogged: u64,
}

impl Throttle {
    /// A refusal at `now`: `Some(refusals since the last line, this one not counted)` when this
    /// one gets a line.
    fn note(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.duration_since(last) < LOG_EVERY => {
                self.unlogged += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.unlogged))
            }
        }
    }
}

impl Refusals {
    /// Counted in `metrics`.
    pub(super) fn new(metrics: Arc<Metrics>) -> Refusals {
        Refusals {
            metrics,
            log: Arc::default(),
        }
    }

    /// The codec answered a request with `status` (400, 408 or 431).
    pub(super) fn refused(&self, status: u16) {
        self.metrics.protocol_refused(status);
        let line = self
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .note(Instant::now());
        if let Some(more) = line {
            tracing::warn!(
                status,
                more_since_last_line = more,
                "The HTTP codec refused a request (one line per 10 s at most; all are counted in soapbridge_protocol_refusals_total)"
            );
        }
    }
}

/// The codec's target and the start of its line for a request it could not parse.
const CODEC_TARGET: &str = "actix_http::h1::dispatcher";
const CODEC_LINE: &str = "stream error: request parse error";

/// A log layer that drops the codec's ERROR line for each request it could not parse (each is
/// counted and logged by `Refusals` instead).
#[derive(Clone, Copy, Debug, Default)]
pub struct QuietCodec;

impl<S: Subscriber> Layer<S> for QuietCodec {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let m = event.metadata();
        if *m.level() != Level::ERROR || m.target() != CODEC_TARGET {
            return true;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        !message.0.starts_with(CODEC_LINE)
    }
}

/// An event's message.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            use std::fmt::Write as _;
            let _ = write!(self.0, "{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_saying_how_many_came_between() {
        let mut t = Throttle::default();
        let start = Instant::now();
        assert_eq!(t.note(start), Some(0));
        let lines: Vec<_> = (1..=1000)
            .filter_map(|i| t.note(start + Duration::from_millis(i)))
            .collect();
        assert!(lines.is_empty(), "{lines:?}");
        assert_eq!(
            t.note(start + LOG_EVERY + Duration::from_millis(1)),
            Some(1000)
        );
        assert_eq!(t.note(start + LOG_EVERY * 3), Some(0));
    }

    #[test]
    fn only_the_codecs_parse_error_lines_are_dropped() {
        use tracing_subscriber::layer::SubscriberExt as _;
        let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || Sink(sink.clone()))
            .with_ansi(false)
            .finish()
            .with(QuietCodec);
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(target: "actix_http::h1::dispatcher", "stream error: request parse error: invalid Header provided");
            tracing::error!(target: "actix_http::h1::dispatcher", "stream error: internal error");
            tracing::error!(target: "other", "stream error: request parse error: kept");
            tracing::warn!(target: "actix_http::h1::dispatcher", "stream error: request parse error: kept too");
        });
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("invalid Header"), "{text}");
        assert_eq!(text.lines().count(), 3, "{text}");
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
