use dynamo_model::Table;

#[derive(Table)]
#[dynamo(ttl = "expires")]
struct App;

fn main() {}
