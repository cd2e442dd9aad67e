use dynamo_model::Model;

#[derive(Model)]
#[dynamo(table = "scores")]
struct Score {
    #[dynamo(hash_key)]
    id: String,
    points: i64,
    ratio: f64,
}

fn main() {}

fn adds(db: &dynamo_model::Db) {
    // Integers add: DynamoDB adds in exact decimal and the result fits the type.
    let _ = Score::update(db, Score::key("a")).add(&Score::POINTS, 1);
    // Floats do not: the decimal sum DynamoDB stores is not the f64 sum, and a
    // bound checked in binary can be passed in decimal. Read, compute, and set
    // with a version instead.
    let _ = Score::update(db, Score::key("a")).add(&Score::RATIO, 0.5);
    let _ = Score::RATIO.plus(0.5);
    let _ = Score::RATIO.minus(0.5);
}
