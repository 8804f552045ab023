//! One SKILL.md: front matter, title, playbook sections.

use super::front_matter;
use super::markdown::{self, LineIndex};
use crate::model::{Entry, EntryKind, Problem, Severity, Skill};

/// Reads a SKILL.md whose text is already known to be UTF-8 and within size limits.
/// `folder_name` names the skill when the front matter does not. Warnings go to `problems`;
/// an error means the skill is skipped.
pub fn read(
    text: &str,
    file: &str,
    folder_name: &str,
    problems: &mut Vec<Problem>,
) -> Result<Skill, Problem> {
    let problem = |line: u32, severity: Severity, message: String| Problem {
        file: file.to_string(),
        line,
        severity,
        message,
    };
    if text.trim().is_empty() {
        return Err(problem(1, Severity::Error, "SKILL.md is empty".into()));
    }
    let (fm, body, body_first_line) = match front_matter::split(text) {
        Some((yaml, body, lines)) => {
            let fm = front_matter::parse(yaml).map_err(|m| problem(2, Severity::Error, m))?;
            if let Some(reason) = &fm.lenient_reason {
                problems.push(problem(
                    2,
                    Severity::Warning,
                    format!("front matter is not strict YAML (read line by line): {reason}"),
                ));
            }
            (fm, body, lines + 1)
        }
        None if text.starts_with("---") => {
            return Err(problem(
                1,
                Severity::Error,
                "front matter is not closed by `---`".into(),
            ))
        }
        None => {
            problems.push(problem(
                1,
                Severity::Warning,
                format!(
                    "no YAML front matter; the skill is named after its folder `{folder_name}`"
                ),
            ));
            (front_matter::FrontMatter::default(), text, 1)
        }
    };
    let name = fm.name.clone().unwrap_or_else(|| folder_name.to_string());
    if fm.name.is_some() && name != folder_name {
        problems.push(problem(
            2,
            Severity::Warning,
            format!("front matter name `{name}` differs from the folder name `{folder_name}`"),
        ));
    }
    let lines = LineIndex::new(body, body_first_line);
    let doc = markdown::read(body, file, &lines, EntryKind::Generic);
    let description = fm.description.clone().unwrap_or_default();
    let mut entries = Vec::with_capacity(doc.entries.len() + 1);
    if !description.is_empty() {
        let line = text
            .lines()
            .position(|l| l.starts_with("description:"))
            .map(|i| i as u32 + 1)
            .unwrap_or(2);
        entries.push(Entry::new(
            EntryKind::Description,
            "description",
            description.clone(),
            file,
            line,
        ));
    }
    entries.extend(doc.entries);
    Ok(Skill {
        title: doc.title.unwrap_or_else(|| name.clone()),
        name,
        description,
        file: file.to_string(),
        extra_front_matter: fm.extra,
        entries,
    })
}
