//! Positions in user text: 1-based line/column (characters) as compilers print them, and
//! LSP positions in UTF-8 or UTF-16 code units, to and from byte offsets.

/// Which unit a column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    Utf8,
    Utf16,
    Chars,
}

/// Byte offset of a 0-based (line, column) position; `None` when out of range. A column
/// past the end of the line clamps to the line end, as LSP asks. Lines end at `\n`,
/// `\r\n` or a lone `\r`, the three line ends LSP counts.
pub fn offset_of(text: &str, line: u32, column: u32, unit: ColumnUnit) -> Option<usize> {
    let start = line_start(text, line)?;
    let line_text = &text[start..line_end(text, start)];
    let mut counted = 0u32;
    for (i, c) in line_text.char_indices() {
        if counted >= column {
            return Some(start + i);
        }
        counted += match unit {
            ColumnUnit::Utf8 => c.len_utf8() as u32,
            ColumnUnit::Utf16 => c.len_utf16() as u32,
            ColumnUnit::Chars => 1,
        };
    }
    Some(start + line_text.len())
}

/// Byte offsets where each line after the first starts.
fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| match b {
        b'\n' => Some(i + 1),
        b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
        _ => None,
    })
}

/// Where the line starting at `start` ends (before its `\n`, `\r\n` or `\r`).
fn line_end(text: &str, start: usize) -> usize {
    text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i)
}

fn line_start(text: &str, line: u32) -> Option<usize> {
    if line == 0 {
        return Some(0);
    }
    line_breaks(text).nth(line as usize - 1)
}

/// 0-based (line, column) of a byte offset.
pub fn position_of(text: &str, offset: usize, unit: ColumnUnit) -> (u32, u32) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let (mut line, mut line_start) = (0u32, 0usize);
    for start in line_breaks(before) {
        line += 1;
        line_start = start;
    }
    // An offset between `\r` and `\n` sits at the end of the `\r`'s line.
    if before.ends_with('\r') && text[offset..].starts_with('\n') {
        line -= 1;
        line_start = line_breaks(&before[..offset - 1]).last().unwrap_or(0);
    }
    let segment = &text[line_start..offset];
    let segment = segment.strip_suffix('\r').unwrap_or(segment);
    let column = match unit {
        ColumnUnit::Utf8 => segment.len() as u32,
        ColumnUnit::Utf16 => segment.encode_utf16().count() as u32,
        ColumnUnit::Chars => segment.chars().count() as u32,
    };
    (line, column)
}

/// The text of a 0-based line, without its line end.
pub fn line_text(text: &str, line: u32) -> Option<&str> {
    let start = line_start(text, line)?;
    Some(&text[start..line_end(text, start)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_columns() {
        let text = "σ = 1\nE_Å = read('x')\n";
        // `read` starts after "E_Å = ": 6 chars, 7 UTF-8 bytes, 6 UTF-16 units.
        let byte = text.find("read").unwrap();
        assert_eq!(offset_of(text, 1, 6, ColumnUnit::Chars), Some(byte));
        assert_eq!(offset_of(text, 1, 7, ColumnUnit::Utf8), Some(byte));
        assert_eq!(offset_of(text, 1, 6, ColumnUnit::Utf16), Some(byte));
        assert_eq!(position_of(text, byte, ColumnUnit::Utf16), (1, 6));
        assert_eq!(position_of(text, byte, ColumnUnit::Utf8), (1, 7));
        assert_eq!(offset_of(text, 9, 0, ColumnUnit::Utf16), None);
        assert_eq!(
            offset_of(text, 0, 99, ColumnUnit::Utf16),
            Some(text.find('\n').unwrap())
        );
        let emoji = "x = '😀'; read()";
        assert_eq!(offset_of(emoji, 0, 8, ColumnUnit::Utf16), emoji.find(";"));
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let text = "a = 1\rb = read('x')\r\nc = 2\nd";
        let read = text.find("read").unwrap();
        assert_eq!(offset_of(text, 1, 4, ColumnUnit::Utf16), Some(read));
        assert_eq!(position_of(text, read, ColumnUnit::Utf16), (1, 4));
        let c = text.find('c').unwrap();
        assert_eq!(offset_of(text, 2, 0, ColumnUnit::Utf16), Some(c));
        assert_eq!(position_of(text, c, ColumnUnit::Utf16), (2, 0));
        assert_eq!(position_of(text, text.len(), ColumnUnit::Utf16), (3, 1));
        assert_eq!(line_text(text, 1), Some("b = read('x')"));
        assert_eq!(offset_of(text, 0, 99, ColumnUnit::Utf16), Some(5));
    }
}
