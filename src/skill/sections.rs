//! Which kind of entry a section holds, from its heading or label as packs spell it.

use crate::model::EntryKind;

/// Words of a heading that names a failure: the section's items are its fixes.
const FAILURE_WORDS: [&str; 16] = [
    "trap",
    "traps",
    "stall",
    "stalls",
    "deadlock",
    "deadlocks",
    "mismatch",
    "mismatches",
    "errors",
    "crash",
    "crashes",
    "diverges",
    "divergence",
    "failures",
    "fails",
    "hangs",
];

/// Classifies a heading or a label bullet (`- Pitfalls (HPC-specific):`). Unknown titles
/// give `None`: the caller keeps them as generic entries.
pub fn classify(title: &str) -> Option<EntryKind> {
    let t = normalise(title);
    let has = |w: &str| t.contains(w);
    let word = |w: &str| t.split(' ').any(|x| x == w);
    let kind = if has("pitfall")
        || has("failure signature")
        || has("common bugs")
        || has("caveat")
        || has("gotcha")
        || has("known issue")
        || has("common mistake")
        || has("troubleshoot")
        || FAILURE_WORDS.iter().any(|w| word(w))
    {
        // A heading naming what goes wrong ("Socket stalls or deadlocks", "Driver
        // errors"): its items say how to avoid or fix it.
        EntryKind::Pitfall
    } else if has("triage") {
        EntryKind::Triage
    } else if has("route") || has("routing") || t == "when to use" || has("load the right skill") {
        EntryKind::Route
    } else if has("canonical") {
        EntryKind::Workflow
    } else if has("minimal working") || has("quick start") || has("runnable example") {
        EntryKind::Example
    } else if has("convergence") || has("validation") || has("checkpoint") || has("checklist") {
        EntryKind::Checklist
    } else if t == "scope" {
        EntryKind::Scope
    } else if has("primary documentation")
        || has("documentation first")
        || has("core references")
        || has("main docs")
    {
        EntryKind::PrimaryDoc
    } else if has("supporting references") {
        EntryKind::SupportingRef
    } else if has("tutorials and examples") || has("example roots") {
        EntryKind::Tutorial
    } else if has("test references") || has("test roots") || has("behavior test") {
        EntryKind::TestRef
    } else if has("deeper inspection") {
        EntryKind::DeeperInspection
    } else if has("source entry points") {
        EntryKind::SourceEntry
    } else if has("topic skills") {
        EntryKind::RoutingList
    } else {
        return None;
    };
    Some(kind)
}

/// Lowercase words only: `### Pitfalls (HPC-specific):` -> `pitfalls hpc specific`.
fn normalise(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_in_the_wild() {
        for (title, kind) in [
            ("Pitfalls", EntryKind::Pitfall),
            ("Pitfalls and fixes", EntryKind::Pitfall),
            ("Pitfalls (HPC-specific):", EntryKind::Pitfall),
            ("Pitfalls/fixes", EntryKind::Pitfall),
            ("Common failure signatures", EntryKind::Pitfall),
            ("Route the request", EntryKind::Route),
            ("Route conditions", EntryKind::Route),
            (
                "Triage questions (answer before optimizing)",
                EntryKind::Triage,
            ),
            ("Canonical workflow", EntryKind::Workflow),
            ("Canonical diagnostic workflow", EntryKind::Workflow),
            ("Minimal working examples", EntryKind::Example),
            ("Minimal working snippets", EntryKind::Example),
            ("Convergence/validation checklist", EntryKind::Checklist),
            ("Convergence and validation checks", EntryKind::Checklist),
            ("Validation checkpoints", EntryKind::Checklist),
            ("Scope", EntryKind::Scope),
            ("Primary documentation references", EntryKind::PrimaryDoc),
            ("Supporting references", EntryKind::SupportingRef),
            ("Tutorials and examples", EntryKind::Tutorial),
            ("Test references", EntryKind::TestRef),
            ("Optional deeper inspection", EntryKind::DeeperInspection),
            (
                "Source entry points for unresolved issues",
                EntryKind::SourceEntry,
            ),
            ("Available topic skills", EntryKind::RoutingList),
            ("Socket stalls or deadlocks", EntryKind::Pitfall),
            ("Common run-time traps", EntryKind::Pitfall),
            ("Unit and axis mismatches", EntryKind::Pitfall),
            ("Driver errors", EntryKind::Pitfall),
            ("Known issues", EntryKind::Pitfall),
            ("Caveats", EntryKind::Pitfall),
            ("Troubleshooting", EntryKind::Pitfall),
        ] {
            assert_eq!(classify(title), Some(kind), "{title}");
        }
        assert_eq!(classify("Workflow"), None);
        assert_eq!(classify("Launch"), None);
    }
}
