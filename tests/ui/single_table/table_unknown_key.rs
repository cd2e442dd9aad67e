use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app", sort = "sk")]
struct App;

fn main() {}
