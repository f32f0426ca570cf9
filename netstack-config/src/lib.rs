//! netstack-config: the option schema, resolver, validator and code generator.
//!
//! The pipeline (`docs/architecture.md` § "The configuration pipeline"): a [`schema::Schema`] declares every option; a product's
//! `netstack.toml` (optionally `extends = "<preset>"`) is loaded into typed assignments
//! ([`load`]); [`resolve::resolve`] applies Kconfig semantics and the cross-option
//! [`rules`] and returns a [`resolve::Outcome`]: the configuration plus
//! [`diagnostics::Diagnostic`]s; [`codegen::generate`] turns a valid configuration into
//! `netstack::config`. [`build::run`] wraps it all for build scripts; [`sdkconfig`] reads and
//! writes ESP-IDF `sdkconfig` files; [`docs`] writes `docs/options.md`; [`expect`] is what
//! `netstack::expect_config!` checks; [`hooks`] reads the hook points' declaration, from which
//! their options, netstack's `Hooks` methods and the macros' table are derived.
//!
//! The schema text is always a parameter ([`schema::Schema::parse`]); [`embedded`] holds the
//! real schema and presets compiled into the crate.

pub mod build;
pub mod codegen;
pub mod config_file;
pub mod diagnostics;
pub mod docs;
pub mod embedded;
pub mod expect;
pub mod expr;
pub mod hooks;
pub mod lint;
pub mod load;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod sdkconfig;
pub mod value;
