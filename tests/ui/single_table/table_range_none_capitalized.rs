use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app", range = None)]
struct App;

fn main() {}
