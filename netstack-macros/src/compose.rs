//! `hooks! { struct .. ; hook => handler, .. }`: one type implementing `Hooks`.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Field, Ident, Path, Token, Visibility, braced, bracketed};

use crate::points::{self, Point, Spelling};

/// The macro's input.
struct Input {
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    /// `None` for a unit struct.
    fields: Option<Punctuated<Field, Token![,]>>,
    entries: Vec<Entry>,
}

/// `hook => handler`.
struct Entry {
    hook: Ident,
    handlers: Handlers,
}

/// One handler or a bracketed list of them.
enum Handlers {
    One(Handler),
    List(Span, Vec<Handler>),
}

/// What runs for a hook point.
enum Handler {
    /// A function, called with the hook's arguments.
    Function(Path),
    /// `self.field`: the field's method named after the hook.
    Field(Ident),
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let fields = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            None
        } else {
            let body;
            braced!(body in input);
            Some(body.parse_terminated(Field::parse_named, Token![,])?)
        };
        let mut entries = Vec::new();
        while !input.is_empty() {
            let hook: Ident = input.parse()?;
            input.parse::<Token![=>]>()?;
            let handlers = if input.peek(syn::token::Bracket) {
                let list;
                let bracket = bracketed!(list in input);
                let items = list.parse_terminated(Handler::parse, Token![,])?;
                Handlers::List(bracket.span.join(), items.into_iter().collect())
            } else {
                Handlers::One(input.parse()?)
            };
            entries.push(Entry { hook, handlers });
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Input {
            attrs,
            vis,
            name,
            fields,
            entries,
        })
    }
}

impl Parse for Handler {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![self]) && input.peek2(Token![.]) {
            input.parse::<Token![self]>()?;
            input.parse::<Token![.]>()?;
            Ok(Handler::Field(input.parse()?))
        } else {
            input.parse().map(Handler::Function).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a hook handler: a function path, `self.field` or a list `[a, b]`",
                )
            })
        }
    }
}

/// Expands the macro.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: Input = syn::parse2(input)?;
    let field_names: Vec<String> = input
        .fields
        .iter()
        .flatten()
        .filter_map(|f| f.ident.as_ref().map(Ident::to_string))
        .collect();
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let mut methods = Vec::new();
    let mut checks = Vec::new();
    for entry in &input.entries {
        let hook = entry.hook.to_string();
        let point = match points::find(&hook) {
            Ok(point) => point,
            Err(message) => {
                push(syn::Error::new(entry.hook.span(), message));
                continue;
            }
        };
        if seen.insert(hook.clone(), entry.hook.span()).is_some() {
            push(syn::Error::new(
                entry.hook.span(),
                format!(
                    "hook `{hook}` is given twice; give it once, with a list to run several \
                     handlers: `{hook} => [first, second]`"
                ),
            ));
            continue;
        }
        let handlers: Vec<&Handler> = match &entry.handlers {
            Handlers::One(h) => vec![h],
            Handlers::List(span, list) => {
                if list.is_empty() {
                    push(syn::Error::new(
                        *span,
                        format!("hook `{hook}` has an empty list"),
                    ));
                    continue;
                }
                if point.chain.is_none() && list.len() > 1 {
                    push(syn::Error::new(
                        *span,
                        format!(
                            "hook `{hook}` answers with a single decision and takes one handler, \
                             not a list"
                        ),
                    ));
                    continue;
                }
                list.iter().collect()
            }
        };
        for h in &handlers {
            if let Handler::Field(f) = h
                && !field_names.contains(&f.to_string())
            {
                push(syn::Error::new(
                    f.span(),
                    format!(
                        "`self.{f}` is not a field of `{}` (its fields: {})",
                        input.name,
                        if field_names.is_empty() {
                            "none".to_owned()
                        } else {
                            field_names.join(", ")
                        }
                    ),
                ));
            }
        }
        match method(point, &entry.hook, &handlers) {
            Ok(m) => methods.push(m),
            Err(e) => push(e),
        }
        let enabled = format_ident!("{}", point.const_name());
        let message = format!(
            "hook `{hook}` is composed, but this build's netstack.toml sets \
             hook_{key} = \"none\", so the stack never calls it: remove it here or select \
             `default` or `custom`",
            key = point.key
        );
        let span = entry.hook.span();
        checks.push(quote_spanned! {span=>
            const _: () = ::core::assert!(::netstack::hooks::enabled::#enabled, #message);
        });
    }
    if let Some(e) = errors {
        return Err(e);
    }
    for point in points::wired()?
        .into_iter()
        .filter(|p| !seen.contains_key(&p.name))
    {
        checks.push(missing_custom_check(&input.name, point));
        methods.push(default_method(point)?);
    }
    let Input {
        attrs,
        vis,
        name,
        fields,
        ..
    } = &input;
    let body = match fields {
        Some(fields) => quote!({ #fields }),
        None => quote!(;),
    };
    let imports: TokenStream = points::imports()?.parse()?;
    Ok(quote! {
        #(#attrs)*
        #vis struct #name #body

        const _: () = {
            #imports
            #(#checks)*
            impl ::netstack::hooks::Hooks for #name {
                #(#methods)*
            }
        };
    })
}

/// For a point without an entry: a check that the build does not make it `custom` (it would
/// need a handler, which the error names how to add).
fn missing_custom_check(name: &Ident, point: &Point) -> TokenStream {
    let constant = format_ident!("{}", point.const_name());
    let message = format!(
        "hook point `{hook}` is `custom` in this build's netstack.toml \
         (hook_{key} = \"custom\"), so `{name}` must handle it: add \
         `{hook} => your_function,` (a `#[netstack::hook({hook})]` function) or \
         `{hook} => self.field,` (a hook object) to `hooks!`",
        hook = point.name,
        key = point.key,
    );
    quote_spanned! {name.span()=>
        const _: () = ::core::assert!(!::netstack::hooks::custom::#constant, #message);
    }
}

/// The method of a point without an entry: the stack's own behaviour
/// (`netstack::hooks::defaults`), so that a point the build makes `custom` is reported by
/// [`missing_custom_check`] alone, not also as a missing trait item.
fn default_method(point: &Point) -> syn::Result<TokenStream> {
    let (arg_names, arg_types) = points::arguments(point, Spelling::AsDeclared)?;
    let hook = format_ident!("{}", point.name);
    let ret = points::return_type(point, Spelling::AsDeclared)?;
    Ok(quote! {
        #[inline]
        fn #hook(&mut self, #(#arg_names: #arg_types),*) #ret {
            ::netstack::hooks::defaults::#hook(#(#arg_names),*)
        }
    })
}

/// The trait method for one hook point running `handlers` in order.
fn method(point: &Point, hook: &Ident, handlers: &[&Handler]) -> syn::Result<TokenStream> {
    let (arg_names, arg_types) = points::arguments(point, Spelling::AsDeclared)?;
    let ret: syn::Type = syn::parse_str(point.ret.as_deref().unwrap_or("()"))?;
    let fn_type: syn::Type = syn::parse_str(&point.fn_pointer_type())?;
    let pass: Option<syn::Expr> = point.chain.as_deref().map(syn::parse_str).transpose()?;
    let mut steps = Vec::new();
    let last = handlers.len() - 1;
    for (i, handler) in handlers.iter().enumerate() {
        let call = match handler {
            Handler::Function(path) => {
                let span = path_span(path);
                quote_spanned! {span=>
                    {
                        const HOOK: #fn_type = #path;
                        HOOK(#(#arg_names),*)
                    }
                }
            }
            Handler::Field(field) => {
                let span = field.span();
                quote_spanned! {span=> self.#field.#hook(#(#arg_names),*) }
            }
        };
        if i == last {
            steps.push(call);
        } else if point.is_notification() {
            steps.push(quote! { #call; });
        } else {
            let pass = pass.as_ref();
            steps.push(quote! {
                let r: #ret = #call;
                if !(#pass) {
                    return r;
                }
            });
        }
    }
    let ret = points::return_type(point, Spelling::AsDeclared)?;
    Ok(quote! {
        #[inline]
        fn #hook(&mut self, #(#arg_names: #arg_types),*) #ret {
            #(#steps)*
        }
    })
}

/// The span of a path (its last segment: where a wrong function is named).
fn path_span(path: &Path) -> Span {
    path.segments
        .last()
        .map(|s| s.ident.span())
        .unwrap_or_else(Span::call_site)
}
