use dynamo_model::Table;

// The marker would overwrite every item's sort key.
#[derive(Table)]
#[dynamo(name = "app", entity_attribute = "sk")]
struct Marked;

// The TTL would overwrite an index key.
#[derive(Table)]
#[dynamo(name = "app2", ttl = "gsi1pk", gsi(name = "gsi1", hash = "gsi1pk"))]
struct Expiring;

fn main() {}
