use dynamo_model::{Db, Model};

#[derive(Model, Debug)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

#[derive(Model, Debug)]
#[dynamo(table = "notes")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
}

fn writes(db: &Db, accounts: Vec<Account>, notes: Vec<Note>) {
    // A model without a version may be batch-put.
    let _ = Note::batch_put(db, notes);
    // Overwriting a versioned model on purpose is spelled out.
    let _ = Account::batch_overwrite(db, &accounts);
    // A batch cannot check the version: this does not compile.
    let _ = Account::batch_put(db, &accounts);
    let _ = db.batch_write().put(&accounts[0]);
}

fn main() {}
