//! The log, as `log:` in the settings asks: human text (coloured only when stderr is a
//! terminal) or JSON lines, written to stderr from a thread of its own (a line per request at
//! tens of thousands a second costs the workers only a copy into a queue; none is dropped, and
//! the guard flushes the rest on exit). `SOAPBRIDGE_LOG` filters as `RUST_LOG` does.
//!
//! No value can forge a line: JSON escapes every string; the text format escapes every control
//! character of every value (line breaks, carriage returns, terminal escapes) as `\n`, `\r`,
//! `\u{1b}`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::{MakeExt as _, MakeVisitor, Visit, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::layer::SubscriberExt as _;

use crate::config::{LogFormat, LogSettings};
use crate::http::QuietCodec;

/// The log settings of the command about to run: `serve`'s settings file (its `log:`), the
/// defaults otherwise (and when the file cannot be read: `serve` then reports why).
pub fn settings_for(cli: &super::Cli) -> LogSettings {
    match &cli.command {
        Some(super::Command::Serve(args)) => crate::config::Config::load(args.config.as_deref())
            .map(|c| c.log)
            .unwrap_or_default(),
        None => crate::config::Config::load(None)
            .map(|c| c.log)
            .unwrap_or_default(),
        Some(_) => LogSettings::default(),
    }
}

/// Keeps the log's writer thread; dropping it flushes what is queued, and lines logged from then
/// on go to standard error directly.
pub struct LogGuard {
    closed: Arc<AtomicBool>,
    _worker: WorkerGuard,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        // Before the worker's guard (a field, dropped after this) stops the thread: a line sent
        // to its queue after it read its last one would be lost.
        self.closed.store(true, Ordering::SeqCst);
    }
}

/// Installs the process's log as `settings` say.
pub fn init(settings: &LogSettings) -> LogGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("soapbridge-log")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
    let closed = Arc::new(AtomicBool::new(false));
    let writer = QueueOr {
        queue: writer,
        closed: closed.clone(),
        fallback: std::io::stderr,
    };
    let filter =
        EnvFilter::try_from_env("SOAPBRIDGE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stderr().is_terminal();
    // Only fails when a log is already installed (a second call): the first one stays.
    let _ = tracing::subscriber::set_global_default(subscriber(settings, filter, writer, ansi));
    LogGuard {
        closed,
        _worker: guard,
    }
}

/// The log's writer: the writer thread's queue while that thread runs; once the guard is dropped
/// (an event some thread logs while the process ends), `fallback` (standard error) directly, so
/// that the line is written whole instead of lost or replaced by tracing's own complaint.
#[derive(Clone)]
struct QueueOr<F> {
    queue: NonBlocking,
    /// Set by [`LogGuard`]'s drop.
    closed: Arc<AtomicBool>,
    fallback: F,
}

impl<F, W> std::io::Write for QueueOr<F>
where
    F: Fn() -> W,
    W: std::io::Write,
{
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.closed.load(Ordering::SeqCst)
            && let Ok(n) = self.queue.write(buf)
        {
            return Ok(n);
        }
        (self.fallback)().write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.queue.flush()
    }
}

impl<'a, F, W> tracing_subscriber::fmt::MakeWriter<'a> for QueueOr<F>
where
    F: Fn() -> W + Clone + 'a,
    W: std::io::Write,
{
    type Writer = QueueOr<F>;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The log's subscriber: `settings`' format, `filter`, into `writer`, coloured when `ansi`;
/// without the HTTP codec's line per refused request (counted and logged at a bounded rate
/// instead).
pub fn subscriber<W>(
    settings: &LogSettings,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match settings.format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish()
                .with(QuietCodec),
        ),
        LogFormat::Text => Box::new(
            builder
                .with_ansi(ansi)
                .fmt_fields(EscapedFields.delimited(" "))
                .finish()
                .with(QuietCodec),
        ),
    }
}

/// One field of a text line: `name=value` (the message alone), every control character of the
/// value escaped.
pub fn escaped_field(
    w: &mut Writer<'_>,
    field: &tracing::field::Field,
    value: &dyn std::fmt::Debug,
) -> std::fmt::Result {
    if field.name() != "message" {
        w.write_str(field.name())?;
        w.write_char('=')?;
    }
    write!(Escaping(w), "{value:?}")
}

/// Writes through, control characters escaped.
struct Escaping<'a, W: std::fmt::Write>(&'a mut W);

impl<W: std::fmt::Write> std::fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        // The text between control characters goes through whole (most values have none): a
        // line per request is written at tens of thousands a second.
        let mut rest = s;
        while let Some((i, c)) = rest.char_indices().find(|(_, c)| c.is_control()) {
            self.0.write_str(&rest[..i])?;
            match c {
                '\n' => self.0.write_str("\\n")?,
                '\r' => self.0.write_str("\\r")?,
                '\t' => self.0.write_str("\\t")?,
                c => write!(self.0, "\\u{{{:x}}}", c as u32)?,
            }
            rest = &rest[i + c.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

/// The fields of a text line, each as [`escaped_field`] writes it.
#[derive(Clone, Copy, Debug)]
struct EscapedFields;

/// Writes one line's fields (see [`EscapedFields`]).
struct EscapedVisitor<'a> {
    writer: Writer<'a>,
    result: std::fmt::Result,
}

impl<'a> MakeVisitor<Writer<'a>> for EscapedFields {
    type Visitor = EscapedVisitor<'a>;

    fn make_visitor(&self, writer: Writer<'a>) -> EscapedVisitor<'a> {
        EscapedVisitor {
            writer,
            result: Ok(()),
        }
    }
}

impl Visit for EscapedVisitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if self.result.is_ok() {
            self.result = escaped_field(&mut self.writer, field, value);
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        match field.name() {
            "message" => self.record_debug(field, &value),
            _ => self.plain(field, value),
        }
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        match field.name() {
            "message" => self.record_debug(field, &value),
            _ => self.plain(field, value),
        }
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        match field.name() {
            "message" => self.record_debug(field, &value),
            _ => self.plain(field, value),
        }
    }

    /// Text that `Debug` writes unchanged between its quotes (printable ASCII without `"` or
    /// `\`: names, ids, routes) is written as it is; anything else as [`escaped_field`] does.
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let plain = value
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
        if !plain {
            return self.record_debug(field, &value);
        }
        if self.result.is_ok() {
            let w = &mut self.writer;
            self.result = (|| {
                if field.name() != "message" {
                    w.write_str(field.name())?;
                    w.write_char('=')?;
                }
                w.write_char('"')?;
                w.write_str(value)?;
                w.write_char('"')
            })();
        }
    }
}

impl EscapedVisitor<'_> {
    /// `name=value` for a value whose `Debug` is its `Display` and has no control character
    /// (numbers, `true`, `false`).
    fn plain(&mut self, field: &tracing::field::Field, value: impl std::fmt::Display) {
        if self.result.is_ok() {
            self.result = write!(self.writer, "{}={value}", field.name());
        }
    }
}

impl VisitOutput<std::fmt::Result> for EscapedVisitor<'_> {
    fn finish(self) -> std::fmt::Result {
        self.result
    }
}

impl VisitFmt for EscapedVisitor<'_> {
    fn writer(&mut self) -> &mut dyn std::fmt::Write {
        &mut self.writer
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn a_line_written_after_the_writer_thread_stopped_goes_to_the_fallback_whole() {
        let queued = Buffer::default();
        let direct = Buffer::default();
        let (queue, worker) = tracing_appender::non_blocking::NonBlockingBuilder::default()
            .lossy(false)
            .finish(queued.clone());
        let closed = Arc::new(AtomicBool::new(false));
        let fallback = {
            let direct = direct.clone();
            move || direct.clone()
        };
        let mut writer = QueueOr {
            queue,
            closed: closed.clone(),
            fallback,
        };
        writer.write_all(b"before\n").unwrap();
        drop(LogGuard {
            closed,
            _worker: worker,
        });
        writer.write_all(b"after\n").unwrap();
        assert_eq!(&*queued.0.lock().unwrap(), b"before\n");
        assert_eq!(&*direct.0.lock().unwrap(), b"after\n");
    }

    /// What a subscriber wrote.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The lines `format` writes for an event whose values came from outside.
    fn lines(format: LogFormat) -> Vec<String> {
        let buffer = Buffer::default();
        let b = buffer.clone();
        let settings = LogSettings {
            format,
            ..LogSettings::default()
        };
        let sub = subscriber(&settings, EnvFilter::new("info"), move || b.clone(), false);
        tracing::subscriber::with_default(sub, || {
            let span = tracing::info_span!("request", request_id = "r-1", route = "/a/{id}");
            let _in = span.enter();
            let outside = "bad\nINFO soapbridge: forged line\r\u{1b}[2J";
            tracing::warn!(reason = %outside, fault_code = outside, "Upstream answer rejected");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn outside_values_cannot_forge_a_text_line() {
        let lines = lines(LogFormat::Text);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = &lines[0];
        assert!(
            line.contains("bad\\nINFO soapbridge: forged line\\r\\u{1b}[2J"),
            "{line}"
        );
        assert!(
            line.contains("request{request_id=\"r-1\" route=\"/a/{id}\"}"),
            "the request's span: {line}"
        );
        assert!(
            line.contains("Upstream answer rejected reason=bad"),
            "{line}"
        );
        assert!(!line.contains('\u{1b}'), "no colour into a file: {line}");
    }

    #[test]
    fn json_lines_are_one_object_with_the_span() {
        let lines = lines(LogFormat::Json);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(v["level"], "WARN");
        assert_eq!(v["reason"], "bad\nINFO soapbridge: forged line\r\u{1b}[2J");
        assert_eq!(v["span"]["request_id"], "r-1");
        assert_eq!(v["span"]["route"], "/a/{id}");
        assert!(v["timestamp"].is_string());
    }

    #[test]
    fn plain_text_is_written_as_debug_would_write_it() {
        let write = |fields: EscapedOrDebug| {
            let buffer = Buffer::default();
            let b = buffer.clone();
            let builder = tracing_subscriber::fmt()
                .without_time()
                .with_ansi(false)
                .with_writer(move || b.clone());
            let sub: Box<dyn tracing::Subscriber + Send + Sync> = match fields {
                EscapedOrDebug::Escaped => {
                    Box::new(builder.fmt_fields(EscapedFields.delimited(" ")).finish())
                }
                EscapedOrDebug::Debug => Box::new(
                    builder
                        .fmt_fields(
                            tracing_subscriber::fmt::format::debug_fn(escaped_field).delimited(" "),
                        )
                        .finish(),
                ),
            };
            tracing::subscriber::with_default(sub, || {
                for v in [
                    "GET",
                    "/a/{id}",
                    "a\"b",
                    "back\\slash",
                    "é ü",
                    "tab\there",
                    "",
                ] {
                    let span = tracing::info_span!("request", route = v, id = %v);
                    let _in = span.enter();
                    tracing::info!(target: "soapbridge::access", method = v, n = 3u64, d = -2i64, ok = true, "Handled");
                    tracing::info!("{v}");
                }
            });
            String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
        };
        let (fast, debug) = (write(EscapedOrDebug::Escaped), write(EscapedOrDebug::Debug));
        assert_eq!(fast, debug);
        assert!(
            fast.contains(r#"Handled method="a\"b" n=3 d=-2 ok=true"#),
            "{fast}"
        );
    }

    /// Which field formatting [`plain_text_is_written_as_debug_would_write_it`] uses.
    enum EscapedOrDebug {
        Escaped,
        Debug,
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        Escaping(&mut out)
            .write_str("a\nINFO forged\r\u{1b}[31mred\u{85}")
            .unwrap();
        assert_eq!(out, "a\\nINFO forged\\r\\u{1b}[31mred\\u{85}");
    }
}
