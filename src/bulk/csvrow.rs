//! A CSV row read by its header's column names (docs/BULK.md: columns in any order, empty = null).

use serde_json::Value;

/// The position of each column of a CSV file's header.
pub struct Header(std::collections::HashMap<String, usize>);

impl Header {
    /// The columns of `required` that the header lacks.
    pub fn missing(&self, required: &[&str]) -> Vec<String> {
        required
            .iter()
            .filter(|c| !self.0.contains_key(**c))
            .map(|c| c.to_string())
            .collect()
    }

    pub fn new(headers: &csv::StringRecord) -> Header {
        Header(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_string(), i))
                .collect(),
        )
    }
}

/// A CSV row read with its header: the value of a column, `None` when absent or empty.
pub struct Row<'a> {
    pub header: &'a Header,
    pub record: &'a csv::StringRecord,
}

impl Row<'_> {
    pub fn get(&self, column: &str) -> Option<&str> {
        self.header
            .0
            .get(column)
            .and_then(|i| self.record.get(*i))
            .filter(|s| !s.trim().is_empty())
    }
    pub fn text(&self, column: &str) -> Value {
        self.get(column)
            .map_or(Value::Null, |s| Value::String(s.to_string()))
    }
    pub fn list(&self, column: &str) -> Vec<String> {
        self.get(column)
            .map(|s| {
                s.split(';')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}
