//! The report of bad lines: each with its line number, the field, a stable reason code and a
//! message. It never carries a value from the file (no ID number, no name): messages come from
//! the domain rules, and parser messages have their quoted values removed.

use crate::domain::ErrorCode;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::error::FieldError;

/// At most this many bad lines are printed on stderr; `--report FILE` has them all.
pub const PRINTED: usize = 1000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BadLine {
    /// The line of the file (1 = the first line; a CSV file's header is line 1).
    pub line: u64,
    pub field: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl BadLine {
    pub fn new(
        line: u64,
        field: Option<&str>,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        BadLine {
            line,
            field: field.map(str::to_string),
            code,
            message: message.into(),
        }
    }

    pub fn from_field(line: u64, e: FieldError) -> Self {
        BadLine {
            line,
            field: Some(e.field),
            code: e.code,
            message: e.message,
        }
    }

    /// Every problem of a refused validation: its field errors, or the error itself when it has none.
    pub fn from_api_error(line: u64, e: crate::error::ApiError) -> Vec<BadLine> {
        if e.errors.is_empty() {
            vec![BadLine::new(line, None, e.code, e.detail)]
        } else {
            e.errors
                .into_iter()
                .map(|f| BadLine::from_field(line, f))
                .collect()
        }
    }

    /// A record read as `T`; a record of the wrong shape is one bad line (`invalid_value`) whose
    /// message quotes no value of the file.
    pub fn parse<T: serde::de::DeserializeOwned>(
        line: u64,
        v: &serde_json::Value,
    ) -> Result<T, Vec<BadLine>> {
        T::deserialize(v).map_err(|e| {
            vec![BadLine::new(
                line,
                None,
                ErrorCode::InvalidValue,
                redact(&e.to_string()),
            )]
        })
    }
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(
                f,
                "line {}: {}: {}: {}",
                self.line, self.code, field, self.message
            ),
            None => write!(f, "line {}: {}: {}", self.line, self.code, self.message),
        }
    }
}

/// A parser's message without the values it quotes (serde writes `invalid type: string "…"`).
pub fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if quoted {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// Prints the report on stderr (the first [`PRINTED`] lines) and writes it whole to `file` as
/// NDJSON when given.
pub fn emit(bad: &mut [BadLine], file: Option<&Path>) -> anyhow::Result<()> {
    bad.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.field.cmp(&b.field)));
    let lines: std::collections::BTreeSet<u64> = bad.iter().map(|b| b.line).collect();
    let mut err = std::io::stderr().lock();
    for b in bad.iter().take(PRINTED) {
        writeln!(err, "{b}")?;
    }
    if bad.len() > PRINTED {
        writeln!(
            err,
            "… and {} more problems (--report FILE lists them all)",
            bad.len() - PRINTED
        )?;
    }
    writeln!(
        err,
        "{} bad lines ({} problems): nothing was imported",
        lines.len(),
        bad.len()
    )?;
    if let Some(path) = file {
        let f =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = std::io::BufWriter::new(f);
        for b in bad.iter() {
            serde_json::to_writer(&mut w, b)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_removes_quoted_values() {
        assert_eq!(
            super::redact(r#"invalid type: string "11010519491231002X", expected u32 at line 1"#),
            r#"invalid type: string "…", expected u32 at line 1"#
        );
        assert_eq!(
            super::redact("missing field `debtor`"),
            "missing field `debtor`"
        );
    }
}
