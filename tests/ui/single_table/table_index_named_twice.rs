use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", hash = "gsi1pk"), gsi(name = "gsi1", hash = "gsi2pk"))]
struct App;

fn main() {}
