use dynamo_model::{Model, Table};

// An index keyed on the table's own keys (an inverted index).
#[derive(Table)]
#[dynamo(name = "app", gsi(name = "inverted", hash = "sk", range = "pk"))]
struct App;

#[derive(Model)]
#[dynamo(
    table = App,
    hash = "STUDENT#{student}",
    range = "COURSE#{course}",
    gsi(name = "inverted", hash = "COURSE#{course}", range = "STUDENT#{student}")
)]
struct Enrollment {
    student: String,
    course: String,
}

fn main() {}
