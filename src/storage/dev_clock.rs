use crate::domain::Millis;
use crate::platform::InfraError;
use crate::query;
use crate::storage::db::{Db, Run};

pub async fn offset(db: &Db) -> Result<Millis, InfraError> {
    let offset: Option<Millis> = query!(db, "SELECT offset_ms FROM dev_clock WHERE id = 1")
        .value("offset_ms", "Failed to read the development clock")
        .await?;
    Ok(offset.unwrap_or(0))
}

pub async fn advance(db: &Db, by: Millis) -> Result<(), InfraError> {
    query!(
        db,
        "INSERT INTO dev_clock (id, offset_ms) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET offset_ms = offset_ms + excluded.offset_ms",
        by
    )
    .execute("Failed to move the development clock")
    .await?;
    Ok(())
}
