//! Printing a workload's report: a few lines of text, or one JSON line.

use serde::Serialize;

use crate::Result;

pub trait Report: Serialize {
    /// The human-readable form, on stdout.
    fn print_text(&self);
}

/// Prints `report` as text, or as exactly one JSON line with `json`.
pub fn print(report: &impl Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        report.print_text();
    }
    Ok(())
}

/// `count / secs`, 0 for an empty interval.
pub fn per_sec(count: u64, secs: f64) -> f64 {
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// Rounds to two decimals, so that JSON reports stay readable.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_survive_an_empty_interval() {
        assert_eq!(super::per_sec(10, 2.0), 5.0);
        assert_eq!(super::per_sec(10, 0.0), 0.0);
        assert_eq!(super::round2(1.23456), 1.23);
    }
}
