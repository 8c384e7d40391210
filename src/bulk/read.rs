//! Reading an import file record by record (NDJSON lines or CSV rows) as JSON objects, with the
//! file's SHA-256 and a progress bar counting bytes.

use crate::domain::ErrorCode;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Context;
use indicatif::ProgressBar;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{
    Entity, Format,
    columns::{self, Header, Row},
    report::{BadLine, redact},
};

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bar: ProgressBar,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(chunk) = buf.get(..n) {
            self.hasher.update(chunk);
        }
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// What reading a whole file found: the number of records and the SHA-256 of its bytes.
pub struct FileSummary {
    pub records: u64,
    pub sha256: String,
}

/// The size of the file, for the progress bar.
pub fn size(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len())
}

/// Calls `each(line, record)` for every record of the file, in order: blank NDJSON lines are
/// skipped, an unreadable record is a [`BadLine`].
pub fn for_each(
    path: &Path,
    format: Format,
    entity: Entity,
    bar: &ProgressBar,
    mut each: impl FnMut(u64, Result<Value, BadLine>),
) -> anyhow::Result<FileSummary> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = Hashing {
        inner: file,
        hasher: Sha256::new(),
        bar: bar.clone(),
    };
    let mut records = 0;
    let hashing = match format {
        Format::Ndjson => {
            let mut r = BufReader::with_capacity(1 << 20, reader);
            let mut buf = Vec::with_capacity(4096);
            let mut line = 0;
            loop {
                buf.clear();
                if r.read_until(b'\n', &mut buf).context("reading the file")? == 0 {
                    break;
                }
                line += 1;
                let text = match std::str::from_utf8(&buf) {
                    Ok(t) => t.trim(),
                    Err(_) => {
                        records += 1;
                        each(
                            line,
                            Err(BadLine::new(
                                line,
                                None,
                                ErrorCode::InvalidEncoding,
                                "the line is not UTF-8",
                            )),
                        );
                        continue;
                    }
                };
                if text.is_empty() {
                    continue;
                }
                records += 1;
                each(line, parse_object(line, text));
            }
            r.into_inner()
        }
        Format::Csv => {
            let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
            let header = Header::new(r.headers().context("reading the CSV header")?);
            let required: &[&str] = match entity {
                Entity::Listings => &columns::REQUIRED_LISTING_COLUMNS,
                Entity::Courts => &columns::COURT_COLUMNS[..4],
            };
            let missing = header.missing(required);
            anyhow::ensure!(
                missing.is_empty(),
                "the CSV header lacks the columns {} (docs/BULK.md)",
                missing.join(", ")
            );
            let mut record = csv::StringRecord::new();
            loop {
                match r.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        records += 1;
                        let line = record.position().map_or(0, |p| p.line());
                        let row = Row {
                            header: &header,
                            record: &record,
                        };
                        let value = match entity {
                            Entity::Listings => columns::listing_value(&row).map_err(|(f, m)| {
                                BadLine::new(line, Some(&f), ErrorCode::InvalidValue, m)
                            }),
                            Entity::Courts => Ok(columns::court_value(&row)),
                        };
                        each(line, value);
                    }
                    Err(e) => {
                        records += 1;
                        let line = e.position().map_or(0, |p| p.line());
                        let message = match e.kind() {
                            csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8".to_string(),
                            _ => redact(&e.to_string()),
                        };
                        each(
                            line,
                            Err(BadLine::new(line, None, ErrorCode::InvalidCsv, message)),
                        );
                        if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                            break;
                        }
                    }
                }
            }
            r.into_inner()
        }
    };
    Ok(FileSummary {
        records,
        sha256: hex::encode(hashing.hasher.finalize()),
    })
}

fn parse_object(line: u64, text: &str) -> Result<Value, BadLine> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(BadLine::new(
            line,
            None,
            ErrorCode::InvalidJson,
            "a line is one JSON object",
        )),
        Err(e) => Err(BadLine::new(
            line,
            None,
            ErrorCode::InvalidJson,
            format!("not valid JSON at column {}", e.column()),
        )),
    }
}
