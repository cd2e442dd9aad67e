use dynamo_model::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Settings {
    theme: String,
}

#[derive(Model)]
#[dynamo(table = "profiles")]
struct Profile {
    #[dynamo(hash_key)]
    id: String,
    // serde stores both `None` and `Some(None)` as NULL and reads NULL back as
    // `None`, so the inner `Option` cannot be kept.
    #[dynamo(serde)]
    settings: Option<Option<Settings>>,
}

fn main() {}
