use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app", gsi(name = "gsi1", range = "gsi1sk"))]
struct App;

fn main() {}
