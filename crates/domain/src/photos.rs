//! Photo libraries: pictures people keep on their profile, seen by whoever
//! may see that profile in full (everyone signed in for a public profile,
//! friends for a friends-only one, and always its owner).

use protocol::limits::PHOTOS_MAX;
use protocol::{Photo, PhotoId, ProfileVisibility, UserId};

use super::pictures::Picture;
use crate::error::{DomainError, DomainResult, Missing};
use storage::DbConn;
use storage::models::{PhotoRow, Stored, UserRow, now};
use storage::queries::{photos, social, users};

/// Whether `viewer` may see `owner`'s photos.
fn may_see(conn: &mut DbConn, viewer: UserId, owner: &UserRow) -> DomainResult<bool> {
    if *owner.id == viewer || owner.visibility() == ProfileVisibility::Public {
        return Ok(true);
    }
    Ok(social::are_friends(conn, viewer, *owner.id)?)
}

fn live_owner(conn: &mut DbConn, owner: UserId) -> DomainResult<UserRow> {
    users::find(conn, owner)?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(DomainError::NotFound(Missing::User))
}

/// Someone's photos, newest first, if `viewer` may see them.
pub fn list(conn: &mut DbConn, viewer: UserId, owner: UserId) -> DomainResult<Vec<Photo>> {
    let owner = live_owner(conn, owner)?;
    if !may_see(conn, viewer, &owner)? {
        return Err(DomainError::forbidden(
            "this person shows their photos to friends only",
        ));
    }
    Ok(photos::of_owner(conn, *owner.id)?
        .into_iter()
        .map(PhotoRow::into_photo)
        .collect())
}

/// Adds a decoded picture (whose bytes are stored, pending this row) to
/// the owner's library, within [`PHOTOS_MAX`] and their storage `quota`.
pub fn record(
    conn: &mut DbConn,
    owner: UserId,
    id: PhotoId,
    picture: &Picture,
    size: usize,
    quota: u64,
) -> DomainResult<Photo> {
    if photos::count_of_owner(conn, owner)? >= PHOTOS_MAX as i64 {
        return Err(DomainError::validation(format!(
            "a photo library holds at most {PHOTOS_MAX} photos; remove one first"
        )));
    }
    super::quota::reserve(conn, owner, size as u64, quota)?;
    let row = PhotoRow {
        id: Stored(id),
        owner_id: Stored(owner),
        content_type: picture.content_type.to_owned(),
        size: size as i64,
        width: picture.width as i32,
        height: picture.height as i32,
        created_at: now(),
        removed_at: None,
    };
    photos::insert(conn, &row)?;
    Ok(row.into_photo())
}

/// A photo `viewer` may fetch; anything else is not found.
pub fn readable(conn: &mut DbConn, viewer: UserId, id: PhotoId) -> DomainResult<Photo> {
    let missing = || DomainError::NotFound(Missing::Photo);
    let row = photos::find(conn, id)?.ok_or_else(missing)?;
    let owner = live_owner(conn, *row.owner_id).map_err(|_| missing())?;
    if !may_see(conn, viewer, &owner)? {
        return Err(missing());
    }
    Ok(row.into_photo())
}

/// Takes one of the owner's photos out of their library.
pub fn remove(conn: &mut DbConn, owner: UserId, id: PhotoId) -> DomainResult<()> {
    if !photos::mark_removed(conn, owner, id, now())? {
        return Err(DomainError::NotFound(Missing::Photo));
    }
    Ok(())
}

/// Up to `limit` photos whose bytes may go (removed, or of deleted accounts).
pub fn unreachable(conn: &mut DbConn, limit: i64) -> DomainResult<Vec<PhotoId>> {
    Ok(photos::unreachable(conn, limit)?)
}

/// Forgets photos whose bytes are gone from the store.
pub fn forget(conn: &mut DbConn, ids: &[PhotoId]) -> DomainResult<()> {
    photos::remove(conn, ids)?;
    Ok(())
}
