//! What query and scan share: one compiled request, walked page by page, with `limit`
//! counting matching items rather than items read.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::compile::{CompiledRead, Compiler, KeyRole, ReadKind};
use crate::cursor::{Cursor, CursorSpec, Page, SortKeys};
use crate::error::{Error, RequestReason};
use crate::expr::{Node, Operand, PathExpr};
use crate::{Db, Document, Item, KeySpace, Model, Result};

/// The model, key space and result type a query or scan is typed by.
pub(crate) type ReadTypes<M, S, P> = PhantomData<fn() -> (M, S, P)>;

/// A compiled read and what walking its pages needs.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    pub(crate) db: &'a Db,
    pub(crate) read: CompiledRead,
    pub(crate) limit: Option<usize>,
    pub(crate) cursor: CursorSpec,
    pub(crate) cursor_keys: &'static [&'static str],
}

/// One DynamoDB response.
struct RawPage {
    items: Vec<Item>,
    last_key: Option<Item>,
    count: u64,
}

impl RawPage {
    fn new(items: Option<Vec<Item>>, last_key: Option<Item>, count: i32) -> Self {
        Self {
            items: items.unwrap_or_default(),
            last_key: last_key.filter(|key| !key.is_empty()),
            count: u64::try_from(count).unwrap_or(0),
        }
    }
}

impl<'a> Reader<'a> {
    /// One page, starting after `start`.
    async fn fetch(&self, start: Option<Item>) -> Result<RawPage> {
        let client = self.db.client();
        let table = &self.read.table;
        match self.read.kind {
            ReadKind::Query { descending } => {
                let request = self.read.query(client, descending, start);
                let output = self
                    .db
                    .send_on(
                        "Query",
                        table,
                        self.read.index,
                        request.set_return_consumed_capacity(self.db.capacity()).send(),
                    )
                    .await?;
                Ok(RawPage::new(output.items, output.last_evaluated_key, output.count))
            }
            ReadKind::Scan { segment } => {
                let request = self.read.scan(client, segment, start);
                let output = self
                    .db
                    .send_on(
                        "Scan",
                        table,
                        self.read.index,
                        request.set_return_consumed_capacity(self.db.capacity()).send(),
                    )
                    .await?;
                Ok(RawPage::new(output.items, output.last_evaluated_key, output.count))
            }
        }
    }

    /// The number of matching items over all pages.
    pub(crate) async fn count(&self) -> Result<u64> {
        let mut start = None;
        let mut total = 0;
        loop {
            let page = self.fetch(start).await?;
            total += page.count;
            match page.last_key {
                Some(key) => start = Some(key),
                None => return Ok(total),
            }
        }
    }

    /// Starts walking the pages, from `cursor` if given (checked against this read).
    pub(crate) fn walk(self, cursor: Option<Cursor>) -> Result<Walk<'a>> {
        let start = cursor.map(|cursor| self.cursor.decode(&cursor)).transpose()?;
        let remaining = self.limit;
        Ok(Walk { done: remaining == Some(0), reader: self, start, remaining })
    }

    fn key_of(&self, item: &Item) -> Item {
        self.cursor_keys
            .iter()
            .filter_map(|name| item.get(*name).map(|value| ((*name).to_owned(), value.clone())))
            .collect()
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
        let page = self.reader.fetch(self.start.take()).await?;
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
        if next.as_ref().is_some_and(|key| self.reader.cursor.at_end(key)) {
            next = None;
        }
        if next.is_none() {
            self.done = true;
        }
        self.start = next;
        Ok(Some(items))
    }

    /// Where the walk would go on; `None` once nothing is left.
    fn cursor(&self) -> Option<Cursor> {
        self.start.as_ref().map(|key| self.reader.cursor.encode(key))
    }

    /// Everything the walk yields.
    pub(crate) async fn collect<P: Document>(self) -> Result<Vec<P>> {
        self.collect_with(P::from_item).await
    }

    /// Everything the walk yields, each item read by `decode`.
    pub(crate) async fn collect_with<P>(mut self, decode: fn(Item) -> Result<P>) -> Result<Vec<P>> {
        let mut out = Vec::new();
        while let Some(items) = self.next_page().await? {
            out.reserve(items.len());
            for item in items {
                out.push(decode(item)?);
            }
        }
        Ok(out)
    }

    /// One page for a caller: up to `limit` items, or with no limit the first
    /// DynamoDB page that holds any, and where to resume.
    pub(crate) async fn page<P: Document>(self) -> Result<Page<P>> {
        self.page_with(P::from_item).await
    }

    /// [`Walk::page`], each item read by `decode`.
    pub(crate) async fn page_with<P>(mut self, decode: fn(Item) -> Result<P>) -> Result<Page<P>> {
        let mut out = Vec::new();
        while let Some(items) = self.next_page().await? {
            for item in items {
                out.push(decode(item)?);
            }
            if self.remaining.is_none() && !out.is_empty() {
                break;
            }
        }
        Ok(Page { items: out, cursor: self.cursor() })
    }
}

/// The items of a walk as a stream, pulling a page only when the previous one is used up.
pub(crate) fn stream<'a, P: Document + 'a>(
    walk: Result<Walk<'a>>,
) -> impl futures::Stream<Item = Result<P>> + Send + 'a {
    stream_with(walk, P::from_item)
}

/// [`stream`], each item read by `decode`.
pub(crate) fn stream_with<'a, P: Send + 'a>(
    walk: Result<Walk<'a>>,
    decode: fn(Item) -> Result<P>,
) -> impl futures::Stream<Item = Result<P>> + Send + 'a {
    use futures::{stream, TryStreamExt};
    stream::once(async move { walk })
        .map_ok(|walk| {
            stream::try_unfold(walk, |mut walk| async move { Ok(walk.next_page().await?.map(|items| (items, walk))) })
        })
        .try_flatten()
        .map_ok(move |items| stream::iter(items.into_iter().map(decode)))
        .try_flatten()
}

/// A selection reads every attribute the result cannot do without, whole or in part
/// (keys are always read): the result is decoded from what is read.
fn selection_reads_what_is_needed<S: KeySpace, P: Document>(selected: &[PathExpr]) -> Result<()> {
    if selected.is_empty() {
        return Ok(());
    }
    let mut required = Vec::new();
    P::__required_attributes(&mut required);
    let read = |name: &str| selected.iter().any(|path| path.root == name);
    let restores = is_model::<S, P>();
    let missing: Vec<String> = required
        .into_iter()
        .filter(|name| !(read(name) || S::CURSOR_KEYS.contains(name) || (restores && restored::<S>(name))))
        .map(str::to_owned)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Unprojected { model: <S::Model as Document>::NAME, source_name: "the selection".to_owned(), missing })
}

/// `Error::Unprojected` naming the attributes among `names` that the index `S` does
/// not hold (each once); `purpose` ends the name of the source.
fn unprojected<'n, S: KeySpace>(names: impl Iterator<Item = &'n str>, purpose: &str, restores: bool) -> Result<()> {
    let Some(projected) = S::PROJECTED else { return Ok(()) };
    let mut missing: Vec<String> = Vec::new();
    for name in names.filter(|name| !(projected.contains(name) || (restores && restored::<S>(name)))) {
        if !missing.iter().any(|m| m == name) {
            missing.push(name.to_owned());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let source_name = format!("index `{}`{purpose}", S::INDEX.unwrap_or(""));
    Err(Error::Unprojected { model: <S::Model as Document>::NAME, source_name, missing })
}

/// Whether the model of `S` reads field `name` back from the keys every read of `S`
/// returns (a field of a template of the table's keys or of this index's).
fn restored<S: KeySpace>(name: &str) -> bool {
    <S::Model as Model>::ENTITY.is_some_and(|entity| {
        entity.templates.iter().any(|t| (t.index.is_none() || t.index == S::INDEX) && t.uses(name))
    })
}

/// Whether `P` is the model of `S` itself, whose decoding restores fields from the keys.
fn is_model<S: KeySpace, P: Document>() -> bool {
    P::NAME == <S::Model as Document>::NAME && P::ATTRIBUTES == <S::Model as Document>::ATTRIBUTES
}

/// What a read returns: chosen paths, or the attributes of the result type; checked
/// against what the index holds. Key attributes are always read, for the cursor.
fn projection<S: KeySpace, P: Document>(selected: &[PathExpr]) -> Result<Option<Vec<PathExpr>>> {
    let needed: Vec<&str> =
        if selected.is_empty() { P::ATTRIBUTES.to_vec() } else { selected.iter().map(|path| path.root).collect() };
    unprojected::<S>(needed.iter().copied(), "", is_model::<S, P>())?;
    if selected.is_empty() && P::ATTRIBUTES == <S::Model as Document>::ATTRIBUTES {
        return Ok(None);
    }
    let mut paths: Vec<PathExpr> = if selected.is_empty() {
        P::ATTRIBUTES.iter().map(|name| PathExpr::attribute(name)).collect()
    } else {
        selected.to_vec()
    };
    // A field the model reads back from the keys is not asked of an index that does
    // not hold it (DynamoDB would refuse the projection).
    if let (Some(projected), true) = (S::PROJECTED, is_model::<S, P>()) {
        paths.retain(|path| projected.contains(&path.root) || !restored::<S>(path.root));
    }
    for key in S::CURSOR_KEYS {
        if !paths.iter().any(|p| p.root == *key && p.tail.is_empty()) {
            paths.push(PathExpr::attribute(key));
        }
    }
    Ok(Some(paths))
}

/// What query and scan both take: filter, projection, consistency and the two limits.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadOptions {
    pub(crate) filter: Option<Node>,
    pub(crate) selected: Vec<PathExpr>,
    pub(crate) consistent: bool,
    pub(crate) limit: Option<usize>,
    pub(crate) page_size: Option<u32>,
    pub(crate) skip_expired: bool,
    /// Why a selected path may not be read (it lies inside a field stored through `with`
    /// or `serde`).
    pub(crate) unreadable: Option<RequestReason>,
    /// A collection's marker attribute and values: the items kept (instead of the
    /// model's own marker).
    pub(crate) entities: Option<(&'static str, &'static [&'static str])>,
    /// The filter that makes a templated sort-key comparison exact (see `SortKey`).
    pub(crate) range_filter: Option<Node>,
}

/// What a read request is for: items (with their projection) or only their count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Items,
    Count,
}

/// The key condition of a query: its partition key value and sort-key condition.
#[derive(Debug, Clone)]
pub(crate) struct KeyCondition {
    pub(crate) hash: Operand,
    pub(crate) range: Option<Node>,
}

/// The attributes of a `LastEvaluatedKey` of key space `S`, with their types and roles.
fn cursor_keys<S: KeySpace>() -> Vec<(crate::KeyDef, KeyRole)> {
    let table = <S::Model as Model>::KEY_SCHEMA;
    let mut keys: Vec<(crate::KeyDef, KeyRole)> = Vec::with_capacity(4);
    let all = [
        (Some(table.hash), KeyRole::Hash),
        (table.range, KeyRole::Range),
        (Some(S::HASH), KeyRole::Hash),
        (S::RANGE, KeyRole::Range),
    ];
    for (key, role) in all {
        if let Some(key) = key.filter(|key| !keys.iter().any(|(k, _)| k.name == key.name)) {
            keys.push((key, role));
        }
    }
    keys
}

impl ReadOptions {
    /// Compiles the read: key condition (for a query), filter and, for items, the
    /// projection; checks what DynamoDB would reject first.
    pub(crate) fn reader<'a, S: KeySpace, P: Document>(
        &self,
        db: &'a Db,
        kind: ReadKind,
        key: Option<&KeyCondition>,
        purpose: Purpose,
    ) -> Result<Reader<'a>> {
        let model = <S::Model as Document>::NAME;
        let request = |reason| Error::InvalidRequest { model, reason };
        let page_size = match self.page_size {
            Some(0) => return Err(request(RequestReason::PageSize)),
            Some(n) => Some(i32::try_from(n).unwrap_or(i32::MAX)),
            None => None,
        };
        let mut compiler = Compiler::new(model);
        if let Some(key) = key {
            let hash = Node::Compare {
                left: Operand::Path(PathExpr::attribute(S::HASH.name)),
                op: crate::expr::Comparator::Eq,
                right: key.hash.clone(),
            };
            compiler.key_condition(&hash, key.range.as_ref())?;
        }
        let mut filter = self.filter.clone();
        // Items of other models sharing the table are left out by DynamoDB, so `limit`
        // counts only this model's (or the collection's) items.
        let marker = match (&self.entities, <S::Model as Model>::ENTITY) {
            (Some((attribute, names)), _) => Some(crate::single_table::markers_filter(attribute, names)),
            (None, Some(entity)) => Some(entity.marker_condition()),
            (None, None) => None,
        };
        if let Some(marker) = marker {
            filter = Some(super::conditional::both::<S::Model>(filter, marker));
        }
        if let Some(exact) = &self.range_filter {
            filter = Some(super::conditional::both::<S::Model>(filter, exact.clone()));
        }
        if self.skip_expired {
            if let Some(unexpired) = crate::compile::lifecycle::unexpired_filter::<S::Model>() {
                filter = Some(super::conditional::both::<S::Model>(filter, unexpired));
            }
        }
        // The keys of what is queried go in the key condition; DynamoDB refuses them in the
        // filter (the TTL filter of `skip_expired` included).
        if let (Some(filter), Some(_)) = (&filter, key) {
            let keys = [Some(S::HASH.name), S::RANGE.map(|range| range.name)];
            if let Some(attribute) = filter.paths().into_iter().find(|path| keys.contains(&Some(path.root))) {
                return Err(request(RequestReason::FilterOnKey { attribute: attribute.root.to_owned() }));
            }
        }
        // A query or scan of an index filters what the index holds only: DynamoDB would
        // see any other attribute as absent (DynamoDB Local reads it from the item, so a
        // test there would pass where AWS matches nothing).
        // (The TTL filter of `skip_expired` included.)
        if let Some(filter) = &filter {
            unprojected::<S>(filter.paths().iter().map(|path| path.root), " (for the filter)", false)?;
        }
        compiler.filter(filter.as_ref())?;
        // `Select=COUNT` reads no attributes, so takes no projection (DynamoDB refuses one).
        if purpose == Purpose::Items {
            if let Some(reason) = &self.unreadable {
                return Err(request(reason.clone()));
            }
            if let Some(mut paths) = projection::<S, P>(&self.selected)? {
                // The marker is read to check it.
                if let Some(entity) = <S::Model as Model>::ENTITY {
                    if !paths.iter().any(|p| p.root == entity.attribute) {
                        paths.push(PathExpr::attribute(entity.attribute));
                    }
                }
                compiler.projection(&paths)?;
            }
        }
        let expressions = compiler.finish()?;
        if purpose == Purpose::Items {
            selection_reads_what_is_needed::<S, P>(&self.selected)?;
        }
        let table = db.table_name::<S::Model>();
        let partition = key.and_then(|key| match &key.hash {
            Operand::Value(value) => Some((S::HASH.name, value.clone())),
            _ => None,
        });
        let sort_keys = if S::INDEX.is_some() { SortKeys::Repeating } else { SortKeys::Unique };
        let range =
            key.and_then(|key| key.range.clone()).zip(S::RANGE).map(|(node, range)| (range.name, node, sort_keys));
        let descending = matches!(kind, ReadKind::Query { descending: true });
        let cursor = crate::cursor::CursorSpec::new(
            &table,
            S::INDEX,
            cursor_keys::<S>(),
            partition,
            range,
            descending,
            db.cursor_key().cloned(),
        );
        Ok(Reader {
            db,
            read: CompiledRead {
                table,
                index: S::INDEX,
                kind,
                expressions,
                consistent: self.consistent,
                page_size,
                count_only: purpose == Purpose::Count,
            },
            limit: self.limit,
            cursor,
            cursor_keys: S::CURSOR_KEYS,
        })
    }
}

/// The key-condition operand of a key value for key `def`: encoded, then checked as a
/// key (its type, not empty, within its role's size).
pub(crate) fn key_operand(
    path: &PathExpr,
    def: crate::KeyDef,
    role: KeyRole,
    encoded: std::result::Result<Option<AttributeValue>, crate::EncodeError>,
) -> Operand {
    let checked = encoded.and_then(|value| match value {
        Some(value) => crate::compile::values::check_key(def.scalar, role, &value)
            .map(|()| Some(value))
            .map_err(crate::EncodeError::new),
        None => Ok(None),
    });
    Operand::encoded(path, checked)
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

        /// Reads only this attribute (with any others selected, and the keys): a
        /// projection (see [`Scan`]($crate::ops::Scan)'s example). The result still
        /// decodes into `P`, so fields not read need defaults; a path inside a field
        /// (`.then`, `.index`, `.key`) reads that part only.
        pub fn select<T, F>(mut self, path: &$crate::expr::Path<M, T, F>) -> Self {
            if let Some(reason) = path.unseen(false) {
                self.options.unreadable.get_or_insert(reason);
            }
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

        /// A strongly consistent read (tables and local indexes only: on a global
        /// secondary index this does not compile).
        pub fn consistent(mut self) -> Self
        where
            S: $crate::ConsistentRead,
        {
            self.options.consistent = true;
            self
        }

        /// Returns at most `n` matching items, reading as many pages as that takes.
        pub fn limit(mut self, n: usize) -> Self {
            self.options.limit = Some(n);
            self
        }

        /// How many items DynamoDB reads per request (its `Limit`), before filtering;
        /// at least 1 (0 is an [`Error::InvalidRequest`]($crate::Error::InvalidRequest) before sending).
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
