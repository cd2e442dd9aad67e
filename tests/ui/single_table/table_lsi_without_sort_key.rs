use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app", range = none, lsi(name = "lsi1", range = "lsi1sk"))]
struct App;

fn main() {}
