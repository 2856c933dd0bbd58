//! Messages as clients see them: the stored row and sender, plus what is
//! read apart, for a whole page in a few statements (reactions and
//! attachments).

use protocol::Message;

use crate::error::DomainResult;
use crate::{attachments, reactions};
use storage::DbConn;

/// Fills in what a message shows besides its row.
pub fn complete<'a>(
    conn: &mut DbConn,
    messages: impl IntoIterator<Item = &'a mut Message>,
) -> DomainResult<()> {
    let mut all: Vec<&mut Message> = messages.into_iter().collect();
    reactions::attach(conn, all.iter_mut().map(|m| &mut **m))?;
    attachments::fill(conn, all)
}

/// `messages`, complete.
pub fn completed(conn: &mut DbConn, mut messages: Vec<Message>) -> DomainResult<Vec<Message>> {
    complete(conn, messages.iter_mut())?;
    Ok(messages)
}
