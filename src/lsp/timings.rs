//! Server-side request timings: the most recent durations per method, so that
//! `skill-lsp.stats` can say how long the server itself works per request, without the
//! pipe's and the client's share. Cheap enough to be always on (one lock and a store).

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Samples kept per method: enough for a stable p99, small enough to sort on demand.
const KEPT: usize = 4096;

#[derive(Default)]
struct Recent {
    nanos: Vec<u64>,
    next: usize,
    count: u64,
}

#[derive(Default)]
pub struct Timings {
    by_method: Mutex<BTreeMap<&'static str, Recent>>,
}

impl Timings {
    pub fn record(&self, method: &'static str, took: Duration) {
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        let mut by_method = self.by_method.lock().unwrap_or_else(|p| p.into_inner());
        let recent = by_method.entry(method).or_default();
        if recent.nanos.len() < KEPT {
            recent.nanos.push(nanos);
        } else {
            recent.nanos[recent.next] = nanos;
        }
        recent.next = (recent.next + 1) % KEPT;
        recent.count += 1;
    }

    /// `{method: {count, p50_us, p99_us, max_us}}` over the kept samples.
    pub fn summary(&self) -> Value {
        let by_method = self.by_method.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = serde_json::Map::new();
        for (method, recent) in by_method.iter() {
            let mut sorted = recent.nanos.clone();
            sorted.sort_unstable();
            let at = |p: f64| {
                let i = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
                sorted.get(i).map(|n| *n as f64 / 1e3).unwrap_or(0.0)
            };
            out.insert(
                method.to_string(),
                json!({
                    "count": recent.count,
                    "samples": sorted.len(),
                    "p50_us": at(0.5),
                    "p99_us": at(0.99),
                    "max_us": at(1.0),
                }),
            );
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_over_the_kept_window() {
        let timings = Timings::default();
        for i in 1..=KEPT as u64 + 100 {
            timings.record("hover", Duration::from_micros(i));
        }
        let summary = timings.summary();
        let hover = &summary["hover"];
        assert_eq!(hover["count"], KEPT as u64 + 100);
        assert_eq!(hover["samples"], KEPT);
        // The oldest 100 samples were overwritten: the minimum kept is 101 µs.
        assert!(hover["p50_us"].as_f64().is_some_and(|p| p > 2000.0));
        assert_eq!(hover["max_us"], (KEPT + 100) as f64);
    }
}
