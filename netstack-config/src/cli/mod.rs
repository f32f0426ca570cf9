//! Command-line interface: argument definitions and dispatch.

mod context;
mod counts;
mod explain;
mod files;
mod inspect;
mod preset;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit status for success.
pub const OK: i32 = 0;
/// Exit status for invalid configurations.
pub const CONFIG_ERROR: i32 = 1;
/// Exit status for usage errors.
pub const USAGE: i32 = 2;

/// Check, explain and convert netstack configurations (`netstack.toml`).
///
/// FILE arguments default to $NETSTACK_CONFIG, and without it to the built-in default
/// configuration (configs/default.toml). Counts compare with that default configuration: an
/// option is "set" when the file or a preset it extends writes it, "differs" when its value
/// is not the default configuration's, and is "derived" when it differs without being set.
/// Exit status: 0 ok, 1 configuration errors, 2 usage (`diff`: 0 equal, 1 different, 2
/// errors).
#[derive(Debug, Parser)]
#[command(name = "netstack-config", version)]
pub struct Cli {
    /// Use this option schema instead of the built-in one (for schema development); the
    /// built-in hook points' options (schema/hooks.toml) join it when it has the option they
    /// follow.
    #[arg(long, global = true, value_name = "SCHEMA")]
    pub schema: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a configuration; prints errors and warnings as FILE:LINE:COL.
    Check {
        /// The netstack.toml to check.
        file: Option<PathBuf>,
    },
    /// Print the resolved configuration, one `key = value` per line, marking where each
    /// non-default value comes from.
    Show {
        /// The netstack.toml to show.
        file: Option<PathBuf>,
        /// Only the options that differ from their defaults.
        #[arg(long)]
        changed: bool,
    },
    /// Describe an option (key, TCP_MSS, CONFIG_LWIP_TCP_MSS or a deprecated name) or an
    /// external symbol, with its value in a configuration and whether its dependency holds
    /// there.
    Explain {
        /// The option or symbol.
        option: String,
        /// The netstack.toml whose value to show.
        file: Option<PathBuf>,
    },
    /// Compare two configurations option by option; with one file, the default configuration
    /// against it.
    Diff {
        /// The first netstack.toml (alone: the one compared with the defaults).
        a: PathBuf,
        /// The second netstack.toml.
        b: Option<PathBuf>,
    },
    /// Write a preset from configs/ as a starting netstack.toml, or list the presets.
    Preset {
        /// The preset's name.
        #[arg(required_unless_present = "list")]
        name: Option<String>,
        /// List every preset with its description and how it differs from the defaults.
        #[arg(long, conflicts_with = "name")]
        list: bool,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Convert an ESP-IDF sdkconfig into a netstack.toml holding what differs from the defaults.
    Import {
        /// The sdkconfig file.
        sdkconfig: PathBuf,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print a resolved configuration in sdkconfig syntax (round-trips with `import`).
    Export {
        /// The netstack.toml to export.
        file: Option<PathBuf>,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write the Rust source the build script generates (config.rs) and the cfg list (cfgs.txt).
    Generate {
        /// The netstack.toml to generate from.
        file: Option<PathBuf>,
        /// The folder to write config.rs and cfgs.txt into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write docs/options.md from the schema, or check that it is up to date.
    OptionsDoc {
        /// Fail (status 1) if the file differs from what would be written; write nothing.
        #[arg(long)]
        check: bool,
        /// The file (default: docs/options.md under the workspace root around the current directory).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Rewrite the files derived from the hook points' declaration (schema/hooks.toml): the
    /// tables of docs/hooks.md and netstack/tests/configs/hooks-none.toml; or check them.
    HooksDoc {
        /// Fail (status 1) if a file differs from what would be written; write nothing.
        #[arg(long)]
        check: bool,
    },
}

/// Parses the arguments, runs the command and returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { USAGE } else { OK };
        }
    };
    let ctx = match context::Context::new(cli.schema.as_deref()) {
        Ok(c) => c,
        Err(status) => return status,
    };
    match cli.command {
        Command::Check { file } => inspect::check(&ctx, file.as_deref()),
        Command::Show { file, changed } => inspect::show(&ctx, file.as_deref(), changed),
        Command::Explain { option, file } => explain::explain(&ctx, &option, file.as_deref()),
        Command::Diff { a, b } => inspect::diff(&ctx, &a, b.as_deref()),
        Command::Preset { name, list, output } => {
            preset::preset(&ctx, name.as_deref(), list, output.as_deref())
        }
        Command::Import { sdkconfig, output } => files::import(&ctx, &sdkconfig, output.as_deref()),
        Command::Export { file, output } => files::export(&ctx, file.as_deref(), output.as_deref()),
        Command::Generate { file, out } => files::generate(&ctx, file.as_deref(), &out),
        Command::OptionsDoc { check, out } => files::options_doc(&ctx, check, out.as_deref()),
        Command::HooksDoc { check } => files::hooks_doc(check),
    }
}
