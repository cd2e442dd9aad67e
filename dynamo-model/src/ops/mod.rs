//! Operations on items: awaitable builders that compile to `aws-sdk-dynamodb` requests.
//!
//! Each builder is a plain value: configure it, then `.await` it to send, call
//! `compile()` for the checked description of its request (see [`compile`](crate::compile)),
//! or `request()` for the SDK request it would send, unsent.

mod check;
pub(crate) mod conditional;
mod delete;
mod get;
mod put;
mod query;
pub(crate) mod read;
mod scan;
mod update;

use std::future::Future;
use std::pin::Pin;

pub use check::Check;
pub use delete::Delete;
pub use get::Get;
pub use put::Put;
pub use query::{Query, SortKeyCondition};
pub use scan::{ParallelScan, Scan};
pub use update::Update;

pub use crate::table::{CreateTable, DeleteTable, TableExists};

/// The future an operation becomes when awaited.
pub type OpFuture<'a, T> = Pin<Box<dyn Future<Output = crate::Result<T>> + Send + 'a>>;

/// The item DynamoDB returned from a write it applied (the item after an update, the
/// item a delete removed), decoded into the model.
///
/// The write happened whatever this holds: a write DynamoDB applied never comes back as
/// an `Err`. Only reading the returned item can fail, when the stored item does not fit
/// the model (it was written by other code, or before the model changed); that is
/// [`Returned::into_item`]'s error, apart from the write's.
///
/// ```
/// # use dynamo_model::{ops::Returned, Error};
/// # fn run(returned: Returned<u32>) -> dynamo_model::Result<()> {
/// let item = returned.into_item()?; // Err(Error::Decode { .. }) if it does not fit
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Returned<T>(crate::Result<T>);

impl<T> Returned<T> {
    pub(crate) fn new(decoded: crate::Result<T>) -> Self {
        Self(decoded)
    }

    /// The returned item, or the [`Error::Decode`](crate::Error::Decode) reading it gave.
    pub fn into_item(self) -> crate::Result<T> {
        self.0
    }

    /// The returned item, if it decoded.
    pub fn item(&self) -> Option<&T> {
        self.0.as_ref().ok()
    }
}

/// Makes an operation awaitable through its `async fn send(self)`.
macro_rules! awaitable {
    ($op:ident => $output:ty) => {
        impl<'a, M: $crate::Model + 'a> ::std::future::IntoFuture for $op<'a, M> {
            type Output = $crate::Result<$output>;
            type IntoFuture = $crate::ops::OpFuture<'a, $output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use awaitable;
