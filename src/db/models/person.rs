//! Natural persons named by listings, keyed by ID number, with their travel documents.

use chrono::Utc;
use diesel::{ExpressionMethods, insert_into, upsert::excluded};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::{
    db::schema::{person_documents, persons},
    domain::{
        id_number::IdNumber,
        name::{PersonName, fold_name},
    },
};

#[derive(Clone)]
pub struct PersonRecord {
    pub id_number: String,
    pub name: String,
    pub documents: Vec<(String, String)>,
}

impl std::fmt::Debug for PersonRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonRecord(<redacted>)")
    }
}

impl PersonRecord {
    pub fn new(id: &IdNumber, name: &PersonName, docs: &[(String, String)]) -> Self {
        PersonRecord {
            id_number: id.as_str().to_string(),
            name: name.as_str().to_string(),
            documents: docs.to_vec(),
        }
    }

    /// Records the person (latest name wins) and binds its documents.
    pub async fn upsert(&self, conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
        insert_into(persons::table)
            .values((
                persons::id_number.eq(&self.id_number),
                persons::name.eq(&self.name),
                persons::name_folded.eq(fold_name(&self.name)),
                persons::updated_at.eq(Utc::now()),
            ))
            .on_conflict(persons::id_number)
            .do_update()
            .set((
                persons::name.eq(excluded(persons::name)),
                persons::name_folded.eq(excluded(persons::name_folded)),
                persons::updated_at.eq(excluded(persons::updated_at)),
            ))
            .execute(conn)
            .await?;
        for (t, n) in &self.documents {
            insert_into(person_documents::table)
                .values((
                    person_documents::id_number.eq(&self.id_number),
                    person_documents::doc_type.eq(t),
                    person_documents::doc_number.eq(n),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}
