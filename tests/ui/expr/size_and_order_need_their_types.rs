use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    count: u32,
    active: bool,
    tags: Vec<String>,
}

fn main() {
    // `size()` is defined on strings, binaries, lists, maps and sets.
    let _ = Thing::TAGS.size().gt(1);
    let _ = Thing::COUNT.size().gt(1);
    // DynamoDB orders strings, numbers and binaries only.
    let _ = Thing::COUNT.lt(3);
    let _ = Thing::ACTIVE.lt(true);
    let _ = Thing::TAGS.between(vec![], vec![]);
}
