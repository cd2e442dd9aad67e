//! Error accumulation, so that one compile shows every mistake in the input.

use proc_macro2::Span;
use quote::ToTokens;
use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::thread;

/// Collects errors while the input is parsed and checked.
///
/// It must be consumed with [`Ctxt::check`]; dropping it unchecked panics, because
/// that would silently swallow errors the user needs to see.
///
/// Shared references are enough to report errors (the list sits in a `RefCell`),
/// so every stage can borrow the same context.
///
/// Stages run one after the other over the whole struct, but errors come out in
/// source order: each is filed under the part of the input being looked at when
/// it was reported (see [`Ctxt::set_position`] and [`Ctxt::set_subposition`]).
pub struct Ctxt {
    // `None` once checked, which is what lets `Drop` tell whether `check` ran.
    errors: RefCell<Option<Vec<(Position, syn::Error)>>>,
    position: Cell<Position>,
}

/// Where an error is filed: the part of the input, then the piece of that part
/// (see [`Ctxt::set_subposition`]). Errors are sorted by it.
type Position = (usize, usize);

impl Ctxt {
    /// An empty context; it still has to be `check`ed.
    pub fn new() -> Self {
        Ctxt { errors: RefCell::new(Some(Vec::new())), position: Cell::new((0, 0)) }
    }

    /// Files the errors reported from now on under the `position`-th part of the
    /// input: 0 for the struct itself, `i + 1` for its field `i`.
    pub fn set_position(&self, position: usize) {
        self.position.set((position, 0));
    }

    /// Files the errors reported from now on under the `sub`-th piece of the
    /// current part: `j + 1` for the struct's `j`-th index, 0 for the rest.
    ///
    /// An index is read with the struct's attributes and checked once the fields
    /// are known; this keeps both kinds of error about it together.
    pub fn set_subposition(&self, sub: usize) {
        let (position, _) = self.position.get();
        self.position.set((position, sub));
    }

    /// Reports `msg`, pointing at the tokens of `obj`.
    pub fn error_spanned_by<A: ToTokens, T: Display>(&self, obj: A, msg: T) {
        // Going through a token stream keeps a single copy of this method per `T`.
        self.push(syn::Error::new_spanned(obj.into_token_stream(), msg));
    }

    /// Reports `msg` at `span`, for tokens that are no longer at hand.
    pub fn error<T: Display>(&self, span: Span, msg: T) {
        self.push(syn::Error::new(span, msg));
    }

    /// Reports an error produced by syn while parsing an attribute.
    pub fn syn_error(&self, err: syn::Error) {
        self.push(err);
    }

    /// Consumes the context: `Err` holds every reported error, combined so that
    /// `to_compile_error` emits one `compile_error!` per mistake.
    pub fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.borrow_mut().take().unwrap_or_default();
        // Stable: errors about the same part keep the order they were found in.
        errors.sort_by_key(|(position, _)| *position);
        let mut errors = errors.into_iter().map(|(_, err)| err);
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for rest in errors {
            combined.combine(rest);
        }
        Err(combined)
    }

    fn push(&self, err: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            // Only `check` empties the slot and it consumes `self`, so this cannot fail.
            .expect("Ctxt used after check")
            .push((self.position.get(), err));
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !thread::panicking() && self.errors.borrow().is_some() {
            panic!("dynamo-model-derive: forgot to check for errors");
        }
    }
}
