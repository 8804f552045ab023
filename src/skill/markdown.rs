//! A tolerant reader of playbook markdown: headings and label bullets open sections, list
//! items, numbered steps, paragraphs, table rows and fenced code become entries, each with
//! its file line. Shared by SKILL.md and every markdown file under `references/`.

use super::sections::classify;
use crate::model::{Entry, EntryKind};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Byte offset -> 1-based line number.
pub struct LineIndex {
    starts: Vec<usize>,
    first_line: u32,
}

impl LineIndex {
    /// `first_line` is the file line of the first byte of `text` (after front matter).
    pub fn new(text: &str, first_line: u32) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, first_line }
    }

    pub fn line(&self, offset: usize) -> u32 {
        let idx = self.starts.partition_point(|&s| s <= offset);
        self.first_line + idx.saturating_sub(1) as u32
    }
}

#[derive(Debug, Default)]
pub struct MarkdownDoc {
    /// The first level-1 heading.
    pub title: Option<String>,
    pub entries: Vec<Entry>,
}

#[derive(Clone)]
struct Section {
    title: String,
    kind: EntryKind,
}

/// How a list item that forbids something begins.
const PROHIBITIONS: [&str; 5] = ["Never ", "Do not ", "Don't ", "Do NOT ", "Avoid "];

/// A list item that forbids something: a warning, whatever section it sits in.
pub fn is_prohibition(text: &str) -> bool {
    let t = text.trim_start();
    PROHIBITIONS.iter().any(|p| t.starts_with(p))
}

/// Nesting depth (in indent columns) kept when flattening list items.
const MAX_INDENT: usize = 16;

/// One open list item: its own lines (split at soft breaks) and finished children.
#[derive(Default)]
struct Item {
    lines: Vec<(String, usize)>,
    children: Vec<Item>,
}

impl Item {
    fn push_text(&mut self, text: &str, offset: usize) {
        match self.lines.last_mut() {
            Some((line, _)) => line.push_str(text),
            None => self.lines.push((text.to_string(), offset)),
        }
    }

    fn new_line(&mut self, offset: usize) {
        self.lines.push((String::new(), offset));
    }

    fn first_line(&self) -> &str {
        self.lines.first().map(|(l, _)| l.trim()).unwrap_or("")
    }

    /// Own lines joined, children as indented bullets below (nesting beyond a few levels
    /// is flattened: hostile input can nest lists thousands deep).
    fn full_text(&self, indent: usize) -> String {
        let mut out = self
            .lines
            .iter()
            .map(|(l, _)| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        for child in &self.children {
            out.push('\n');
            out.push_str(&" ".repeat(indent.min(MAX_INDENT) + 2));
            out.push_str("- ");
            if indent < MAX_INDENT {
                out.push_str(&child.full_text(indent + 2));
            } else {
                out.push_str(
                    &child
                        .lines
                        .iter()
                        .map(|(l, _)| l.trim())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
        }
        out
    }
}

struct Reader<'a> {
    file: &'a str,
    lines: &'a LineIndex,
    default_kind: EntryKind,
    doc: MarkdownDoc,
    section: Section,
    /// A label bullet without children (`- Minimal working example:`) that governs the
    /// code blocks following it, until the next item or heading.
    pending_label: Option<Section>,
    items: Vec<Item>,
    heading: Option<(HeadingLevel, String, usize)>,
    code: Option<(Option<String>, String, usize)>,
    block: Option<(String, usize)>,
    /// Rank counter of the current section (reset per section).
    rank: u32,
}

pub fn read(text: &str, file: &str, lines: &LineIndex, default_kind: EntryKind) -> MarkdownDoc {
    let mut reader = Reader {
        file,
        lines,
        default_kind,
        doc: MarkdownDoc::default(),
        section: Section {
            title: String::new(),
            kind: default_kind,
        },
        pending_label: None,
        items: Vec::new(),
        heading: None,
        code: None,
        block: None,
        rank: 0,
    };
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        reader.event(event, range.start);
    }
    reader.doc
}

impl Reader<'_> {
    fn event(&mut self, event: Event<'_>, offset: usize) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some((level, String::new(), offset));
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::Item) => {
                self.pending_label = None;
                self.items.push(Item::default());
            }
            Event::End(TagEnd::Item) => self.end_item(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(str::to_string)
                        .filter(|l| !l.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some((lang, String::new(), offset));
            }
            Event::End(TagEnd::CodeBlock) => self.end_code(),
            Event::Start(Tag::Paragraph)
            | Event::Start(Tag::TableRow)
            | Event::Start(Tag::TableHead)
                if self.items.is_empty() =>
            {
                self.block = Some((String::new(), offset));
            }
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::TableRow)
            | Event::End(TagEnd::TableHead)
                if self.items.is_empty() =>
            {
                self.end_block();
            }
            Event::End(TagEnd::TableCell) => self.text(" | ", offset),
            Event::Text(t) => self.text(&t, offset),
            Event::Code(t) => {
                let quoted = format!("`{t}`");
                self.text(&quoted, offset)
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = self.items.last_mut() {
                    item.new_line(offset + 1);
                } else {
                    self.text(" ", offset);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => self.text(&t, offset),
            _ => {}
        }
    }

    fn text(&mut self, text: &str, offset: usize) {
        if let Some((_, buf, _)) = &mut self.code {
            buf.push_str(text);
        } else if let Some((_, buf, _)) = &mut self.heading {
            buf.push_str(text);
        } else if let Some(item) = self.items.last_mut() {
            item.push_text(text, offset);
        } else if let Some((buf, _)) = &mut self.block {
            buf.push_str(text);
        }
    }

    fn end_heading(&mut self) {
        let Some((level, title, _)) = self.heading.take() else {
            return;
        };
        let title = title.trim().to_string();
        if level == HeadingLevel::H1 && self.doc.title.is_none() {
            self.doc.title = Some(title.clone());
        }
        // A level-1 heading titles the document (`# tkwant: Pitfalls and Diagnostics`);
        // it does not make everything below it a pitfall.
        let kind = match level {
            HeadingLevel::H1 => self.default_kind,
            _ => classify(&title).unwrap_or(self.default_kind),
        };
        self.section = Section { title, kind };
        self.pending_label = None;
        self.rank = 0;
    }

    fn end_item(&mut self) {
        let Some(item) = self.items.pop() else {
            return;
        };
        if let Some(parent) = self.items.last_mut() {
            parent.children.push(item);
            return;
        }
        let label = item.first_line().strip_suffix(':').map(str::trim);
        let has_body = !item.children.is_empty() || item.lines.len() > 1;
        match label {
            Some(label) if has_body => {
                // `- Pitfalls (HPC-specific):` with nested bullets or indented lines.
                let section = self.label_section(label);
                let mut rank = 0;
                for (line, offset) in item.lines.iter().skip(1) {
                    if !line.trim().is_empty() {
                        rank += 1;
                        self.push(&section, line.trim().to_string(), *offset, Some(rank));
                    }
                }
                for child in &item.children {
                    rank += 1;
                    let offset = child.lines.first().map(|(_, o)| *o).unwrap_or(0);
                    self.push(&section, child.full_text(0), offset, Some(rank));
                }
            }
            Some(label) if classify(label).is_some() => {
                self.pending_label = Some(self.label_section(label));
            }
            _ => {
                let offset = item.lines.first().map(|(_, o)| *o).unwrap_or(0);
                self.rank += 1;
                let section = self.section.clone();
                self.push(&section, item.full_text(0), offset, Some(self.rank));
            }
        }
    }

    fn label_section(&self, label: &str) -> Section {
        Section {
            title: label.to_string(),
            kind: classify(label).unwrap_or(self.section.kind),
        }
    }

    fn end_code(&mut self) {
        let Some((lang, code, offset)) = self.code.take() else {
            return;
        };
        let section = self
            .pending_label
            .clone()
            .unwrap_or_else(|| self.section.clone());
        // Code in a list item is still an example: report it at its own line.
        let mut entry = Entry::new(
            EntryKind::Example,
            &section.title,
            code,
            self.file,
            // The fence line; the code starts one line below.
            self.lines.line(offset),
        );
        entry.lang = lang;
        self.doc.entries.push(entry);
    }

    fn end_block(&mut self) {
        let Some((text, offset)) = self.block.take() else {
            return;
        };
        let text = text.trim().trim_end_matches('|').trim().to_string();
        if text.is_empty() {
            return;
        }
        let section = self.section.clone();
        // Free paragraphs are context, not list items: keep them under their section's
        // title as generic text unless the section is generic for this file anyway.
        let kind = match section.kind {
            EntryKind::Pitfall | EntryKind::Scope | EntryKind::Route => section.kind,
            _ => self.default_kind,
        };
        let mut entry = Entry::new(
            kind,
            &section.title,
            text,
            self.file,
            self.lines.line(offset),
        );
        entry.rank = None;
        self.doc.entries.push(entry);
    }

    fn push(&mut self, section: &Section, text: String, offset: usize, rank: Option<u32>) {
        if text.trim().is_empty() {
            return;
        }
        // Every list item that warns is a pitfall, whatever its heading: a prohibition
        // ("Never pass both `hub=` and `driver=`") under "Notes" or "Workflow" is one.
        let kind = if is_prohibition(&text) {
            EntryKind::Pitfall
        } else {
            section.kind
        };
        let mut entry = Entry::new(
            kind,
            &section.title,
            text,
            self.file,
            self.lines.line(offset),
        );
        entry.rank = rank;
        self.doc.entries.push(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(md: &str) -> Vec<(EntryKind, String, u32)> {
        let lines = LineIndex::new(md, 1);
        read(md, "f.md", &lines, EntryKind::Generic)
            .entries
            .into_iter()
            .map(|e| (e.kind, e.text, e.line))
            .collect()
    }

    #[test]
    fn heading_sections_and_lines() {
        let md = "# T\n\n### Pitfalls\n- `ase.io.read` needs care (`doc/a.rst`).\n- second\n\n### Canonical workflow\n1. one\n2. two\n";
        let got = entries(md);
        assert_eq!(
            got[0],
            (
                EntryKind::Pitfall,
                "`ase.io.read` needs care (`doc/a.rst`).".into(),
                4
            )
        );
        assert_eq!(got[1], (EntryKind::Pitfall, "second".into(), 5));
        assert_eq!(got[2], (EntryKind::Workflow, "one".into(), 8));
        assert_eq!(got[3], (EntryKind::Workflow, "two".into(), 9));
    }

    #[test]
    fn label_bullets_with_nested_items_and_code() {
        let md = "## High-Signal Playbook\n- Route the request:\n  - a -> b\n- Minimal working examples:\n```python\nimport oqupy\n```\n- Pitfalls (HPC-specific):\n  - Thread oversubscription: bad.\n  - `\"multiprocess\"` is slow.\n";
        let got = entries(md);
        assert_eq!(got[0].0, EntryKind::Route);
        assert_eq!(got[1], (EntryKind::Example, "import oqupy\n".into(), 5));
        assert_eq!(
            got[2],
            (
                EntryKind::Pitfall,
                "Thread oversubscription: bad.".into(),
                9
            )
        );
        assert_eq!(got[3].0, EntryKind::Pitfall);
        assert_eq!(got[3].2, 10);
    }

    #[test]
    fn label_bullet_with_indented_plain_lines() {
        let md = "- Pitfalls/fixes:\n  Serial builds are unsupported.\n  Link errors mean `LIB` is wrong.\n- Run:\n  - `openmx x.dat`\n";
        let got = entries(md);
        assert_eq!(
            got[0],
            (
                EntryKind::Pitfall,
                "Serial builds are unsupported.".into(),
                2
            )
        );
        assert_eq!(
            got[1],
            (
                EntryKind::Pitfall,
                "Link errors mean `LIB` is wrong.".into(),
                3
            )
        );
        assert_eq!(got[2], (EntryKind::Generic, "`openmx x.dat`".into(), 5));
    }

    #[test]
    fn unknown_sections_are_kept() {
        let got = entries("## Launch\nSome words.\n- a bullet\n");
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|g| g.0 == EntryKind::Generic));
    }
}
