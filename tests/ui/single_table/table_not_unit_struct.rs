use dynamo_model::Table;

#[derive(Table)]
#[dynamo(name = "app")]
struct App {
    name: String,
}

fn main() {}
