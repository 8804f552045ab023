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
/// past the end of the line clamps to the line end, as LSP asks.
pub fn offset_of(text: &str, line: u32, column: u32, unit: ColumnUnit) -> Option<usize> {
    let start = line_start(text, line)?;
    let line_text = text[start..].split('\n').next().unwrap_or("");
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
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

fn line_start(text: &str, line: u32) -> Option<usize> {
    if line == 0 {
        return Some(0);
    }
    text.match_indices('\n')
        .nth(line as usize - 1)
        .map(|(i, _)| i + 1)
}

/// 0-based (line, column) of a byte offset.
pub fn position_of(text: &str, offset: usize, unit: ColumnUnit) -> (u32, u32) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let segment = &text[line_start..offset];
    let column = match unit {
        ColumnUnit::Utf8 => segment.len() as u32,
        ColumnUnit::Utf16 => segment.encode_utf16().count() as u32,
        ColumnUnit::Chars => segment.chars().count() as u32,
    };
    (line, column)
}

/// The 0-based line of a byte offset, and that line's text.
pub fn line_text(text: &str, line: u32) -> Option<&str> {
    let start = line_start(text, line)?;
    text[start..].split('\n').next()
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
}
