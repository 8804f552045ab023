//! A tolerant line reader for the input files of simulation codes. One pass over the
//! lines finds settings (a keyword, and the first word of its value) and the groups that
//! own them, in every family the reader knows, and in formats it has never seen:
//!
//! | family | example | settings, groups |
//! | --- | --- | --- |
//! | Fortran namelists (WRF, SeisSol, FMS) | `&time_control` `run_hours = 12,` `/` | `key = value` in `&group … /` |
//! | HSD (DFTB+) | `Hamiltonian = DFTB {` `SCC = Yes` `}` | nested `{ }` blocks; a block's type is its value |
//! | OpenMX-style | `scf.XcType  GGA-PBE` `<Atoms.Unit.Vectors … Atoms.Unit.Vectors>` | `key value`; `<Block` holds data |
//! | xcontrol (xtb) | `$scc` `temp=300` `$end` | `$group [value]` until the next `$` |
//! | gprMax | `#time_window: 3e-9` | `#command: args` |
//! | CalculiX / Abaqus | `*STEP, NLGEOM` `*STATIC` | `*CARD, param=value` and its data lines |
//! | MOM_input-style | `DT = 3600. ! [s]` `KPP%` … `%KPP` | `KEY = value`; `NAME%` blocks |
//! | generic | `key value`, `key = value`, `key: value`, `name … end` | comments `#`, `!`, `;`, `**` |
//!
//! A user is mid-edit: unbalanced braces, a namelist with no `/`, a block never closed
//! are read as far as they go; no input makes the reader fail.

/// One setting: a keyword as written, its byte range, the group that owns it and the
/// first word of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// Index into [`Read::groups`]; 0 is the file itself.
    pub group: usize,
    pub value: Option<Word>,
    /// Byte offset of the end of the setting's line.
    pub line_end: usize,
}

/// A word of a value: its text (quotes and trailing commas removed) and byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A group of settings: a namelist group, a block, a section, a card.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Lowercased path from the file down (`hamiltonian/dftb`), empty for the file.
    pub path: String,
}

#[derive(Debug, Default)]
pub struct Read {
    pub settings: Vec<Setting>,
    pub groups: Vec<Group>,
    /// What starts a comment line in this file's format: `!` for namelists and
    /// `MOM_input`, `**` for card decks, nothing for `#command:` files (whose other lines
    /// are comments), else `#`.
    pub comment: &'static str,
}

/// How a group was opened, which says what closes it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Opened {
    /// `&name`: closed by `/` or `&end`.
    Namelist,
    /// `Name {`: closed by `}`.
    Brace,
    /// `<Name`: closed by `Name>`; its lines are data.
    Section,
    /// `$name`: closed by the next `$` line.
    Dollar,
    /// `*CARD`: closed by the next card; its lines are data.
    Card,
    /// `NAME%`: closed by `%NAME`.
    Percent,
    /// A name alone on its line, closed by `end`.
    Word,
}

struct Reader<'a> {
    src: &'a str,
    read: Read,
    /// Open groups: (index into `read.groups`, how it was opened).
    open: Vec<(usize, Opened)>,
    /// `end` lines not yet matched by a name opening a block before them.
    ends_left: usize,
    /// Which families were seen, for the file's comment syntax.
    namelists: bool,
    cards: bool,
    commands: bool,
}

/// Reads the settings and groups of `src`.
pub fn read(src: &str) -> Read {
    let ends_left = src.lines().filter(|l| is_end(l.trim())).count();
    let mut reader = Reader {
        src,
        read: Read {
            settings: Vec::new(),
            groups: vec![Group {
                path: String::new(),
            }],
            comment: "#",
        },
        open: Vec::new(),
        ends_left,
        namelists: false,
        cards: false,
        commands: false,
    };
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let line_end = offset + line.trim_end_matches(['\n', '\r']).len();
        reader.line(offset, line_end);
        offset += line.len();
    }
    let bang = src.lines().any(|l| l.trim_start().starts_with('!'));
    reader.read.comment = if reader.namelists || bang {
        "!"
    } else if reader.cards {
        "**"
    } else if reader.commands {
        ""
    } else {
        "#"
    };
    reader.read
}

/// Whether `name` reads as a keyword: a letter first, then letters, digits and `_ . - %`.
pub fn is_keyword(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '%' | '+'))
}

/// Lines of a skill's example block that must read as settings for the block to be
/// taken as an input file (not shell commands or prose).
const MIN_INPUT_SHARE: f32 = 0.6;

/// Whether a skill's example block reads as an input file: at least two lines, and most
/// of them, are settings, groups or sections in one of the families; a `key value` line
/// counts only when its key is shaped like one (`scf.XcType`, `DATA.PATH`, `max_iter`),
/// not like a command (`cd work`, `make install`).
pub fn looks_like_input(text: &str) -> bool {
    let mut lines = 0usize;
    let mut settings = 0usize;
    for line in text.lines() {
        let code = strip_comment(line).trim();
        if code.is_empty() {
            continue;
        }
        lines += 1;
        let (first, rest) = split_word(code);
        let sigil = code.starts_with(['&', '$', '<', '}', '/'])
            || (code.starts_with('*') && !code.starts_with("**"))
            || (code.starts_with('#') && code.contains(':'))
            || code.ends_with(['>', '{', '%']);
        let assignment = code.split_once('=').is_some_and(|(k, v)| {
            let written = k.trim();
            let key = written.split(['(', '[']).next().unwrap_or("").trim_end();
            is_keyword(key) && !key.contains('-') && !v.starts_with('=')
        });
        let shaped = is_keyword(first)
            && !rest.is_empty()
            && !rest.starts_with('-')
            && first.contains(|c: char| c == '.' || c == '_' || c.is_ascii_uppercase());
        if sigil || assignment || shaped {
            settings += 1;
        }
    }
    settings >= 2 && settings as f32 >= MIN_INPUT_SHARE * lines as f32
}

/// The key a keyword is compared by: lowercased, as the formats compare them.
pub fn normalise(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Reader<'_> {
    fn group(&self) -> usize {
        self.open.last().map_or(0, |(g, _)| *g)
    }

    fn in_data(&self) -> bool {
        matches!(self.open.last(), Some((_, Opened::Section | Opened::Card)))
    }

    fn push(&mut self, name: &str, opened: Opened) {
        self.push_path(&normalise(name), opened);
    }

    /// Opens a group `path` (relative: `hamiltonian/dftb`) inside the current one.
    fn push_path(&mut self, path: &str, opened: Opened) {
        let parent = &self.read.groups[self.group()].path;
        let path = if parent.is_empty() {
            path.to_string()
        } else {
            format!("{parent}/{path}")
        };
        self.read.groups.push(Group { path });
        self.open.push((self.read.groups.len() - 1, opened));
    }

    /// Closes the innermost group opened as `opened` and those inside it.
    fn close(&mut self, opened: Opened) {
        if let Some(i) = self.open.iter().rposition(|(_, o)| *o == opened) {
            self.open.truncate(i);
        }
    }

    fn setting(&mut self, name: &str, start: usize, value: Option<Word>, line_end: usize) {
        self.read.settings.push(Setting {
            name: name.to_string(),
            start,
            end: start + name.len(),
            group: self.group(),
            value,
            line_end,
        });
    }

    fn line(&mut self, start: usize, end: usize) {
        let raw = &self.src[start..end];
        let code = strip_comment(raw);
        let indent = code.len() - code.trim_start().len();
        let text = code.trim();
        if text.is_empty() {
            return;
        }
        let at = start + indent;
        let first = text.as_bytes()[0];
        match first {
            b'&' => return self.namelist_open(text, at, end),
            b'/' if text == "/" => return self.close(Opened::Namelist),
            b'$' => return self.dollar(text, at, end),
            b'<' => {
                let name = &text[1..];
                if is_keyword(name) {
                    self.setting(name, at + 1, None, end);
                    self.push(name, Opened::Section);
                }
                return;
            }
            b'*' => return self.card(text, at, end),
            b'#' => return self.command(text, at, end),
            b'%' if is_keyword(&text[1..]) => return self.close(Opened::Percent),
            _ => {}
        }
        if let Some(name) = text.strip_suffix('>') {
            if is_keyword(name) {
                return self.close(Opened::Section);
            }
        }
        if let Some(name) = text.strip_suffix('%') {
            if is_keyword(name) {
                self.setting(name, at, None, end);
                return self.push(name, Opened::Percent);
            }
        }
        if self.in_data() {
            return;
        }
        if is_end(text) {
            return self.close(Opened::Word);
        }
        self.statements(text, at, end);
    }

    /// `&name` opens a namelist group (`&end` closes it); settings may follow on the line.
    fn namelist_open(&mut self, text: &str, at: usize, end: usize) {
        let (name, rest) = split_word(&text[1..]);
        if name.eq_ignore_ascii_case("end") {
            return self.close(Opened::Namelist);
        }
        if !is_keyword(name) {
            return;
        }
        self.close(Opened::Namelist);
        self.namelists = true;
        self.setting(name, at + 1, None, end);
        self.push(name, Opened::Namelist);
        let rest_at = at + text.len() - rest.len();
        let rest = rest.trim_end_matches('/').trim_end();
        if !rest.is_empty() {
            self.assignments(rest, rest_at, end);
        }
        if text.ends_with('/') {
            self.close(Opened::Namelist);
        }
    }

    /// `$group [value]` (xcontrol): a group until the next `$` line; `$end` closes.
    fn dollar(&mut self, text: &str, at: usize, end: usize) {
        self.close(Opened::Dollar);
        let (name, rest) = split_word(&text[1..]);
        if name.eq_ignore_ascii_case("end") || !is_keyword(name) {
            return;
        }
        let value = first_word(rest, at + text.len() - rest.len());
        self.setting(name, at + 1, value, end);
        self.push(name, Opened::Dollar);
    }

    /// `*CARD, param=value, flag` (CalculiX, Abaqus); `**` lines are comments.
    fn card(&mut self, text: &str, at: usize, end: usize) {
        self.close(Opened::Card);
        let body = &text[1..];
        let (name, params) = body.split_once(',').unwrap_or((body, ""));
        let name = name.trim_end();
        if !name.split(' ').all(is_keyword) || name.is_empty() {
            return;
        }
        self.cards = true;
        self.setting(name, at + 1, None, end);
        self.push(name, Opened::Card);
        let mut offset = at + 1 + body.len() - params.len();
        for param in params.split(',') {
            let lead = param.len() - param.trim_start().len();
            let param_at = offset + lead;
            offset += param.len() + 1;
            let param = param.trim();
            let (key, value) = match param.split_once('=') {
                Some((k, v)) => (k.trim_end(), Some(v)),
                None => (param, None),
            };
            if is_keyword(key) {
                let value = value.and_then(|v| {
                    let v_at = param_at + param.len() - v.len();
                    first_word(v, v_at)
                });
                self.setting(key, param_at, value, end);
            }
        }
    }

    /// `#command: args` (gprMax); other `#` lines were comments, stripped before.
    fn command(&mut self, text: &str, at: usize, end: usize) {
        let Some((name, args)) = text[1..].split_once(':') else {
            return;
        };
        if !is_keyword(name) {
            return;
        }
        let value = first_word(args, at + text.len() - args.len());
        self.commands = true;
        self.setting(name, at + 1, value, end);
    }

    /// A line of settings and braces: `Name = Type {`, `key = value`, `}`, `a = 1, b = 2`,
    /// `key: value`, `key value`, a name alone.
    fn statements(&mut self, text: &str, at: usize, end: usize) {
        let mut piece_start = 0;
        for (i, c) in text.char_indices() {
            if c == '{' || c == '}' {
                let piece = &text[piece_start..i];
                if c == '{' {
                    self.block_header(piece, at + piece_start, end);
                } else {
                    self.piece(piece, at + piece_start, end);
                    self.close(Opened::Brace);
                }
                piece_start = i + 1;
            }
        }
        let rest = &text[piece_start..];
        if !rest.trim().is_empty() {
            self.piece(rest, at + piece_start, end);
        }
    }

    /// `Name = Type` or `Name` before `{`: a setting (its value the type) and a group.
    fn block_header(&mut self, piece: &str, at: usize, end: usize) {
        let (name_at, name, value) = match split_assignment(piece, at) {
            Some((name_at, name, value)) => (name_at, name, value),
            None => {
                let lead = piece.len() - piece.trim_start().len();
                (at + lead, piece.trim(), None)
            }
        };
        let name = name.split_whitespace().next().unwrap_or("");
        if !is_keyword(name) {
            // `{` of a value (`MaxAngularMomentum = {`) keeps braces balanced.
            self.open.push((self.group(), Opened::Brace));
            return;
        }
        // The block's type is part of its path (`hamiltonian/dftb`).
        let path = match value.as_ref().filter(|v| is_keyword(&v.text)) {
            Some(kind) => format!("{}/{}", normalise(name), normalise(&kind.text)),
            None => normalise(name),
        };
        self.setting(name, name_at, value, end);
        self.push_path(&path, Opened::Brace);
    }

    fn piece(&mut self, piece: &str, at: usize, end: usize) {
        if piece.contains('=') {
            return self.assignments(piece, at, end);
        }
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        let at = at + lead;
        if let Some((name, value)) = trimmed.split_once(':') {
            if is_keyword(name.trim_end()) && !value.starts_with(['/', '\\']) {
                let v_at = at + trimmed.len() - value.len();
                self.setting(name.trim_end(), at, first_word(value, v_at), end);
                return;
            }
        }
        let (name, rest) = split_word(trimmed);
        if !is_keyword(name) {
            return;
        }
        let value = first_word(rest, at + trimmed.len() - rest.len());
        self.setting(name, at, value.clone(), end);
        if value.is_none() && self.ends_left > 0 {
            // `name … end`: a name alone opens a block when an `end` is still to come.
            self.ends_left -= 1;
            self.push(name, Opened::Word);
        }
    }

    /// `key = value` pieces, several on a line in namelists (`a = 1, b = 2,`).
    fn assignments(&mut self, text: &str, at: usize, end: usize) {
        let mut rest = text;
        let mut rest_at = at;
        while let Some((name_at, name, value)) = split_assignment(rest, rest_at) {
            // Keys as namelists and HSD write them: `key(1)`, `Key [unit]`.
            let key = name
                .split(['(', '[', ' ', '\t'])
                .next()
                .unwrap_or(name)
                .trim();
            if is_keyword(key) {
                self.setting(key, name_at, value.clone(), end);
            }
            // The next `key =` after a comma on the same line.
            let eq = rest.find('=').map_or(rest.len(), |i| i + 1);
            let after = &rest[eq..];
            let Some(next) = next_assignment(after) else {
                break;
            };
            rest_at += eq + next;
            rest = &after[next..];
        }
    }
}

/// `end` or `end name` (any case), which closes a `name … end` block.
fn is_end(line: &str) -> bool {
    let head = line.get(..3).is_some_and(|h| h.eq_ignore_ascii_case("end"));
    head && (line.len() == 3 || (line.as_bytes()[3] == b' ' && !line.contains('=')))
}

/// `name = value`: the name's start, the name, the value's first word.
fn split_assignment(text: &str, at: usize) -> Option<(usize, &str, Option<Word>)> {
    let (name, value) = text.split_once('=')?;
    let lead = name.len() - name.trim_start().len();
    let name = name.trim();
    if name.is_empty() || value.starts_with('=') {
        return None;
    }
    let value_at = at + text.len() - value.len();
    Some((at + lead, name, first_word(value, value_at)))
}

/// Where the next `key =` starts after a comma (namelists put several on a line).
fn next_assignment(text: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(comma) = text[search..].find(',') {
        let after = search + comma + 1;
        let rest = &text[after..];
        let lead = rest.len() - rest.trim_start().len();
        let word_end = lead
            + rest[lead..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '(' | ')' | '%')))
                .unwrap_or(rest.len() - lead);
        let word = rest[lead..word_end].split('(').next().unwrap_or("");
        if is_keyword(word) && rest[word_end..].trim_start().starts_with('=') {
            return Some(after + lead);
        }
        search = after;
    }
    None
}

/// The first word of a value: quotes, trailing commas and a closing `/` removed.
fn first_word(text: &str, at: usize) -> Option<Word> {
    let lead = text.len() - text.trim_start().len();
    let rest = &text[lead..];
    let (start, word) = if let Some(quoted) = rest.strip_prefix(['"', '\'']) {
        let close = quoted.find(['"', '\'']).unwrap_or(quoted.len());
        (1, &quoted[..close])
    } else {
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}' | ';'))
            .unwrap_or(rest.len());
        (0, rest[..end].trim_end_matches('/'))
    };
    (!word.is_empty()).then(|| Word {
        text: word.to_string(),
        start: at + lead + start,
        end: at + lead + start + word.len(),
    })
}

/// `name rest`: the first whitespace-separated word and what follows it.
fn split_word(text: &str) -> (&str, &str) {
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    }
}

/// The line without its comment: `!` and `;` anywhere outside quotes, `#` unless it
/// starts a `#command:` line, `**` at the start (CalculiX). Same length before the cut,
/// so offsets hold.
fn strip_comment(line: &str) -> &str {
    // Most lines carry no comment or quote at all.
    if !line
        .bytes()
        .any(|b| matches!(b, b'!' | b';' | b'#' | b'"' | b'\'' | b'*' | b'/'))
    {
        return line;
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with("**") || trimmed.starts_with("//") {
        return "";
    }
    let command = trimmed
        .strip_prefix('#')
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(name, _)| is_keyword(name));
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '!' | ';') => return &line[..i],
            (None, '#') if !(command && i == line.len() - trimmed.len()) => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests;
