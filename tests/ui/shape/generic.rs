use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "events")]
struct Event<T> {
    #[dynamo(hash_key)]
    id: String,
    payload: T,
}

#[derive(Model)]
#[dynamo(table = "notes")]
struct Note<'a> {
    #[dynamo(hash_key)]
    id: String,
    text: std::borrow::Cow<'a, str>,
}

fn main() {}
