use dynamo_model::Collection;

#[derive(Collection)]
enum UserData {}

fn main() {}
