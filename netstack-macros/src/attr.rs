//! `#[hook(name)]` on a function: checks the name and the signature.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Visibility};

use crate::points::{self, Point, Spelling};

/// Expands `#[hook(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let name: Ident = syn::parse2(args.clone()).map_err(|_| {
        syn::Error::new(
            args.span(),
            format!(
                "expected one hook name, as in `#[hook(ip4_input)]`; the hook points are: {}",
                points::names()
            ),
        )
    })?;
    let point = points::find(&name.to_string()).map_err(|m| syn::Error::new(name.span(), m))?;
    let func: ItemFn = syn::parse2(item).map_err(|e| {
        syn::Error::new(
            e.span(),
            "`#[hook(..)]` goes on a plain function (`fn name(..) -> ..`)",
        )
    })?;
    check_shape(point, &func)?;
    let ident = &func.sig.ident;
    let span = func.sig.span();
    let fn_type: syn::Type = syn::parse_str(&points::qualified(&point.fn_pointer_type())?)?;
    let (names, types) = points::arguments(point, Spelling::Qualified)?;
    let ret = points::return_type(point, Spelling::Qualified)?;
    // The item keeps the user's name, attributes and visibility but gets the hook's exact
    // signature; the function as written runs inside it. A signature that differs is
    // reported once, here, and `hooks!` sees a function of the right type.
    let mut inner = func.clone();
    inner.attrs = vec![syn::parse_quote!(#[inline])];
    inner.vis = Visibility::Inherited;
    let (attrs, vis) = (&func.attrs, &func.vis);
    let check = quote_spanned! {span=>
        const HOOK: #fn_type = #ident;
    };
    Ok(quote! {
        #(#attrs)*
        #vis fn #ident(#(#names: #types),*) #ret {
            #inner
            #check
            HOOK(#(#names),*)
        }
    })
}

/// The checks that can be made on the syntax: a free function with the hook's arity.
fn check_shape(point: &Point, func: &ItemFn) -> syn::Result<()> {
    let sig = &func.sig;
    let expected = || format!("the `{}` hook is `{}`", point.name, point.fn_signature());
    if let Some(receiver) = sig.inputs.iter().find(|a| matches!(a, FnArg::Receiver(_))) {
        return Err(syn::Error::new(
            receiver.span(),
            format!(
                "a hook function takes no `self`: {}. A hook with state is a hook object \
                 instead: a type with a method `{name}(&mut self, ..)`, kept in a field of the \
                 `hooks!` struct and composed as `{name} => self.field` (docs/hooks.md)",
                expected(),
                name = point.name
            ),
        ));
    }
    if !sig.generics.params.is_empty() && sig.generics.type_params().next().is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!("a hook function is not generic: {}", expected()),
        ));
    }
    if sig.inputs.len() != point.args.len() {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "this function takes {} parameter(s) but {}",
                sig.inputs.len(),
                expected()
            ),
        ));
    }
    if matches!(sig.output, syn::ReturnType::Default) {
        return Err(syn::Error::new(
            sig.ident.span(),
            format!("this function returns nothing but {}", expected()),
        ));
    }
    Ok(())
}
