//! What query and scan share: one rendered request, walked page by page, with `limit`
//! counting matching items rather than items read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Select};

use crate::cursor::{Cursor, Page};
use crate::error::service_error;
use crate::{Db, Document, Item, Result};

/// The model, key space and result type a query or scan is typed by.
pub(crate) type ReadTypes<M, S, P> = std::marker::PhantomData<fn() -> (M, S, P)>;

/// Query or scan, with what only one of them has.
#[derive(Debug, Clone)]
pub(crate) enum ReadKind {
    Query { key_condition: String, descending: bool },
    Scan { segment: Option<(i32, i32)> },
}

/// A rendered read request: everything but the start key, which changes per page.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    pub(crate) db: &'a Db,
    pub(crate) kind: ReadKind,
    pub(crate) table: String,
    pub(crate) index: Option<&'static str>,
    pub(crate) filter: Option<String>,
    pub(crate) projection: Option<String>,
    pub(crate) names: Option<HashMap<String, String>>,
    pub(crate) values: Option<HashMap<String, AttributeValue>>,
    pub(crate) consistent: bool,
    pub(crate) page_size: Option<i32>,
    pub(crate) limit: Option<usize>,
    pub(crate) cursor_keys: &'static [&'static str],
}

/// One DynamoDB response.
struct RawPage {
    items: Vec<Item>,
    last_key: Option<Item>,
    count: u64,
}

impl<'a> Reader<'a> {
    pub(crate) fn query_request(
        &self,
        start: Option<Item>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let ReadKind::Query { key_condition, descending } = &self.kind else {
            unreachable!("query_request is only called for queries")
        };
        self.db
            .client()
            .query()
            .table_name(&self.table)
            .set_index_name(self.index.map(str::to_owned))
            .key_condition_expression(key_condition)
            .set_filter_expression(self.filter.clone())
            .set_projection_expression(self.projection.clone())
            .set_expression_attribute_names(self.names.clone())
            .set_expression_attribute_values(self.values.clone())
            .set_consistent_read(self.consistent.then_some(true))
            .set_scan_index_forward(descending.then_some(false))
            .set_limit(self.page_size)
            .set_exclusive_start_key(start)
    }

    pub(crate) fn scan_request(
        &self,
        start: Option<Item>,
    ) -> aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder {
        let segment = match &self.kind {
            ReadKind::Scan { segment } => *segment,
            ReadKind::Query { .. } => None,
        };
        self.db
            .client()
            .scan()
            .table_name(&self.table)
            .set_index_name(self.index.map(str::to_owned))
            .set_filter_expression(self.filter.clone())
            .set_projection_expression(self.projection.clone())
            .set_expression_attribute_names(self.names.clone())
            .set_expression_attribute_values(self.values.clone())
            .set_consistent_read(self.consistent.then_some(true))
            .set_limit(self.page_size)
            .set_segment(segment.map(|(segment, _)| segment))
            .set_total_segments(segment.map(|(_, total)| total))
            .set_exclusive_start_key(start)
    }

    async fn fetch(&self, start: Option<Item>, count_only: bool) -> Result<RawPage> {
        let select = count_only.then_some(Select::Count);
        match self.kind {
            ReadKind::Query { .. } => {
                let output = self
                    .query_request(start)
                    .set_select(select)
                    .send()
                    .await
                    .map_err(|e| service_error("Query", &self.table, e))?;
                Ok(RawPage {
                    items: output.items.unwrap_or_default(),
                    last_key: output.last_evaluated_key.filter(|k| !k.is_empty()),
                    count: u64::try_from(output.count).unwrap_or(0),
                })
            }
            ReadKind::Scan { .. } => {
                let output = self
                    .scan_request(start)
                    .set_select(select)
                    .send()
                    .await
                    .map_err(|e| service_error("Scan", &self.table, e))?;
                Ok(RawPage {
                    items: output.items.unwrap_or_default(),
                    last_key: output.last_evaluated_key.filter(|k| !k.is_empty()),
                    count: u64::try_from(output.count).unwrap_or(0),
                })
            }
        }
    }

    /// The number of matching items over all pages.
    pub(crate) async fn count(&self) -> Result<u64> {
        let mut start = None;
        let mut total = 0;
        loop {
            let page = self.fetch(start, true).await?;
            total += page.count;
            match page.last_key {
                Some(key) => start = Some(key),
                None => return Ok(total),
            }
        }
    }

    /// Starts walking the pages, from `cursor` if given.
    pub(crate) fn walk(self, cursor: Option<Cursor>) -> Result<Walk<'a>> {
        let start = match cursor {
            Some(cursor) => {
                cursor.check(self.cursor_keys)?;
                Some(cursor.into_key())
            }
            None => None,
        };
        let remaining = self.limit;
        Ok(Walk { done: remaining == Some(0), reader: self, start, remaining })
    }
}

/// A walk through the pages of a read, stopping after `limit` matches.
#[derive(Debug)]
pub(crate) struct Walk<'a> {
    reader: Reader<'a>,
    start: Option<Item>,
    remaining: Option<usize>,
    done: bool,
}

impl Walk<'_> {
    /// The next DynamoDB page's items (possibly none: filters apply after the read),
    /// or `None` when the walk is over.
    pub(crate) async fn next_page(&mut self) -> Result<Option<Vec<Item>>> {
        if self.done {
            return Ok(None);
        }
        let page = self.reader.fetch(self.start.take(), false).await?;
        let mut items = page.items;
        let mut next = page.last_key;
        if let Some(remaining) = self.remaining.as_mut() {
            if items.len() > *remaining {
                items.truncate(*remaining);
                // Resume right after the last item handed out, not after the page.
                next = items.last().map(|item| self.reader.key_of(item));
            }
            *remaining -= items.len();
            if *remaining == 0 {
                self.done = true;
            }
        }
        if next.is_none() {
            self.done = true;
        }
        self.start = next;
        Ok(Some(items))
    }

    /// Where the walk would go on; `None` once nothing is left.
    fn cursor(&self) -> Option<Cursor> {
        self.start.clone().map(Cursor::from_last_key)
    }

    /// Everything the walk yields.
    pub(crate) async fn collect<P: Document>(mut self) -> Result<Vec<P>> {
        let mut out = Vec::new();
        while let Some(items) = self.next_page().await? {
            out.reserve(items.len());
            for item in items {
                out.push(P::from_item(item)?);
            }
        }
        Ok(out)
    }

    /// One page for a caller: up to `limit` items, or with no limit the first
    /// DynamoDB page that holds any, and where to resume.
    pub(crate) async fn page<P: Document>(mut self) -> Result<Page<P>> {
        let mut out = Vec::new();
        while let Some(items) = self.next_page().await? {
            for item in items {
                out.push(P::from_item(item)?);
            }
            if self.remaining.is_none() && !out.is_empty() {
                break;
            }
        }
        Ok(Page { items: out, cursor: self.cursor() })
    }
}

impl Reader<'_> {
    fn key_of(&self, item: &Item) -> Item {
        self.cursor_keys
            .iter()
            .filter_map(|name| item.get(*name).map(|value| ((*name).to_owned(), value.clone())))
            .collect()
    }
}

/// The items of a walk as a stream, pulling a page only when the previous one is used up.
pub(crate) fn stream<'a, P: Document + 'a>(
    walk: Result<Walk<'a>>,
) -> impl futures::Stream<Item = Result<P>> + Send + 'a {
    use futures::{stream, TryStreamExt};
    stream::once(async move { walk })
        .map_ok(|walk| {
            stream::try_unfold(walk, |mut walk| async move { Ok(walk.next_page().await?.map(|items| (items, walk))) })
        })
        .try_flatten()
        .map_ok(|items| stream::iter(items.into_iter().map(P::from_item)))
        .try_flatten()
}

/// What a read returns: chosen paths, or the attributes of the result type; checked
/// against what the index holds. Key attributes are always read, for the cursor.
pub(crate) fn projection<S: crate::KeySpace, P: Document>(
    renderer: &mut crate::expr::Renderer,
    selected: &[crate::expr::PathExpr],
) -> Result<Option<String>> {
    use crate::expr::PathExpr;

    let model = <S::Model as Document>::NAME;
    let wants_all = selected.is_empty() && P::ATTRIBUTES == <S::Model as Document>::ATTRIBUTES;
    if let (Some(projected), true) = (S::PROJECTED, selected.is_empty()) {
        let missing: Vec<&'static str> = P::ATTRIBUTES.iter().copied().filter(|a| !projected.contains(a)).collect();
        if !missing.is_empty() {
            let source_name = format!("index `{}`", S::INDEX.unwrap_or(""));
            return Err(crate::Error::Unprojected { model, source_name, missing });
        }
    }
    if wants_all {
        return Ok(None);
    }
    let mut paths: Vec<PathExpr> = if selected.is_empty() {
        P::ATTRIBUTES.iter().map(|name| PathExpr { root: name, tail: Vec::new() }).collect()
    } else {
        selected.to_vec()
    };
    for key in S::CURSOR_KEYS {
        if !paths.iter().any(|p| p.root == *key && p.tail.is_empty()) {
            paths.push(PathExpr { root: key, tail: Vec::new() });
        }
    }
    Ok(Some(renderer.projection(&paths)))
}

/// What query and scan both take: filter, projection, consistency and the two limits.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadOptions {
    pub(crate) filter: Option<crate::expr::Node>,
    pub(crate) selected: Vec<crate::expr::PathExpr>,
    pub(crate) consistent: bool,
    pub(crate) limit: Option<usize>,
    pub(crate) page_size: Option<u32>,
    pub(crate) skip_expired: bool,
}

/// What a read request is for: items (with their projection) or only their count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Items,
    Count,
}

impl ReadOptions {
    /// Renders the filter and, for items, the projection after whatever `renderer`
    /// already holds; checks what DynamoDB would reject first.
    pub(crate) fn reader<'a, S: crate::KeySpace, P: Document>(
        &self,
        db: &'a Db,
        kind: ReadKind,
        mut renderer: crate::expr::Renderer,
        purpose: Purpose,
    ) -> Result<Reader<'a>> {
        let model = <S::Model as Document>::NAME;
        let page_size = match self.page_size {
            Some(0) => {
                return Err(crate::Error::Invalid {
                    model,
                    attribute: "page_size".into(),
                    reason: crate::InvalidReason::PageSize,
                })
            }
            Some(n) => Some(i32::try_from(n).unwrap_or(i32::MAX)),
            None => None,
        };
        let mut filter = self.filter.clone();
        if self.skip_expired {
            if let Some(ttl) = <S::Model as crate::Model>::TTL {
                if S::PROJECTED.is_some_and(|projected| !projected.contains(&ttl)) {
                    let source_name = format!("index `{}`", S::INDEX.unwrap_or(""));
                    return Err(crate::Error::Unprojected { model, source_name, missing: vec![ttl] });
                }
            }
            if let Some(unexpired) = super::lifecycle::unexpired_filter::<S::Model>() {
                filter = Some(crate::ops::conditional::both::<S::Model>(filter, unexpired));
            }
        }
        let filter = filter.as_ref().map(|node| renderer.condition_string(node)).transpose()?;
        // `Select=COUNT` reads no attributes, so takes no projection (DynamoDB refuses one).
        let projection = match purpose {
            Purpose::Items => projection::<S, P>(&mut renderer, &self.selected)?,
            Purpose::Count => None,
        };
        let (names, values) = renderer.finish();
        Ok(Reader {
            db,
            kind,
            table: db.table_name::<S::Model>(),
            index: S::INDEX,
            filter,
            projection,
            names,
            values,
            consistent: self.consistent,
            page_size,
            limit: self.limit,
            cursor_keys: S::CURSOR_KEYS,
        })
    }
}

/// The builder methods query and scan share, written once. `$ty { $field, … }` names
/// the builder and its own fields, to rebuild it with another result type.
macro_rules! read_options {
    ($ty:ident { $($field:ident),* }) => {
        /// Keeps only items that match (applied by DynamoDB after reading; several
        /// filters combine with AND).
        pub fn filter(mut self, condition: impl Into<$crate::expr::Condition<M>>) -> Self {
            let node = condition.into().node;
            self.options.filter = Some($crate::ops::conditional::both::<M>(self.options.filter.take(), node));
            self
        }

        /// Reads only this attribute (with any others selected, and the keys); the
        /// result still decodes into `P`, so fields not read need defaults.
        pub fn select<T, F>(mut self, path: &$crate::expr::Path<M, T, F>) -> Self {
            self.options.selected.push(path.expr.clone());
            self
        }

        /// Decodes into `Q`, reading only its attributes: a lighter struct with some of
        /// the model's fields (`#[derive(Document)]`).
        pub fn project_into<Q: $crate::Document>(self) -> $ty<'a, M, S, Q> {
            $ty { $($field: self.$field,)* options: self.options, marker: ::std::marker::PhantomData }
        }

        /// Leaves out items whose `#[dynamo(ttl)]` time has passed but which DynamoDB has
        /// not deleted yet (it deletes them only eventually).
        /// On an index that does not hold the TTL attribute, reading fails with
        /// [`Error::Unprojected`]($crate::Error::Unprojected) before sending.
        pub fn skip_expired(mut self) -> Self {
            self.options.skip_expired = true;
            self
        }

        /// A strongly consistent read (tables and local indexes only).
        pub fn consistent(mut self) -> Self {
            self.options.consistent = true;
            self
        }

        /// Returns at most `n` matching items, reading as many pages as that takes.
        pub fn limit(mut self, n: usize) -> Self {
            self.options.limit = Some(n);
            self
        }

        /// How many items DynamoDB reads per request (its `Limit`), before filtering;
        /// at least 1 (0 is an [`Error::Invalid`]($crate::Error::Invalid) before sending).
        pub fn page_size(mut self, n: u32) -> Self {
            self.options.page_size = Some(n);
            self
        }

        /// One page: up to `limit` items (or, without a limit, the first DynamoDB page
        /// that holds any) and the cursor to pass back for the next page.
        pub async fn page(self, cursor: Option<$crate::Cursor>) -> $crate::Result<$crate::Page<P>> {
            self.reader($crate::ops::read::Purpose::Items)?.walk(cursor)?.page().await
        }

        /// The matching items as a stream, reading a page only when the previous one
        /// is used up.
        pub fn stream(self) -> impl ::futures::Stream<Item = $crate::Result<P>> + Send + 'a
        where
            P: 'a,
        {
            $crate::ops::read::stream(
                self.reader($crate::ops::read::Purpose::Items).and_then(|reader| reader.walk(None)),
            )
        }

        /// The number of matching items (DynamoDB's `Select=COUNT`, summed over all
        /// pages; `limit` does not apply).
        pub async fn count(self) -> $crate::Result<u64> {
            self.reader($crate::ops::read::Purpose::Count)?.count().await
        }
    };
}
pub(crate) use read_options;
