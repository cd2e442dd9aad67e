use dynamo_model::Model;

// Rules the field type cannot support are rustc's to report: each error lands on
// the rule or the literal at fault, once, and nothing else is reported.
fn positive(value: &u32) -> Result<(), String> {
    if *value > 0 {
        Ok(())
    } else {
        Err("must be positive".into())
    }
}

#[derive(Model)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(validate(non_empty))]
    quota: i64,
    #[dynamo(validate(max = 10))]
    name: String,
    #[dynamo(validate(with = positive))]
    used: i64,
    #[dynamo(validate(len(max = 3)))]
    seats: Option<u8>,
}

fn main() {}
