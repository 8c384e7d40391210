//! `shixin import courts` and `shixin export courts`: the rows of `POST /v1/courts`, validated by
//! the route's own `validate`; a court code already registered is `court_exists`, a parent that is
//! neither registered nor in the file is `unknown_court`. One transaction, one audit row.

use crate::domain::ErrorCode;
use std::collections::HashMap;

/// A registered court: name, province, level, parent.
type Known = (String, String, String, Option<String>);
use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};

use super::{
    Entity, Format, bar, columns,
    export::{Options as ExportOptions, Sink, output},
    read,
    report::BadLine,
};
use crate::{
    audit::{Actor, Change},
    courts::{CourtIn, validate},
    db::bulk::courts::{self as stored, NewCourt},
};

/// A valid court line.
struct CourtLine {
    line: u64,
    code: String,
    name: String,
    province: String,
    level: String,
    parent: Option<String>,
}

fn parse(line: u64, v: &Value) -> Result<CourtLine, Vec<BadLine>> {
    let input: CourtIn = BadLine::parse(line, v)?;
    match validate(&input) {
        Ok((code, level)) => Ok(CourtLine {
            line,
            code: code.as_str().to_string(),
            name: input.name.trim().to_string(),
            province: input.province.trim().to_string(),
            level: level.as_str().to_string(),
            parent: input.parent_code.map(|p| p.trim().to_string()),
        }),
        Err(e) => Err(BadLine::from_api_error(line, e)),
    }
}

/// Imports the courts of `path`: `Ok(Ok(n))`, or every bad line.
pub async fn import(
    url: &str,
    path: &Path,
    format: Format,
    quiet: bool,
    actor: &Actor,
) -> anyhow::Result<Result<u64, Vec<BadLine>>> {
    let mut client = super::connect(url).await?;
    let tx = client.transaction().await?;
    // Courts are few: the table is read whole, and locked so that no court appears meanwhile.
    let known: HashMap<String, Known> = stored::lock_all(&tx)
        .await?
        .into_iter()
        .map(|c| (c.code, (c.name, c.province, c.level, c.parent_code)))
        .collect();
    let progress = bar(
        quiet,
        Some(read::size(path)?),
        "{spinner} [{elapsed_precise}] reading {wide_bar} {bytes}/{total_bytes}",
    );
    let mut bad = Vec::new();
    let mut lines = Vec::new();
    let summary =
        read::for_each(
            path,
            format,
            Entity::Courts,
            &progress,
            |line, record| match record.map_err(|b| vec![b]).and_then(|v| parse(line, &v)) {
                Ok(c) => lines.push(c),
                Err(b) => bad.extend(b),
            },
        )?;
    progress.finish_and_clear();
    // A court registered with the same fields is skipped (an export re-imports); with other
    // fields it is `court_exists`.
    lines.retain(|c| match known.get(&c.code) {
        Some(k)
            if *k
                == (
                    c.name.clone(),
                    c.province.clone(),
                    c.level.clone(),
                    c.parent.clone(),
                ) =>
        {
            false
        }
        Some(_) => {
            bad.push(BadLine::new(
                c.line,
                Some("code"),
                ErrorCode::CourtExists,
                format!("court {} exists with other fields", c.code),
            ));
            false
        }
        None => true,
    });
    let mut first: HashMap<&str, u64> = HashMap::new();
    for c in &lines {
        if let Some(l) = first.insert(&c.code, c.line) {
            first.insert(&c.code, l);
            bad.push(BadLine::new(
                c.line,
                Some("code"),
                ErrorCode::CourtExists,
                format!("court {} is also on line {l}", c.code),
            ));
        }
    }
    for c in &lines {
        if let Some(p) = &c.parent
            && !known.contains_key(p)
            && !first.contains_key(p.as_str())
        {
            bad.push(BadLine::new(
                c.line,
                Some("parent_code"),
                ErrorCode::UnknownCourt,
                format!("no court {p}"),
            ));
        }
    }
    if !bad.is_empty() {
        tx.rollback().await?;
        return Ok(Err(bad));
    }
    let new: Vec<NewCourt<'_>> = lines
        .iter()
        .map(|c| NewCourt {
            code: &c.code,
            name: &c.name,
            province: &c.province,
            level: &c.level,
            parent_code: c.parent.as_deref(),
        })
        .collect();
    let n = stored::insert(&tx, &new)
        .await
        .context("writing the courts")?;
    let file = path.file_name().map(|f| f.to_string_lossy().to_string());
    let codes: Vec<&str> = lines.iter().map(|c| c.code.as_str()).collect();
    let after = json!({"file": file, "format": format.as_str(), "courts": n, "codes": codes, "sha256": summary.sha256});
    let change = Change::new("import", "courts", &summary.sha256).after(&after);
    super::audit::append(&tx, actor, &change).await?;
    tx.commit().await?;
    Ok(Ok(n))
}

/// Writes every court, by code.
pub async fn export(url: &str, opts: ExportOptions) -> anyhow::Result<u64> {
    let client = super::connect(url).await?;
    let rows = stored::all_by_code(&client).await?;
    let mut sink = Sink::new(
        opts.format,
        output(opts.output.as_ref())?,
        &columns::COURT_COLUMNS,
    )?;
    for c in &rows {
        let json = json!({"code": c.code, "name": c.name, "province": c.province,
            "level": c.level, "parent_code": c.parent_code, "created_at": c.created_at});
        sink.write(&json, columns::court_row)?;
    }
    sink.finish()?;
    Ok(rows.len() as u64)
}
