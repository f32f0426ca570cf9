//! "Every option does something", checked against the stack's source: an option marked
//! `wired` must be used by `netstack` (its constant `config::NAME`, its cfg `netstack_<key>`,
//! or for a hook point `hooks::enabled::<POINT>`), and an option the stack uses must be marked
//! `wired`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use netstack_config::schema::Status;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read netstack/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Parts of `netstack/src` whose code a user cannot reach yet, so the options they read still
/// do nothing for a product: the TCP building blocks are not plugged into the `Stack` until
/// the TCP state machine lands. Remove an entry when its part is wired in.
const NOT_YET_REACHABLE: &[&str] = &[];

/// The stack's code (comment lines left out), without the generated-config module itself and
/// the parts in [`NOT_YET_REACHABLE`].
fn stack_source() -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../netstack/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .filter(|p| !p.ends_with("config.rs"))
        .filter(|p| {
            let rel = p.strip_prefix(&src).expect("under src");
            !NOT_YET_REACHABLE.iter().any(|part| rel.starts_with(part))
        })
        .map(|p| fs::read_to_string(p).expect("read source"))
        .flat_map(|text| {
            text.lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// True when `text` contains `word` with no identifier character right after it.
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        !text[at + word.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[test]
fn wired_options_are_exactly_the_ones_the_stack_uses() {
    let schema = netstack_config::embedded::schema().expect("schema");
    let hooks = netstack_config::embedded::hooks().expect("hook points");
    let source = stack_source();
    let mut wired_but_unused = BTreeSet::new();
    let mut used_but_not_wired = BTreeSet::new();
    for option in &schema.options {
        // A hook point's call site reads its cfg, or `hooks::enabled::<POINT>` (a constant
        // generated from that cfg).
        let hook_const = hooks
            .points
            .iter()
            .find(|p| p.option_key() == option.key)
            .map(|p| format!("enabled::{}", p.const_name()));
        let used = mentions(&source, &format!("config::{}", option.const_name()))
            || mentions(&source, &format!("netstack_{}", option.key))
            || hook_const.is_some_and(|c| mentions(&source, &c));
        match (option.status, used) {
            (Some(Status::Wired), false) => {
                wired_but_unused.insert(option.key.clone());
            }
            (Some(Status::Planned | Status::NoEffect), true) => {
                used_but_not_wired.insert(option.key.clone());
            }
            _ => {}
        }
    }
    assert!(
        wired_but_unused.is_empty(),
        "marked `wired` in the schema but never used by netstack/src: {wired_but_unused:?}"
    );
    assert!(
        used_but_not_wired.is_empty(),
        "used by netstack/src but not marked `wired` in the schema (say what it does in `effect`): {used_but_not_wired:?}"
    );
}
