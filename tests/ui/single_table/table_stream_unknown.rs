use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app", stream = both)]
struct AppTable;

fn main() {}
