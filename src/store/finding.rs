//! What `check` reports: one problem found in the database and how serious it
//! is. Apart from the checks, so that the audit chain's verification can
//! report its findings without depending on the rest of `check`.

use serde::Serialize;

/// How serious a finding is: errors make `check` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// What the finding is about: a table row, a plan, an indicator code.
    pub subject: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}: {}", self.subject, self.message)
    }
}
