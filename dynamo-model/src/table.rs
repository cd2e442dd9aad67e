//! Table management: create, delete and check the table of a model.
//!
//! Tables are only ever created by asking: no read or write creates one as a side effect.

use std::marker::PhantomData;
use std::time::Duration;

use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex, Projection,
    ProjectionType, ProvisionedThroughput, StreamSpecification, StreamViewType, TableStatus, TimeToLiveSpecification,
};

use aws_sdk_dynamodb::client::Waiters;

use crate::error::Error;
use crate::single_table::{StreamView, TableDef};
use crate::{Db, IndexKind, IndexProjection, KeyDef, Result};

/// How long [`CreateTable`] and [`DeleteTable`] wait for the table to settle.
const SETTLE_WAIT: Duration = Duration::from_secs(300);

/// Creates a model's table from its key schema and waits until it is active. Made by
/// [`Model::create_table`](crate::Model::create_table) or
/// [`Table::create_table`](crate::Table::create_table); awaits to `()`.
///
/// Billing is on-demand unless [`CreateTable::provisioned`] is called. A model with a
/// `#[dynamo(ttl)]` attribute also gets it enabled as the table's time to live.
///
/// ```no_run
/// # use dynamo_model::{Db, Model};
/// # #[derive(Model)] #[dynamo(table = "orders")]
/// # struct Order { #[dynamo(hash_key)] customer_id: String }
/// # async fn run(db: &Db) -> dynamo_model::Result<()> {
/// if !Order::table_exists(db).await? {
///     Order::create_table(db).await?;
/// }
/// # Ok(()) }
/// ```
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CreateTable<'a, M> {
    db: &'a Db,
    def: TableDef,
    throughput: Option<(i64, i64)>,
    model: PhantomData<fn() -> M>,
}

impl<'a, M> CreateTable<'a, M> {
    pub(crate) fn for_table(db: &'a Db, def: TableDef) -> Self {
        Self { db, def, throughput: None, model: PhantomData }
    }

    /// Provisioned capacity instead of on-demand billing.
    pub fn provisioned(mut self, read_capacity_units: i64, write_capacity_units: i64) -> Self {
        self.throughput = Some((read_capacity_units, write_capacity_units));
        self
    }

    /// Enables the table's DynamoDB stream with the given view, whether or not its
    /// declaration names one (`#[derive(Table)]`'s `stream = ...`).
    pub fn stream(mut self, view: StreamView) -> Self {
        self.def.stream = Some(view);
        self
    }

    /// The `CreateTable` request this operation sends, unsent.
    pub fn request(&self) -> CreateTableFluentBuilder {
        let schema = self.def.key;
        let mut request = self.db.client().create_table().table_name(self.db.prefixed(self.def.name));
        let mut defined: Vec<&str> = Vec::new();
        let mut define = |request: CreateTableFluentBuilder, key: KeyDef| {
            if defined.contains(&key.name) {
                return request;
            }
            defined.push(key.name);
            request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(key.name)
                    .attribute_type(key.scalar.into())
                    .build()
                    .expect("attribute name and type are set"),
            )
        };
        request = define(request, schema.hash);
        if let Some(range) = schema.range {
            request = define(request, range);
        }
        request = request.set_key_schema(Some(key_schema(schema.hash, schema.range)));
        for index in self.def.indexes {
            request = define(request, index.hash);
            if let Some(range) = index.range {
                request = define(request, range);
            }
            let keys = Some(key_schema(index.hash, index.range));
            let projection = Some(projection(index.projection));
            request = match index.kind {
                IndexKind::Global => request.global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name)
                        .set_key_schema(keys)
                        .set_projection(projection)
                        .set_provisioned_throughput(self.throughput.map(throughput))
                        .build()
                        .expect("name, keys and projection are set"),
                ),
                IndexKind::Local => request.local_secondary_indexes(
                    LocalSecondaryIndex::builder()
                        .index_name(index.name)
                        .set_key_schema(keys)
                        .set_projection(projection)
                        .build()
                        .expect("name, keys and projection are set"),
                ),
            };
        }
        if let Some(view) = self.def.stream {
            request = request.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(view.as_str()))
                    .build()
                    .expect("stream_enabled is set"),
            );
        }
        match self.throughput {
            None => request.billing_mode(BillingMode::PayPerRequest),
            Some(capacity) => {
                request.billing_mode(BillingMode::Provisioned).provisioned_throughput(throughput(capacity))
            }
        }
    }

    async fn send(self) -> Result<()> {
        let table = self.db.prefixed(self.def.name);
        let output = self.db.send("CreateTable", &table, self.request().send()).await?;
        let status = output.table_description.and_then(|t| t.table_status);
        if status != Some(TableStatus::Active) {
            self.db
                .client()
                .wait_until_table_exists()
                .table_name(&table)
                .wait(SETTLE_WAIT)
                .await
                .map_err(|e| Error::Wait { table: table.clone(), source: Box::new(e) })?;
        }
        if let Some(ttl) = self.def.ttl {
            let specification = TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(ttl)
                .build()
                .expect("enabled and attribute name are set");
            let request =
                self.db.client().update_time_to_live().table_name(&table).time_to_live_specification(specification);
            self.db.send("UpdateTimeToLive", &table, request.send()).await?;
        }
        Ok(())
    }
}

/// Deletes a model's table and waits until it is gone. Made by [`Model::delete_table`](crate::Model::delete_table);
/// awaits to `()`.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DeleteTable<'a, M> {
    db: &'a Db,
    def: TableDef,
    model: PhantomData<fn() -> M>,
}

impl<'a, M> DeleteTable<'a, M> {
    pub(crate) fn for_table(db: &'a Db, def: TableDef) -> Self {
        Self { db, def, model: PhantomData }
    }

    async fn send(self) -> Result<()> {
        let table = self.db.prefixed(self.def.name);
        let request = self.db.client().delete_table().table_name(&table);
        self.db.send("DeleteTable", &table, request.send()).await?;
        self.db
            .client()
            .wait_until_table_not_exists()
            .table_name(&table)
            .wait(SETTLE_WAIT)
            .await
            .map_err(|e| Error::Wait { table, source: Box::new(e) })?;
        Ok(())
    }
}

/// Whether a model's table exists. Made by [`Model::table_exists`](crate::Model::table_exists); awaits to `bool`.
#[must_use = "an operation does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct TableExists<'a, M> {
    db: &'a Db,
    def: TableDef,
    model: PhantomData<fn() -> M>,
}

impl<'a, M> TableExists<'a, M> {
    pub(crate) fn for_table(db: &'a Db, def: TableDef) -> Self {
        Self { db, def, model: PhantomData }
    }

    async fn send(self) -> Result<bool> {
        let table = self.db.prefixed(self.def.name);
        let request = self.db.client().describe_table().table_name(&table);
        match self.db.send("DescribeTable", &table, request.send()).await {
            Ok(_) => Ok(true),
            Err(Error::TableNotFound { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

fn key_schema(hash: KeyDef, range: Option<KeyDef>) -> Vec<KeySchemaElement> {
    std::iter::once((hash, KeyType::Hash))
        .chain(range.map(|range| (range, KeyType::Range)))
        .map(|(key, key_type)| {
            KeySchemaElement::builder()
                .attribute_name(key.name)
                .key_type(key_type)
                .build()
                .expect("attribute name and key type are set")
        })
        .collect()
}

fn projection(projection: IndexProjection) -> Projection {
    match projection {
        IndexProjection::All => Projection::builder().projection_type(ProjectionType::All).build(),
        IndexProjection::KeysOnly => Projection::builder().projection_type(ProjectionType::KeysOnly).build(),
        IndexProjection::Include(attributes) => Projection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(attributes.iter().map(|a| (*a).to_owned()).collect()))
            .build(),
    }
}

fn throughput((read, write): (i64, i64)) -> ProvisionedThroughput {
    ProvisionedThroughput::builder()
        .read_capacity_units(read)
        .write_capacity_units(write)
        .build()
        .expect("both capacities are set")
}

/// Makes a table operation awaitable, for a model's table or a shared [`Table`](crate::Table).
macro_rules! table_awaitable {
    ($op:ident => $output:ty) => {
        impl<'a, M: 'a> ::std::future::IntoFuture for $op<'a, M> {
            type Output = Result<$output>;
            type IntoFuture = crate::ops::OpFuture<'a, $output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

table_awaitable!(CreateTable => ());
table_awaitable!(DeleteTable => ());
table_awaitable!(TableExists => bool);
