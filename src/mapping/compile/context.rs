//! What the checks of one operation entry read ([`OperationCx`]), and how a problem is placed at
//! the value of the mapping file it is about.

use std::path::Path;

use serde_saphyr::Spanned;

use crate::diag::Diagnostic;
use crate::mapping::format::{MappingFile, OperationSpec};
use crate::mapping::naming::{Naming, json_keys};
use crate::mapping::shape::Field;
use crate::wsdl::{BindingOperation, Wsdl};

/// A problem at the place a value of the mapping file was written.
pub(super) fn located<T>(file: &Path, s: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(
        file,
        s.referenced.line() as u32,
        s.referenced.column() as u32,
        message,
    )
}

/// One operation entry of the mapping file and what the WSDL says about the operation: what its
/// checks read.
pub(super) struct OperationCx<'a> {
    pub(super) file: &'a Path,
    pub(super) mapping: &'a MappingFile,
    /// The entry's key: the WSDL operation's name.
    pub(super) name: &'a Spanned<String>,
    pub(super) spec: &'a OperationSpec,
    pub(super) wsdl: &'a Wsdl,
    /// Index into the binding's operations.
    pub(super) binding_operation: usize,
    pub(super) bop: &'a BindingOperation,
    /// The operation's input and output fields (its shape).
    pub(super) input: &'a [Field],
    pub(super) output: &'a [Field],
    /// The operation's declared faults: (name, message index).
    pub(super) faults: &'a [(String, usize)],
    /// The mapping's `base_path`, without a trailing `/`.
    pub(super) base_path: &'a str,
}

impl OperationCx<'_> {
    /// A problem at the place `s` was written.
    pub(super) fn d<T>(&self, s: &Spanned<T>, message: impl Into<String>) -> Diagnostic {
        located(self.file, s, message)
    }

    /// The WSDL operation's name.
    pub(super) fn op(&self) -> &str {
        &self.name.value
    }

    pub(super) fn naming(&self) -> Naming {
        self.mapping.naming
    }

    /// The JSON keys of sibling fields, after the mapping's naming rule.
    pub(super) fn keys(&self, fields: &[Field]) -> Vec<String> {
        json_keys(
            self.naming(),
            &fields
                .iter()
                .map(|f| (f.name.as_str(), f.attribute))
                .collect::<Vec<_>>(),
        )
    }
}
