//! netstack-config: the option schema, resolver, validator and code generator.
//!
//! The pipeline (DESIGN.md §2): a [`schema::Schema`] declares every option; a product's
//! `netstack.toml` (optionally `extends = "<preset>"`) is loaded into layers of assignments
//! ([`load`]); [`resolve`] applies Kconfig semantics and the cross-option rules and returns
//! a [`resolve::Resolved`] configuration plus [`diagnostics::Diagnostic`]s; [`codegen`] turns a
//! valid configuration into `netstack::config`. [`build`] wraps it all for build scripts.

pub mod diagnostics;
pub mod expr;
pub mod lint;
pub mod schema;
pub mod value;
pub mod config_file;
pub mod load;
pub mod resolve;
pub mod rules;
