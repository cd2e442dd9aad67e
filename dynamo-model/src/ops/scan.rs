use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder;

use super::read::{Purpose, ReadOptions, ReadTypes, Reader};
use crate::compile::{CompiledRead, ReadKind};
use crate::{Db, Document, KeySpace, Result};

/// Every item of a table or index. Made by [`Model::scan`](crate::Model::scan) or
/// [`Index::scan`](crate::Index::scan); awaits to all matching items. `limit`,
/// `page_size`, `page`, `stream` and `count` work as on [`Query`](super::Query);
/// [`Scan::segments`] reads in parallel.
///
/// ```
/// use dynamo_model::{Db, Model};
///
/// #[derive(Model, Debug, Clone)]
/// #[dynamo(table = "users")]
/// struct User {
///     #[dynamo(hash_key)] id: String,
///     name: String,
///     // A field a selection leaves unread needs a default.
///     #[dynamo(default)] age: u32,
/// }
///
/// # let db = Db::new(aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::Config::builder()
/// #     .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest()).build()));
/// let scan = User::scan(&db).filter(User::AGE.between(18, 65)).select(&User::NAME);
/// let expressions = scan.compile()?.expressions;
/// assert_eq!(expressions.filter.as_deref(), Some("#n0 BETWEEN :v0 AND :v1"));
/// assert_eq!(expressions.projection.as_deref(), Some("#n1, #n2"));
/// assert_eq!(expressions.names.as_ref().unwrap()["#n1"], "name");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[must_use = "a scan does nothing until it is awaited"]
pub struct Scan<'a, M, S = M, P = M> {
    db: &'a Db,
    options: ReadOptions,
    marker: ReadTypes<M, S, P>,
}

impl<'a, M: Document, S: KeySpace<Model = M>> Scan<'a, M, S, M> {
    pub(crate) fn new(db: &'a Db) -> Self {
        Self { db, options: ReadOptions::default(), marker: PhantomData }
    }
}

impl<'a, M: Document, S: KeySpace<Model = M>, P: Document> Scan<'a, M, S, P> {
    super::read::read_options!(Scan { db });

    fn reader(&self, purpose: Purpose) -> Result<Reader<'a>> {
        self.options.reader::<S, P>(self.db, ReadKind::Scan { segment: None }, None, purpose)
    }

    /// The checked description of the request (its first page).
    pub fn compile(&self) -> Result<CompiledRead> {
        Ok(self.reader(Purpose::Items)?.read)
    }

    /// The `Scan` request of the first page, unsent.
    pub fn request(&self) -> Result<ScanFluentBuilder> {
        Ok(self.compile()?.scan(self.db.client(), None, None))
    }

    /// Reads the table in `n` segments at once (DynamoDB's parallel scan) and merges
    /// them, segment by segment. `n` is clamped to 1..=1,000,000.
    pub fn segments(self, n: u32) -> ParallelScan<'a, M, S, P> {
        let total = i32::try_from(n.clamp(1, 1_000_000)).unwrap_or(1);
        ParallelScan { scan: self, total }
    }
}

impl<'a, M: Document + 'a, S: KeySpace<Model = M>, P: Document + 'a> IntoFuture for Scan<'a, M, S, P> {
    type Output = Result<Vec<P>>;
    type IntoFuture = super::OpFuture<'a, Vec<P>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.reader(Purpose::Items)?.walk(None)?.collect().await })
    }
}

impl<M, S, P> std::fmt::Debug for Scan<'_, M, S, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan").field("options", &self.options).finish_non_exhaustive()
    }
}

/// A scan read in parallel segments; awaits to all matching items. Made by
/// [`Scan::segments`]. With a `limit`, at most that many items are returned in all.
#[must_use = "a scan does nothing until it is awaited"]
pub struct ParallelScan<'a, M, S, P> {
    scan: Scan<'a, M, S, P>,
    total: i32,
}

impl<'a, M: Document, S: KeySpace<Model = M>, P: Document> ParallelScan<'a, M, S, P> {
    fn segment_readers(&self, purpose: Purpose) -> Result<Vec<Reader<'a>>> {
        let reader = self.scan.reader(purpose)?;
        Ok((0..self.total)
            .map(|segment| {
                let mut reader = reader.clone();
                reader.read.kind = ReadKind::Scan { segment: Some((segment, self.total)) };
                reader
            })
            .collect())
    }

    /// The number of matching items over all segments.
    pub async fn count(self) -> Result<u64> {
        let counts =
            futures::future::try_join_all(self.segment_readers(Purpose::Count)?.iter().map(Reader::count)).await?;
        Ok(counts.into_iter().sum())
    }
}

impl<'a, M: Document + 'a, S: KeySpace<Model = M>, P: Document + 'a> IntoFuture for ParallelScan<'a, M, S, P> {
    type Output = Result<Vec<P>>;
    type IntoFuture = super::OpFuture<'a, Vec<P>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let limit = self.scan.options.limit;
            let walks = self
                .segment_readers(Purpose::Items)?
                .into_iter()
                .map(|reader| async move { reader.walk(None)?.collect::<P>().await });
            let mut items: Vec<P> = futures::future::try_join_all(walks).await?.into_iter().flatten().collect();
            if let Some(limit) = limit {
                items.truncate(limit);
            }
            Ok(items)
        })
    }
}

impl<M, S, P> std::fmt::Debug for ParallelScan<'_, M, S, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelScan").field("segments", &self.total).field("scan", &self.scan).finish()
    }
}
