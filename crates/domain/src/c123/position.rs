//! Byte offsets turned into the 1-based line and character column that stage-1 messages quote.
//!
//! The walker works with byte offsets (cheap, exact); lines and columns are only needed for the
//! one error that is reported, so they are computed lazily here in a single scan.

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineColumn {
    /// 1-based line number.
    pub(crate) line: usize,
    /// 1-based column, in characters.
    pub(crate) column: usize,
}

/// The line and column of byte `offset` in `text` (clamped to the end of the text).
///
/// Line breaks are counted as XML normalises them: `\r\n`, a lone `\r` and `\n` each end a line.
/// Columns count UTF-8 scalar values; an offset inside a multi-byte character (never produced by
/// the walker) counts that character as passed instead of panicking.
pub(crate) fn line_column(text: &str, offset: usize) -> LineColumn {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut line = 1;
    let mut column = 1;
    let mut previous_cr = false;
    for &b in bytes.iter().take(end) {
        match b {
            b'\n' if previous_cr => {
                // Second half of `\r\n`: the line break was already counted at `\r`.
                previous_cr = false;
            }
            b'\n' => {
                line += 1;
                column = 1;
            }
            b'\r' => {
                line += 1;
                column = 1;
                previous_cr = true;
            }
            _ => {
                previous_cr = false;
                // Continuation bytes belong to the character already counted.
                if b & 0xC0 != 0x80 {
                    column += 1;
                }
            }
        }
    }
    LineColumn { line, column }
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    line_column(text, offset).line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_character_is_line_one_column_one() {
        assert_eq!(line_column("abc", 0), LineColumn { line: 1, column: 1 });
        assert_eq!(line_column("", 0), LineColumn { line: 1, column: 1 });
    }

    #[test]
    fn columns_count_characters() {
        // `Ž` and `č` are two bytes each.
        let text = "Žač<";
        assert_eq!(line_column(text, 5), LineColumn { line: 1, column: 4 });
        assert_eq!(
            line_column(text, text.len()),
            LineColumn { line: 1, column: 5 }
        );
        assert_eq!(line_column(text, 2), LineColumn { line: 1, column: 2 });
    }

    #[test]
    fn every_line_break_style_counts_once() {
        let text = "a\nb\r\nc\rd";
        assert_eq!(line_column(text, 2), LineColumn { line: 2, column: 1 });
        assert_eq!(line_column(text, 5), LineColumn { line: 3, column: 1 });
        assert_eq!(line_column(text, 7), LineColumn { line: 4, column: 1 });
        assert_eq!(line_of(text, 100), 4);
    }

    #[test]
    fn offsets_inside_a_character_do_not_panic() {
        assert_eq!(line_column("Ž", 1), LineColumn { line: 1, column: 2 });
    }
}
