//! Keeps `lab/tools.txt` equal to what the tests really run.
//!
//! Reads the Rust sources of every test, the lab and the programs the tests start, finds the
//! commands they run (argument vectors given to the lab or to `std::process::Command`, shell
//! scripts given to `sh -c`, socat's `EXEC:`/`SYSTEM:` addresses) and the Python modules their
//! scripts import, and fails when one is missing from the list (a fresh machine would not
//! have it) or when the list names something no source uses any more.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use netstack_lab::{ToolKind, tools_of};

/// The folders whose `.rs` files run tools, relative to the workspace root.
const SOURCES: &[&str] = &[
    "lab/src",
    "lab/tests",
    "netstack/src",
    "netstack/tests",
    "hooks/tests",
    "examples/src",
    "examples/tests",
    "examples/hooks-product/tests",
    "bench/src",
];

/// Calls whose argument is an argument vector starting with the program to run.
const ARGV_CALLS: &[&str] = &["exec", "exec_ok", "try_exec", "spawn", "must", "run_ok"];

/// Shell words that are not programs.
const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case",
    "esac", "exec", "!", "{", "}", "time",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Punct(char),
}

/// Splits Rust source into string literals, identifiers and punctuation; comments, numbers
/// and character literals are dropped.
fn lex(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && raw_start(&chars, i) {
            let (text, end) = raw_string(&chars, i + 1);
            toks.push(Tok::Str(text));
            i = end;
        } else if c == 'b' && next == Some('"') {
            let (text, end) = string(&chars, i + 1);
            toks.push(Tok::Str(text));
            i = end;
        } else if c == '"' {
            let (text, end) = string(&chars, i);
            toks.push(Tok::Str(text));
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\'') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            if !c.is_whitespace() {
                toks.push(Tok::Punct(c));
            }
            i += 1;
        }
    }
    toks
}

/// Whether `r` at `i` starts a raw string (`r"`, `r#"`), not an identifier.
fn raw_start(chars: &[char], i: usize) -> bool {
    let before_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    !before_is_ident && chars.get(j) == Some(&'"')
}

/// A raw string starting at the `#`s or quote at `i`: its text and the index after it.
fn raw_string(chars: &[char], mut i: usize) -> (String, usize) {
    let mut hashes = 0;
    while chars[i] == '#' {
        hashes += 1;
        i += 1;
    }
    i += 1;
    let start = i;
    loop {
        if i >= chars.len() {
            return (chars[start..].iter().collect(), i);
        }
        if chars[i] == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
            return (chars[start..i].iter().collect(), i + 1 + hashes);
        }
        i += 1;
    }
}

/// A string literal starting at the quote at `i`: its text (escapes resolved, line
/// continuations joined) and the index after it.
fn string(chars: &[char], mut i: usize) -> (String, usize) {
    let mut text = String::new();
    i += 1;
    while i < chars.len() && chars[i] != '"' {
        if chars[i] == '\\' {
            match chars.get(i + 1) {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('\n') => {
                    i += 2;
                    while i < chars.len() && chars[i].is_whitespace() {
                        i += 1;
                    }
                    continue;
                }
                Some(&other) => text.push(other),
                None => {}
            }
            i += 2;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    (text, i + 1)
}

/// The elements of the bracketed list opening at `toks[open]`, each as its tokens, and the
/// index after the closing bracket.
fn elements(toks: &[Tok], open: usize) -> (Vec<&[Tok]>, usize) {
    let mut depth = 0;
    let mut start = open + 1;
    let mut out = Vec::new();
    for (i, tok) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Punct('[' | '(' | '{') => depth += 1,
            Tok::Punct(']' | ')' | '}') => {
                depth -= 1;
                if depth == 0 {
                    if start < i {
                        out.push(&toks[start..i]);
                    }
                    return (out, i + 1);
                }
            }
            Tok::Punct(',') if depth == 1 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    (out, toks.len())
}

/// The first string literal of `toks`.
fn first_str(toks: &[Tok]) -> Option<&str> {
    toks.iter().find_map(|t| match t {
        Tok::Str(s) => Some(s.as_str()),
        _ => None,
    })
}

/// The element as a plain string literal (`"x"`), if it is one.
fn literal(toks: &[Tok]) -> Option<&str> {
    match toks {
        [Tok::Str(s)] => Some(s),
        _ => None,
    }
}

/// The program that an argument vector runs: its first element, or the one after
/// `netns exec NS` (`ip netns exec NS prog …`).
fn programs_of_argv(argv: &[&[Tok]]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(first) = argv.first().and_then(|e| literal(e)) {
        out.push(first.to_owned());
    }
    for (i, window) in argv.windows(2).enumerate() {
        if literal(window[0]) == Some("netns")
            && literal(window[1]) == Some("exec")
            && let Some(prog) = argv.get(i + 3).and_then(|e| literal(e))
        {
            out.push(prog.to_owned());
        }
    }
    out
}

/// The programs a shell script runs: the first word of each simple command.
fn programs_of_shell(script: &str) -> Vec<String> {
    let mut text = script.to_owned();
    for sep in ["&&", "||", "$(", "|", ";", "(", ")", "`", "&", "\n"] {
        text = text.replace(sep, "\n");
    }
    let mut out = Vec::new();
    for command in text.lines() {
        let word = command
            .split_whitespace()
            .find(|w| !w.contains('=') && !SHELL_KEYWORDS.contains(w));
        if let Some(word) = word
            && !word.starts_with('{')
            && !word.starts_with('<')
            && !word.starts_with('>')
            && !word.starts_with('-')
            && !word.starts_with('$')
        {
            out.push(word.rsplit('/').next().unwrap_or(word).to_owned());
        }
    }
    out
}

/// The Python modules a script imports (`import a, b` and `from a.b import c`).
fn python_imports(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("import ") {
            out.extend(
                rest.split(',')
                    .map(|m| top_module(m.trim()))
                    .filter(|m| is_module(m)),
            );
        } else if let Some(rest) = line.strip_prefix("from ")
            && let Some((module, _)) = rest.split_once(" import ")
        {
            let module = top_module(module.trim());
            if is_module(&module) {
                out.push(module);
            }
        }
    }
    out
}

/// Whether `name` can be a module's name (not a format placeholder such as `{}`).
fn is_module(name: &str) -> bool {
    name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.is_empty()
}

fn top_module(name: &str) -> String {
    let name = name.split_whitespace().next().unwrap_or(name);
    name.split('.').next().unwrap_or(name).to_owned()
}

/// Everything one source file runs: programs and Python modules.
#[derive(Default, Debug)]
struct Uses {
    programs: BTreeSet<String>,
    modules: BTreeSet<String>,
}

/// The string a `-c` argument stands for: a literal, `&format!("…")`, a call of a function
/// of the file (its first literal) or a name bound in the file (`let`/`const`).
fn script_text(element: &[Tok], toks: &[Tok]) -> Vec<String> {
    if let Some(text) = first_str(element) {
        return vec![text.to_owned()];
    }
    let Some(name) = element.iter().find_map(|t| match t {
        Tok::Ident(name) if name != "format" => Some(name.clone()),
        _ => None,
    }) else {
        return Vec::new();
    };
    let defined_by = |i: usize, keywords: &[&str]| {
        i > 0
            && toks[i] == Tok::Ident(name.clone())
            && matches!(&toks[i - 1], Tok::Ident(k) if keywords.contains(&k.as_str()))
    };
    let text_after = |i: usize| first_str(&toks[i..(i + 40).min(toks.len())]).map(str::to_owned);
    // A `let` binding: the nearest one before the use (the element is a slice of `toks`),
    // within the same function.
    let use_at = element.as_ptr() as usize - toks.as_ptr() as usize;
    let use_at = use_at / size_of::<Tok>();
    for i in (0..use_at).rev() {
        if toks[i] == Tok::Ident("fn".into()) {
            break;
        }
        if defined_by(i, &["let"]) {
            return text_after(i).into_iter().collect();
        }
    }
    // A constant or a function of the file.
    (0..toks.len())
        .filter(|&i| defined_by(i, &["const", "static", "fn"]))
        .filter_map(text_after)
        .collect()
}

/// The functions of a file that run their parameter with `sh -c` (e.g. `fn sh(lab, script)`):
/// their callers pass shell scripts.
fn shell_wrappers(toks: &[Tok]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for i in 0..toks.len().saturating_sub(1) {
        if let (Tok::Ident(kw), Tok::Ident(name)) = (&toks[i], &toks[i + 1])
            && kw == "fn"
        {
            let Some(body) = toks[i..].iter().position(|t| *t == Tok::Punct('{')) else {
                continue;
            };
            let (params, _) = elements(toks, i + 2);
            let params: Vec<&Tok> = params.iter().filter_map(|p| p.first()).collect();
            let (_, end) = elements(toks, i + body);
            let body = &toks[i + body..end];
            let runs_param = body.windows(4).any(|w| {
                w[0] == Tok::Str("sh".into())
                    && w[2] == Tok::Str("-c".into())
                    && w[3] == Tok::Punct(',')
            }) && body.windows(3).any(|w| {
                w[0] == Tok::Str("-c".into()) && w[1] == Tok::Punct(',') && params.contains(&&w[2])
            });
            if runs_param {
                out.insert(name.clone());
            }
        }
    }
    out
}

fn uses_of(src: &str) -> Uses {
    let toks = lex(src);
    let mut uses = Uses::default();
    let wrappers = shell_wrappers(&toks);
    let mut scripts: Vec<String> = Vec::new();
    for i in 0..toks.len() {
        match &toks[i] {
            Tok::Str(text) => {
                uses.modules.extend(python_imports(text));
                for prefix in ["EXEC:", "SYSTEM:"] {
                    if let Some(script) = text.strip_prefix(prefix) {
                        scripts.push(script.to_owned());
                    }
                }
            }
            Tok::Ident(name) if name == "new" && i >= 3 => {
                let is_command = toks[i - 3] == Tok::Ident("Command".into())
                    && toks.get(i + 1) == Some(&Tok::Punct('('));
                if is_command && let Some(Tok::Str(prog)) = toks.get(i + 2) {
                    uses.programs.insert(prog.clone());
                }
            }
            Tok::Ident(name)
                if (ARGV_CALLS.contains(&name.as_str())
                    || name == "args"
                    || name == "require_tools")
                    && toks.get(i + 1) == Some(&Tok::Punct('(')) =>
            {
                let mut open = i + 2;
                while toks.get(open) == Some(&Tok::Punct('&')) {
                    open += 1;
                }
                if toks.get(open) != Some(&Tok::Punct('[')) {
                    continue;
                }
                let (argv, _) = elements(&toks, open);
                if name == "require_tools" {
                    uses.programs
                        .extend(argv.iter().filter_map(|e| literal(e)).map(str::to_owned));
                    continue;
                }
                let mut programs = programs_of_argv(&argv);
                if name == "args" {
                    // A Command's arguments: only `netns exec NS prog` names a program.
                    programs.retain(|p| Some(p.as_str()) != argv.first().and_then(|e| literal(e)));
                }
                uses.programs.extend(programs);
                for (k, element) in argv.iter().enumerate() {
                    let after_python = argv[..k]
                        .iter()
                        .any(|e| literal(e).is_some_and(|p| p.ends_with("python3")));
                    if literal(element) == Some("-m")
                        && after_python
                        && let Some(module) = argv.get(k + 1).and_then(|e| literal(e))
                    {
                        uses.modules.insert(top_module(module));
                    }
                    if literal(element) == Some("-c")
                        && k > 0
                        && argv[..k].iter().any(|e| literal(e) == Some("sh"))
                        && let Some(script) = argv.get(k + 1)
                    {
                        scripts.extend(script_text(script, &toks));
                    }
                }
            }
            Tok::Ident(name)
                if wrappers.contains(name)
                    && toks.get(i + 1) == Some(&Tok::Punct('('))
                    && !matches!(toks.get(i.wrapping_sub(1)), Some(Tok::Ident(k)) if k == "fn") =>
            {
                let (args, _) = elements(&toks, i + 1);
                if let Some(text) = args.iter().find_map(|a| first_str(a)) {
                    scripts.push(text.to_owned());
                }
            }
            _ => {}
        }
    }
    for script in scripts {
        uses.programs.extend(programs_of_shell(&script));
    }
    uses.programs = uses
        .programs
        .into_iter()
        .map(|p| p.rsplit('/').next().unwrap_or(&p).to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    uses
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// What every source uses, with the files that use it.
fn scan() -> (BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<String>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let this_file = Path::new(file!()).file_name().expect("a file name");
    let mut files = Vec::new();
    for dir in SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} sources", files.len());
    let (mut programs, mut modules) = (BTreeMap::new(), BTreeMap::new());
    for file in files {
        if file.file_name() == Some(this_file) {
            continue;
        }
        let src = fs::read_to_string(&file).expect("read a source file");
        let uses = uses_of(&src);
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for p in uses.programs {
            programs
                .entry(p)
                .or_insert_with(Vec::new)
                .push(name.clone());
        }
        for m in uses.modules {
            modules.entry(m).or_insert_with(Vec::new).push(name.clone());
        }
    }
    (programs, modules)
}

/// Programs the sources name that are not tools: the binaries of this workspace and the
/// ones the tests build (`CARGO_BIN_EXE_*`, resolved at run time).
fn is_own_binary(program: &str) -> bool {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join("examples/src/bin")
        .join(format!("{program}.rs"))
        .exists()
        || ["cargo", "netstack-config"].contains(&program)
}

#[test]
fn every_command_the_tests_run_is_in_the_tools_list() {
    let (programs, _) = scan();
    let listed: BTreeSet<&str> = tools_of(ToolKind::Command).map(|t| t.name).collect();
    let unlisted: Vec<String> = programs
        .iter()
        .filter(|(p, _)| !listed.contains(p.as_str()) && !is_own_binary(p))
        .map(|(p, files)| format!("{p} (run in {})", files.join(", ")))
        .collect();
    assert!(
        unlisted.is_empty(),
        "commands the tests run that lab/tools.txt does not list (a fresh machine would miss \
         them; add each with its Debian package): {}",
        unlisted.join("; ")
    );
}

#[test]
fn every_python_module_the_tests_import_is_in_the_tools_list() {
    let (_, modules) = scan();
    let listed: BTreeSet<&str> = tools_of(ToolKind::Python).map(|t| t.name).collect();
    let unlisted: Vec<String> = modules
        .iter()
        .filter(|(m, _)| !listed.contains(m.as_str()))
        .map(|(m, files)| format!("{m} (imported in {})", files.join(", ")))
        .collect();
    assert!(
        unlisted.is_empty(),
        "Python modules the tests import that lab/tools.txt does not list: {}",
        unlisted.join("; ")
    );
}

#[test]
fn every_listed_tool_is_used_by_some_test() {
    let (programs, modules) = scan();
    let stale: Vec<String> = tools_of(ToolKind::Command)
        .filter(|t| !programs.contains_key(t.name))
        .chain(tools_of(ToolKind::Python).filter(|t| !modules.contains_key(t.name)))
        .map(|t| t.name.to_owned())
        .collect();
    assert!(
        stale.is_empty(),
        "lab/tools.txt lists what no source uses (remove it, or the scan missed a use): {}",
        stale.join(", ")
    );
}

#[test]
fn the_scan_finds_each_way_a_test_runs_a_program() {
    let src = r##"
        fn sh(lab: &Lab, script: &str) -> String { lab.exec_ok(&["sh", "-c", script]) }
        fn t() {
            lab.exec_ok(&["ping", "-c", "1"]);
            let _ = Command::new("tshark").arg("-r");
            Command::new("ip").args(["netns", "exec", ns, "dumpcap", "-q"]);
            sh(&lab, "nft add table inet x && printf hi | socat - TCP4:{a}:1");
            lab.spawn(&["sh", "-c", &format!("(printf a; sleep 3) | nc -N {stack} 1")]);
            lab.spawn(&["socat", "TCP-LISTEN:1", "EXEC:cat"]);
            let script = format!(r#"
from scapy.all import *
import select, socket
"#);
            lab.exec(&["python3", "-c", &script]);
            lab.spawn(&["python3", "-m", "http.server", "80"]);
            require_tools(&["dnsmasq"]);
            // lab.exec(&["commented-out"]);
            let c = '"';
        }
    "##;
    let uses = uses_of(src);
    let programs: Vec<&str> = uses.programs.iter().map(String::as_str).collect();
    assert_eq!(
        programs,
        [
            "cat", "dnsmasq", "dumpcap", "ip", "nc", "nft", "ping", "printf", "python3", "sh",
            "sleep", "socat", "tshark"
        ]
    );
    let modules: Vec<&str> = uses.modules.iter().map(String::as_str).collect();
    assert_eq!(modules, ["http", "scapy", "select", "socket"]);
}
