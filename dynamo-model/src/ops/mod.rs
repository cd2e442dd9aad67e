//! Operations on items: awaitable builders that compile to `aws-sdk-dynamodb` requests.
//!
//! Each builder is a plain value: configure it, then `.await` it to send, or call
//! `request()` to get the SDK request it would send without sending it.

pub(crate) mod conditional;
mod delete;
mod get;
pub(crate) mod lifecycle;
mod put;
mod query;
pub(crate) mod read;
mod scan;
mod update;

use std::future::Future;
use std::pin::Pin;

pub use delete::Delete;
pub use get::Get;
pub use put::Put;
pub use query::{Query, SortKeyCondition};
pub use scan::{ParallelScan, Scan};
pub use update::Update;

pub use crate::table::{CreateTable, DeleteTable, TableExists};

/// The future an operation becomes when awaited.
pub type OpFuture<'a, T> = Pin<Box<dyn Future<Output = crate::Result<T>> + Send + 'a>>;

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
