//! What the stdio benchmarks share: the realistic script, the hover positions and the
//! statistics. Each bench includes this with `#[path]`; not every bench uses every item.
#![allow(dead_code)]

use std::time::Duration;

/// A ~300-line script using ase and oqupy: the examples plus 30 analysis functions.
pub fn script() -> String {
    let block = include_str!("../../examples/parallel_md.py");
    let mut s = String::from(block);
    for i in 0..30 {
        s.push_str(&format!(
            "\n\ndef analyse_{i}(path):\n    frames = read(path, index=':')\n    energies = [f.get_potential_energy() for f in frames]\n    data = np.asarray(energies)\n    \
             mean = data.mean()\n    spread = data.std()\n    write('summary_{i}.xyz', frames[-1])\n    return mean, spread\n"
        ));
    }
    s.insert_str(0, "import numpy as np\nfrom ase.io import write\n");
    s
}

/// Needles whose first occurrence is a hover position: matched calls, unmatched calls,
/// whitespace.
pub const HOVER_NEEDLES: [&str; 8] = [
    "read('start",
    "Trajectory(f",
    "backend_config",
    "OMP_NUM",
    "np.asarray",
    "energies = [",
    "mean()",
    "\n\n",
];

pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Peak resident set of a live process, from /proc (Linux only).
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

pub fn mb(kb: Option<u64>) -> String {
    kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0))
        .unwrap_or_else(|| "?".into())
}
