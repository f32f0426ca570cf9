//! `expect_config!("netstack.toml")`: a compile error when netstack was built with another
//! configuration than the product's file.

use std::path::PathBuf;

use netstack_config::build::BuildEnv;
use netstack_config::expect;
use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::LitStr;

/// Expands `expect_config!(path)`.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let lit: LitStr = syn::parse2(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected the product's config file as a string, relative to the crate's \
             directory: `netstack::expect_config!(\"netstack.toml\")`",
        )
    })?;
    let span = lit.span();
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            syn::Error::new(
                span,
                "expect_config!: CARGO_MANIFEST_DIR is not set (build the crate with cargo)",
            )
        })?;
    let expected =
        expect::expect(&crate_dir, &lit.value()).map_err(|m| syn::Error::new(span, m))?;
    let message = expect::mismatch_message(&expected, &crate_dir, &BuildEnv::from_env());
    // Naming the files in the expansion makes rustc rebuild the crate when one changes.
    let files = expected.files.iter().map(|f| f.display().to_string());
    let summary = &expected.summary;
    Ok(quote_spanned! {span=>
        const _: () = {
            #( const _: &[u8] = ::core::include_bytes!(#files); )*
            if !::netstack::config::summary_is(#summary) {
                ::core::panic!("{}", #message);
            }
        };
    })
}
