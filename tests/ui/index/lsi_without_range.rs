use dynamo_model::Model;

// A local index re-sorts the items of one partition: the table needs a range key.
#[derive(Model)]
#[dynamo(table = "users", lsi(name = "by_age", range = age))]
struct User {
    #[dynamo(hash_key)]
    id: String,
    age: u32,
}

// A local index without its own range key.
#[derive(Model)]
#[dynamo(table = "orders", lsi(name = "by_total"))]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
    #[dynamo(range_key)]
    order_id: String,
    total: i64,
}

// A local index sorted like the table, or by the hash key it already has.
#[derive(Model)]
#[dynamo(table = "carts", lsi(name = "by_item", range = item_id), lsi(name = "by_cart", range = cart_id))]
struct Cart {
    #[dynamo(hash_key)]
    cart_id: String,
    #[dynamo(range_key)]
    item_id: String,
}

fn main() {}
