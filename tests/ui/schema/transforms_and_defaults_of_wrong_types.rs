use dynamo_model::Model;

// Functions and expressions of the wrong type are reported on the path or the
// string that names them, once each (for `set = trim`, what it takes and what it
// returns), whichever of `to_item`, `from_item` or the path constant uses them.
fn trim(value: &str) -> String {
    value.trim().to_owned()
}

fn shout(value: &String) -> String {
    value.to_uppercase()
}

fn three() -> u32 {
    3
}

fn trim_text(value: &String) -> String {
    value.trim().to_owned()
}

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(set = trim)]
    name: i64,
    #[dynamo(get = shout)]
    motto: String,
    #[dynamo(default = "\"three\"")]
    seats: u32,
    #[dynamo(default_fn = three, set = trim_text)]
    code: Option<String>,
}

fn main() {}
