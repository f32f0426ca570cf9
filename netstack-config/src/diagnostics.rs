//! Diagnostics: located errors and warnings that print as `FILE:LINE:COL: error: message`.

use std::fmt;
use std::sync::Arc;

/// A position in a source file, 1-based, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file as it should be shown to the user (path as given, or `configs/<preset>.toml`).
    pub file: Arc<str>,
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub col: usize,
}

impl Location {
    /// A location at `line`/`col` of `file`.
    pub fn new(file: impl Into<Arc<str>>, line: usize, col: usize) -> Self {
        Self {
            file: file.into(),
            line,
            col,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Maps byte offsets of one source text to line and column numbers.
#[derive(Debug, Clone)]
pub struct SourceMap {
    file: Arc<str>,
    line_starts: Vec<usize>,
    text: Arc<str>,
}

impl SourceMap {
    /// Index `text`, shown to the user as `file`.
    pub fn new(file: impl Into<Arc<str>>, text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            file: file.into(),
            line_starts,
            text: text.into(),
        }
    }

    /// The file name shown in messages.
    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// The location of byte `offset` (clamped to the text).
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Location {
            file: self.file.clone(),
            line,
            col,
        }
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Information: what an sdkconfig import did with a line (an old meaning mapped).
    Note,
    /// Something worth knowing about; the build goes on.
    Warning,
    /// The configuration is invalid; no code is generated.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A secondary location attached to a diagnostic ("note: tcp_mss is set here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where, if the thing noted comes from a file.
    pub location: Option<Location>,
    /// What to note.
    pub message: String,
}

/// One message about a configuration: where, how bad, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is; `None` for problems not tied to a file position.
    pub location: Option<Location>,
    /// One line saying what is wrong and what is allowed.
    pub message: String,
    /// Other locations involved (e.g. the second option of a conflict).
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            location,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            location,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    /// Adds a note.
    pub fn with_note(mut self, location: Option<Location>, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            location,
            message: message.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic as single lines: the main line first, then one line per note.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format_line(
            self.location.as_ref(),
            &self.severity.to_string(),
            &self.message,
        )];
        out.extend(
            self.notes
                .iter()
                .map(|n| format_line(n.location.as_ref(), "note", &n.message)),
        );
        out
    }
}

fn format_line(location: Option<&Location>, label: &str, message: &str) -> String {
    match location {
        Some(loc) => format!("{loc}: {label}: {message}"),
        None => format!("{label}: {message}"),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// True if any of `diagnostics` is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Levenshtein edit distance between two strings (by characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 4);
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c);
    // A truncated name (`quarter` for `quarter_mss`) is a plausible slip too.
    close.or_else(|| {
        (word.len() >= 3).then(|| {
            candidates
                .iter()
                .filter(|c| c.starts_with(word))
                .min_by_key(|c| c.len())
                .copied()
        })?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_map_lines_and_columns() {
        let map = SourceMap::new("a.toml", "x = 1\nyy = 2\n");
        assert_eq!(map.location(0).to_string(), "a.toml:1:1");
        assert_eq!(map.location(6).to_string(), "a.toml:2:1");
        assert_eq!(map.location(11).to_string(), "a.toml:2:6");
    }

    #[test]
    fn diagnostic_format() {
        let d = Diagnostic::error(Some(Location::new("n.toml", 3, 9)), "bad")
            .with_note(None, "because");
        assert_eq!(d.to_string(), "n.toml:3:9: error: bad\nnote: because");
    }

    #[test]
    fn distance_and_suggestion() {
        assert_eq!(edit_distance("tcp_mss", "tcp_msss"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            did_you_mean("tcp_mms", ["tcp_mss", "tcp_msl", "ipv6"]),
            Some("tcp_mss")
        );
        assert_eq!(did_you_mean("zzzzzz", ["tcp_mss"]), None);
    }
}
