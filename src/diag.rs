//! Problems found in integrators' files (WSDL, XSD, mapping), reported as `file:line:col: message`
//! with a hint. Loading and checking collect every problem they can before giving up.
//!
//! A problem is an error (the file cannot be used) or a warning (it can, and the integrator
//! should know: an operation left out, a mistake tolerated); a warning prints as
//! `file:line:col: warning: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// How much a problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The file cannot be used as it is (the default).
    #[default]
    Error,
    /// The file can be used; something was left out or tolerated.
    Warning,
}

/// One problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based; 0 when unknown.
    pub col: u32,
    pub message: String,
    pub hint: Option<String>,
    /// Error unless made a warning with [`Diagnostic::warning`].
    pub severity: Severity,
}

impl Diagnostic {
    pub fn new(file: &Path, line: u32, col: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            col,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// The same problem as a warning.
    pub fn warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// The same problem as an error (`--strict` makes warnings errors).
    pub fn error(mut self) -> Diagnostic {
        self.severity = Severity::Error;
        self
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        if self.is_warning() {
            f.write_str(": warning")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one load or check; never empty. Errors, with the warnings that explain
/// them (a schema file's own problems ahead of what they caused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line as u32, col as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4)); // after `é` (two bytes): column counts characters
        assert_eq!(line_col(text, 999), (3, 2));
    }

    #[test]
    fn display() {
        let d = Diagnostic::new(Path::new("m.yaml"), 3, 5, "bad").hint("fix it");
        assert_eq!(d.to_string(), "m.yaml:3:5: bad\n  hint: fix it");
        assert_eq!(
            Diagnostic::new(Path::new("m.yaml"), 0, 0, "whole").to_string(),
            "m.yaml: whole"
        );
        let w = Diagnostic::new(Path::new("s.wsdl"), 7, 2, "tolerated").warning();
        assert!(w.is_warning());
        assert_eq!(w.to_string(), "s.wsdl:7:2: warning: tolerated");
        assert_eq!(w.error().to_string(), "s.wsdl:7:2: tolerated");
    }
}
