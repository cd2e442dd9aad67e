use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "numbers")]
union Number {
    int: i64,
    float: f64,
}

fn main() {}
