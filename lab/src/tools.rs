//! The list of what the tests run (`lab/tools.txt`): each command and Python module with the
//! Debian package that provides it.
//!
//! The same file drives `scripts/setup.sh` (which installs the packages) and the lab's
//! preflight (which names the package to install when something is missing), so a tool is
//! added in one place.

/// The text of `lab/tools.txt`, compiled in.
const LIST: &str = include_str!("../tools.txt");

/// What an entry of the list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// A program the tests start (looked up on `PATH`).
    Command,
    /// A module that the tests' Python scripts import (checked with Debian's `python3`).
    Python,
}

/// One entry of `lab/tools.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// Command or Python module.
    pub kind: ToolKind,
    /// The command's or module's name.
    pub name: &'static str,
    /// The Debian package that provides it.
    pub package: &'static str,
}

/// Every entry of `lab/tools.txt`, in file order.
///
/// # Panics
/// On a malformed line; `tests::the_list_parses` keeps the file well-formed.
pub fn tools() -> Vec<Tool> {
    LIST.lines()
        .enumerate()
        .filter_map(|(index, line)| parse_line(line).map_err(|e| (index + 1, e)).transpose())
        .map(|entry| entry.unwrap_or_else(|(line, err)| panic!("lab/tools.txt:{line}: {err}")))
        .collect()
}

/// The entries of one kind.
pub fn tools_of(kind: ToolKind) -> impl Iterator<Item = Tool> {
    tools().into_iter().filter(move |t| t.kind == kind)
}

/// The package that provides command or module `name`, if the list has it.
pub fn package_of(kind: ToolKind, name: &str) -> Option<&'static str> {
    tools_of(kind).find(|t| t.name == name).map(|t| t.package)
}

/// Parses one line: `Ok(None)` for a blank line or comment.
fn parse_line(line: &'static str) -> Result<Option<Tool>, String> {
    let line = line.split('#').next().unwrap_or_default().trim();
    if line.is_empty() {
        return Ok(None);
    }
    let words: Vec<&'static str> = line.split_whitespace().collect();
    let [kind, name, package] = words[..] else {
        return Err(format!("expected `kind name package`, found `{line}`"));
    };
    let kind = match kind {
        "command" => ToolKind::Command,
        "python" => ToolKind::Python,
        other => return Err(format!("unknown kind `{other}` (command or python)")),
    };
    Ok(Some(Tool {
        kind,
        name,
        package,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_parses_and_names_each_tool_once() {
        let all = tools();
        assert!(all.len() > 10, "{all:?}");
        for (i, tool) in all.iter().enumerate() {
            assert!(
                !all[..i]
                    .iter()
                    .any(|t| t.kind == tool.kind && t.name == tool.name),
                "{} listed twice",
                tool.name
            );
        }
        assert_eq!(package_of(ToolKind::Command, "tshark"), Some("tshark"));
        assert_eq!(package_of(ToolKind::Python, "scapy"), Some("python3-scapy"));
        assert_eq!(package_of(ToolKind::Command, "nft"), None);
    }

    #[test]
    fn malformed_lines_are_refused_with_the_reason() {
        assert_eq!(parse_line("  # comment"), Ok(None));
        assert_eq!(parse_line(""), Ok(None));
        assert!(
            parse_line("command ip")
                .unwrap_err()
                .contains("kind name package")
        );
        assert!(
            parse_line("binary ip iproute2")
                .unwrap_err()
                .contains("unknown kind")
        );
    }
}
