//! Answers checked against the schema (`validate_answers`): `strict` refuses an answer outside
//! it, `warn` logs and counts it (`/metrics`), `off` skips the check.

use super::plan::{BodyLayout, OperationPlan, ServicePlan};
use crate::convert::error::AnswerError;
use crate::mapping::format::AnswerValidation;
use crate::xsd::QName;

/// Violations of one answer written to the log (the rest are counted).
const LOGGED_VIOLATIONS: usize = 20;

impl ServicePlan {
    /// Checks an answer's Body against the schema (`validate_answers`): the elements of a
    /// document-style answer, each against its global declaration. rpc parts (local accessors
    /// typed by the message) and SOAP-encoded answers (not literal XML Schema) are not checked.
    /// `strict`: an error naming the violations; `warn`: logged and counted.
    pub(super) fn check_answer(
        &self,
        op: &OperationPlan,
        body: roxmltree::Node,
    ) -> Result<(), AnswerError> {
        let Some(compiled) = &self.validation else {
            return Ok(());
        };
        if op.output_encoding.is_some() {
            return Ok(());
        }
        let names: Vec<&QName> = match &op.output {
            BodyLayout::Element { name, .. } => vec![name],
            BodyLayout::Parts {
                wrapper: None,
                parts,
            } => parts.iter().map(|p| &p.name).collect(),
            BodyLayout::Parts { .. } => return Ok(()),
        };
        let schema = &self.compiled.wsdl.schema;
        let validator = crate::xsd::validate::Validator::with(schema, compiled.clone());
        let mut violations = Vec::new();
        for c in body.children().filter(|c| c.is_element()) {
            // Looked up, not interned: a name no table holds is none of the message's.
            let Some(q) = QName::find(c.tag_name().namespace().unwrap_or(""), c.tag_name().name())
            else {
                continue;
            };
            if !names.contains(&&q) {
                continue;
            }
            if let Some(&decl) = schema.global_elements.get(&q) {
                violations.extend(validator.validate_element(c, decl));
            }
        }
        if violations.is_empty() {
            return Ok(());
        }
        self.answers_invalid
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let strict = self.compiled.validate_answers == AnswerValidation::Strict;
        for v in violations.iter().take(LOGGED_VIOLATIONS) {
            tracing::warn!(operation = %op.route.operation, path = %v.path, rule = v.rule, problem = %v.message, strict, "Answer outside the schema");
        }
        if strict {
            let first = &violations[0];
            return Err(AnswerError::OutsideSchema {
                count: violations.len(),
                path: first.path.clone(),
                message: first.message.clone(),
            });
        }
        Ok(())
    }
}
