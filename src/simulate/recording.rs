//! A recorded metric series: the values a scaling policy is replayed against. Read from CSV
//! (a `time` column and one column per signal) or from a Prometheus `query_range` answer as
//! `curl` prints it, or built from live range queries.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Deserialize;

/// Why a recording could not be read. Each names the file and, where there is one, the line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordingError {
    /// The text is neither CSV with a header nor a Prometheus answer.
    #[error("{file}:{line}: {message}")]
    Malformed {
        /// The file, as named in messages.
        file: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Nothing to replay.
    #[error("{file}: no samples")]
    Empty {
        /// The file.
        file: String,
    },
}

/// Values by column, one row per instant, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recording {
    /// The value columns, in file order (`time` excluded).
    pub columns: Vec<String>,
    /// The rows, strictly increasing in time.
    pub rows: Vec<Row>,
}

/// One instant of a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// When.
    pub at: Timestamp,
    /// One value per column: `None` where the source had no sample (a query that returned
    /// nothing); NaN and ±Inf are kept, KEDA reads them as errors.
    pub values: Vec<Option<f64>>,
}

impl Recording {
    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Builds a recording from series keyed by column name, each a list of (Unix seconds,
    /// value) points; instants missing from a series are `None` there.
    pub fn from_series(series: Vec<(String, Vec<(f64, f64)>)>) -> Recording {
        Recording::from_series_at(series, std::iter::empty())
    }

    /// As [`Recording::from_series`], with a row at each of `grid` (Unix seconds) too: the
    /// instants a range query evaluated, where a series without a point had no data.
    pub fn from_series_at(
        series: Vec<(String, Vec<(f64, f64)>)>,
        grid: impl Iterator<Item = f64>,
    ) -> Recording {
        let mut instants: BTreeMap<i64, Vec<Option<f64>>> = BTreeMap::new();
        let width = series.len();
        for time in grid {
            instants
                .entry((time * 1000.0).round() as i64)
                .or_insert_with(|| vec![None; width]);
        }
        for (index, (_, points)) in series.iter().enumerate() {
            for &(time, value) in points {
                let millis = (time * 1000.0).round() as i64;
                instants.entry(millis).or_insert_with(|| vec![None; width])[index] = Some(value);
            }
        }
        let rows = instants
            .into_iter()
            .filter_map(|(millis, values)| {
                Some(Row {
                    at: Timestamp::from_millisecond(millis).ok()?,
                    values,
                })
            })
            .collect();
        Recording {
            columns: series.into_iter().map(|(name, _)| name).collect(),
            rows,
        }
    }
}

/// Parses a recording: a Prometheus JSON answer when the text starts with `{`, else CSV.
pub fn parse(file: &str, text: &str) -> Result<Recording, RecordingError> {
    let recording = if text.trim_start().starts_with('{') {
        parse_prometheus(file, text)?
    } else {
        parse_csv(file, text)?
    };
    if recording.rows.is_empty() {
        return Err(RecordingError::Empty {
            file: file.to_string(),
        });
    }
    Ok(recording)
}

fn malformed(file: &str, line: usize, message: impl Into<String>) -> RecordingError {
    RecordingError::Malformed {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// CSV with a header: the first column is the time (RFC 3339 or Unix seconds), the others
/// are values; an empty cell is "no sample". Lines starting with `#` are comments.
fn parse_csv(file: &str, text: &str) -> Result<Recording, RecordingError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| malformed(file, 1, format!("unreadable CSV header ({e})")))?
        .clone();
    let header_line = header.position().map_or(1, |p| p.line() as usize);
    let mut names = header.iter();
    match names.next() {
        Some(first) if matches!(first.to_ascii_lowercase().as_str(), "time" | "timestamp") => {}
        _ => {
            return Err(malformed(
                file,
                header_line,
                "the first column must be `time` (RFC 3339 or Unix seconds), then one column \
                 per signal",
            ));
        }
    }
    let columns: Vec<String> = names.map(str::to_string).collect();
    if columns.is_empty() {
        return Err(malformed(file, header_line, "no value column after `time`"));
    }
    let mut rows: Vec<Row> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            malformed(file, line, format!("bad CSV record ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let row = csv_row(&record, columns.len()).map_err(|m| malformed(file, line, m))?;
        if let Some(previous) = rows.last().filter(|p| p.at >= row.at) {
            return Err(malformed(
                file,
                line,
                format!("{} is not after the previous row ({})", row.at, previous.at),
            ));
        }
        rows.push(row);
    }
    Ok(Recording { columns, rows })
}

fn csv_row(record: &csv::StringRecord, width: usize) -> Result<Row, String> {
    let mut cells = record.iter();
    let at = parse_time(cells.next().unwrap_or_default())?;
    let values: Vec<Option<f64>> = cells.map(parse_cell).collect::<Result<_, _>>()?;
    if values.len() != width {
        return Err(format!("{} values for {width} columns", values.len()));
    }
    Ok(Row { at, values })
}

/// An RFC 3339 instant or Unix seconds (with a fraction).
fn parse_time(text: &str) -> Result<Timestamp, String> {
    if let Ok(seconds) = text.parse::<f64>() {
        let millis = (seconds * 1000.0).round();
        return Timestamp::from_millisecond(millis as i64)
            .map_err(|_| format!("time {text:?} is out of range"));
    }
    text.parse::<Timestamp>()
        .map_err(|_| format!("time {text:?} is neither RFC 3339 nor Unix seconds"))
}

fn parse_cell(text: &str) -> Result<Option<f64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    crate::sources::prometheus::parse_value(text)
        .map(Some)
        .map_err(|_| format!("{text:?} is not a number"))
}

/// The parts of a Prometheus `query_range` answer that a recording needs.
#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    error: Option<String>,
    data: Option<AnswerData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnswerData {
    result_type: String,
    result: Vec<AnswerSeries>,
}

#[derive(Deserialize)]
struct AnswerSeries {
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

/// A `query_range` answer (`resultType: matrix`): one column per series, named by its
/// labels (`value` for a series without labels, as `sum(...)` gives).
fn parse_prometheus(file: &str, text: &str) -> Result<Recording, RecordingError> {
    let answer: Answer = serde_json::from_str(text).map_err(|e| {
        malformed(
            file,
            e.line(),
            format!("not a Prometheus query_range answer ({e})"),
        )
    })?;
    if answer.status != "success" {
        let error = answer.error.unwrap_or_default();
        return Err(malformed(
            file,
            1,
            format!("the answer has status {:?}: {error}", answer.status),
        ));
    }
    let data = answer
        .data
        .ok_or_else(|| malformed(file, 1, "the answer has no `data`"))?;
    if data.result_type != "matrix" {
        return Err(malformed(
            file,
            1,
            format!(
                "resultType is {:?}; a recording is a range query's matrix \
                 (/api/v1/query_range)",
                data.result_type
            ),
        ));
    }
    let mut series = Vec::with_capacity(data.result.len());
    for answer_series in data.result {
        let points = answer_series
            .values
            .iter()
            .map(|(time, value)| {
                crate::sources::prometheus::parse_value(value)
                    .map(|v| (*time, v))
                    .map_err(|_| malformed(file, 1, format!("sample {value:?} is not a number")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        series.push((series_name(&answer_series.metric), points));
    }
    Ok(Recording::from_series(series))
}

/// `value` for a series without labels, else its selector (`up{job="x"}`).
fn series_name(labels: &BTreeMap<String, String>) -> String {
    let name = labels.get("__name__").cloned().unwrap_or_default();
    let matchers: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    match (name.is_empty(), matchers.is_empty()) {
        (true, true) => "value".to_string(),
        (_, true) => name,
        _ => format!("{name}{{{}}}", matchers.join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_takes_rfc3339_and_unix_times_and_empty_cells() {
        let text = "# recorded 2026-12-03\ntime,queue,kv\n\
                    2026-12-03T14:00:00Z,4,0.5\n1796306415,,0.6\n2026-12-03T14:00:30Z,NaN,0.7\n";
        let recording = parse("t.csv", text).unwrap();
        assert_eq!(recording.columns, ["queue", "kv"]);
        assert_eq!(recording.rows.len(), 3);
        assert_eq!(recording.rows[1].at.as_second(), 1_796_306_415);
        assert_eq!(recording.rows[1].values, [None, Some(0.6)]);
        assert!(recording.rows[2].values[0].is_some_and(f64::is_nan));
    }

    #[test]
    fn csv_errors_name_the_line() {
        let err = |text: &str| parse("t.csv", text).unwrap_err().to_string();
        assert_eq!(
            err("when,queue\n1,2\n"),
            "t.csv:1: the first column must be `time` (RFC 3339 or Unix seconds), then one \
             column per signal"
        );
        assert_eq!(
            err("time,queue\n10,2\n20,lots\n"),
            "t.csv:3: \"lots\" is not a number"
        );
        assert_eq!(
            err("time,queue\n20,2\n10,3\n"),
            "t.csv:3: 1970-01-01T00:00:10Z is not after the previous row \
             (1970-01-01T00:00:20Z)"
        );
        assert_eq!(
            err("time,queue\nyesterday,1\n"),
            "t.csv:2: time \"yesterday\" is neither RFC 3339 nor Unix seconds"
        );
        assert_eq!(err("time,queue\n"), "t.csv: no samples");
        assert!(err("time,queue\n1,2,3\n").starts_with("t.csv:2: bad CSV record"));
    }

    #[test]
    fn prometheus_answers_become_one_column_per_series() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[100,"3"],[115,"5"]]},
            {"metric":{"__name__":"up","job":"x"},"values":[[115,"1"]]}]}}"#;
        let recording = parse("r.json", text).unwrap();
        assert_eq!(recording.columns, ["value", r#"up{job="x"}"#]);
        assert_eq!(recording.rows[0].values, [Some(3.0), None]);
        assert_eq!(recording.rows[1].values, [Some(5.0), Some(1.0)]);
    }

    #[test]
    fn a_grid_adds_the_instants_without_points() {
        let series = vec![("q".to_string(), vec![(20.0, 1.0)])];
        let recording = Recording::from_series_at(series, [10.0, 20.0, 30.0].into_iter());
        let values: Vec<_> = recording.rows.iter().map(|r| r.values[0]).collect();
        assert_eq!(values, [None, Some(1.0), None]);
    }

    #[test]
    fn prometheus_answers_that_are_not_ranges_are_refused() {
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(
            parse("v.json", vector)
                .unwrap_err()
                .to_string()
                .contains("resultType is \"vector\"")
        );
        let error = r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        assert_eq!(
            parse("e.json", error).unwrap_err().to_string(),
            "e.json:1: the answer has status \"error\": parse error"
        );
        assert!(
            parse("g.json", "{nope")
                .unwrap_err()
                .to_string()
                .starts_with("g.json:1: not a Prometheus query_range answer")
        );
    }
}
