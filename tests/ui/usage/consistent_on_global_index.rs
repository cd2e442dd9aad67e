use dynamo_model::{Db, Model};

#[derive(Model, Debug)]
#[dynamo(table = "loans", gsi(name = "by_isbn", hash = isbn), lsi(name = "by_due", range = due))]
struct Loan {
    #[dynamo(hash_key)]
    member: String,
    #[dynamo(range_key)]
    id: String,
    isbn: String,
    due: String,
}

fn reads(db: &Db) {
    // Strong consistency is for the table and its local indexes.
    let _ = Loan::query(db, "m1").consistent();
    let _ = Loan::BY_DUE.query(db, "m1").consistent();
    // A global secondary index cannot be read with strong consistency.
    let _ = Loan::BY_ISBN.query(db, "978").consistent();
    let _ = Loan::BY_ISBN.scan(db).consistent();
}

fn main() {}
