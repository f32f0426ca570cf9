//! Commands that read or write files: `import`, `export`, `generate`, `options-doc`,
//! `hooks-doc`.

use std::path::{Path, PathBuf};

use netstack_config::codegen;
use netstack_config::docs;
use netstack_config::load::Loaded;
use netstack_config::sdkconfig;

use super::context::{Context, report, write_out};
use super::{CONFIG_ERROR, OK, USAGE};

/// `import SDKCONFIG [-o FILE]`.
pub fn import(ctx: &Context, path: &Path, output: Option<&Path>) -> i32 {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return USAGE;
        }
    };
    let shown = path.display().to_string();
    let imp = sdkconfig::import(ctx.schema, &shown, &text);
    let loaded = Loaded {
        assignments: imp.assignments.clone(),
        diagnostics: imp.diagnostics.clone(),
        ..Loaded::default()
    };
    let r = ctx.finish(loaded, shown.clone());
    let diags = r.diagnostics();
    report(&diags);
    if r.has_errors() {
        return CONFIG_ERROR;
    }
    let config = &r.outcome.config;
    let differing = config
        .options
        .iter()
        .filter(|o| o.provenance.is_assigned() && o.value != o.default)
        .count();
    eprintln!(
        "{shown}: imported {} lwIP option(s), {differing} differ from the defaults; {} line(s) not imported; {} line(s) of other components skipped",
        imp.assignments.len(),
        imp.unmapped.len(),
        imp.skipped
    );
    write_out(output, &sdkconfig::to_netstack_toml(config, &imp, &shown))
}

/// `export [FILE] [-o FILE]`.
pub fn export(ctx: &Context, file: Option<&Path>, output: Option<&Path>) -> i32 {
    match ctx.resolve_ok(file) {
        Ok(r) => write_out(output, &sdkconfig::export(&r.outcome.config)),
        Err(status) => status,
    }
}

/// `generate [FILE] --out DIR`.
pub fn generate(ctx: &Context, file: Option<&Path>, out: &Path) -> i32 {
    let r = match ctx.resolve_ok(file) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let source = Context::pick(file).map_or_else(
        || "default (configs/default.toml)".to_owned(),
        |p| p.display().to_string(),
    );
    let Ok((valid, _)) = r.outcome.into_valid() else {
        return CONFIG_ERROR;
    };
    let g = codegen::generate(&valid, &source);
    let mut cfgs = String::new();
    for c in &g.check_cfgs {
        cfgs.push_str(&format!("cargo::rustc-check-cfg={c}\n"));
    }
    for c in &g.cfgs {
        cfgs.push_str(&format!("cargo::rustc-cfg={c}\n"));
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return CONFIG_ERROR;
    }
    let status = write_out(Some(&out.join("config.rs")), &g.rust);
    if status != OK {
        return status;
    }
    write_out(Some(&out.join("cfgs.txt")), &cfgs)
}

fn default_doc_path() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    netstack_config::build::workspace_root(&cwd)
        .unwrap_or(cwd)
        .join("docs/options.md")
}

/// `options-doc [--check] [--out FILE]`.
pub fn options_doc(ctx: &Context, check: bool, out: Option<&Path>) -> i32 {
    let path = out.map_or_else(default_doc_path, Path::to_path_buf);
    let text = docs::options_md(ctx.schema);
    if check {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            println!("{} is up to date", path.display());
            return OK;
        }
        eprintln!(
            "error: {} is stale; run `netstack-config options-doc` to rewrite it",
            path.display()
        );
        return CONFIG_ERROR;
    }
    let status = write_out(Some(&path), &text);
    if status == OK {
        println!("wrote {} ({})", path.display(), docs::stats(ctx.schema));
    }
    status
}

/// `hooks-doc [--check]`: the tables of `docs/hooks.md` and
/// `netstack/tests/configs/hooks-none.toml`, from the embedded `schema/hooks.toml`.
pub fn hooks_doc(check: bool) -> i32 {
    let hooks = match netstack_config::embedded::hooks() {
        Ok(h) => h,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            return CONFIG_ERROR;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = netstack_config::build::workspace_root(&cwd).unwrap_or(cwd);
    let md_path = root.join("docs/hooks.md");
    let md = match std::fs::read_to_string(&md_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", md_path.display());
            return USAGE;
        }
    };
    let md = match docs::hooks_md(&md, hooks) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return CONFIG_ERROR;
        }
    };
    let files = [
        (md_path, md),
        (
            root.join("netstack/tests/configs/hooks-none.toml"),
            hooks.hooks_none_toml(),
        ),
    ];
    let mut status = OK;
    for (path, text) in &files {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current == *text {
            println!("{} is up to date", path.display());
        } else if check {
            eprintln!(
                "error: {} is stale; run `netstack-config hooks-doc` to rewrite it",
                path.display()
            );
            status = CONFIG_ERROR;
        } else {
            status = write_out(Some(path), text);
            if status != OK {
                return status;
            }
            println!("wrote {}", path.display());
        }
    }
    status
}
