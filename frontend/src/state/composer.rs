//! The composer's decisions: the files picked for the next message (each
//! uploading, ready or failed), and what pressing Send does with the box
//! and those files — send, save an edit, refuse with a reason, or nothing.

use protocol::Attachment;
use protocol::limits::ATTACHMENTS_MAX;
use protocol::validate::MessageBody;

/// Where one picked file's upload stands.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadState {
    Sending,
    Ready(Attachment),
    Failed(String),
}

impl UploadState {
    /// The word the page marks the file with (`data-state`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sending => "uploading",
            Self::Ready(_) => "ready",
            Self::Failed(_) => "failed",
        }
    }
}

/// A file picked for the next message; `P` is what the page keeps to show
/// it (a picture's local URL).
#[derive(Debug, Clone, PartialEq)]
pub struct Upload<P> {
    pub key: u32,
    pub name: String,
    pub state: UploadState,
    pub preview: Option<P>,
}

/// The files picked for the next message, in the order picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Uploads<P> {
    files: Vec<Upload<P>>,
    next_key: u32,
}

impl<P> Default for Uploads<P> {
    fn default() -> Self {
        Self {
            files: Vec::new(),
            next_key: 0,
        }
    }
}

/// Why a file was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// An edit changes the text only.
    Editing,
    /// A message carries at most [`ATTACHMENTS_MAX`] files.
    Full,
}

impl Refused {
    pub fn message(&self) -> String {
        match self {
            Self::Editing => "Files go with a new message, not an edit.".to_owned(),
            Self::Full => format!("A message carries at most {ATTACHMENTS_MAX} files."),
        }
    }
}

impl<P> Uploads<P> {
    pub fn files(&self) -> &[Upload<P>] {
        &self.files
    }

    /// Takes a picked file, uploading from now on; its key names it when the
    /// upload settles.
    pub fn add(&mut self, name: String, preview: Option<P>, editing: bool) -> Result<u32, Refused> {
        if editing {
            return Err(Refused::Editing);
        }
        if self.files.len() >= ATTACHMENTS_MAX {
            return Err(Refused::Full);
        }
        let key = self.next_key;
        self.next_key += 1;
        self.files.push(Upload {
            key,
            name,
            state: UploadState::Sending,
            preview,
        });
        Ok(key)
    }

    /// An upload finished (a file removed meanwhile stays removed).
    pub fn settle(&mut self, key: u32, state: UploadState) {
        if let Some(up) = self.files.iter_mut().find(|up| up.key == key) {
            up.state = state;
        }
    }

    pub fn remove(&mut self, key: u32) {
        self.files.retain(|up| up.key != key);
    }

    /// Sent: the box starts empty (keys go on, so a late upload of a sent
    /// file lands nowhere).
    pub fn clear(&mut self) {
        self.files.clear();
    }

    fn sending(&self) -> bool {
        self.files.iter().any(|up| up.state == UploadState::Sending)
    }

    fn ready(&self) -> Vec<Attachment> {
        self.files
            .iter()
            .filter_map(|up| match &up.state {
                UploadState::Ready(a) => Some(a.clone()),
                _ => None,
            })
            .collect()
    }
}

/// What Send does.
#[derive(Debug, Clone, PartialEq)]
pub enum Submit {
    /// An empty box and no file: nothing.
    Nothing,
    /// Said to the writer; the box keeps what it has.
    Refuse(String),
    /// A new message with the ready files (a failed one stays behind in the
    /// list, to remove).
    Send {
        body: String,
        files: Vec<Attachment>,
    },
    /// An edit of the message being edited (files are not part of it).
    Edit { body: String },
}

/// Decides Send from the box's text, whether an edit is under way, and
/// the picked files.
pub fn submit<P>(raw: &str, editing: bool, uploads: &Uploads<P>) -> Submit {
    let files = if editing { Vec::new() } else { uploads.ready() };
    if !editing && uploads.sending() {
        return Submit::Refuse("Wait until the files are uploaded.".to_owned());
    }
    if raw.trim().is_empty() && files.is_empty() {
        return Submit::Nothing;
    }
    let body = if raw.trim().is_empty() {
        String::new()
    } else {
        match MessageBody::parse(raw) {
            Ok(b) => b.into_inner(),
            Err(e) => return Submit::Refuse(e.0),
        }
    };
    if editing {
        Submit::Edit { body }
    } else {
        Submit::Send { body, files }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{AttachmentId, RoomId};
    use uuid::Uuid;

    fn attachment(n: u128) -> Attachment {
        Attachment {
            id: AttachmentId::from(Uuid::from_u128(n)),
            room_id: RoomId::from(Uuid::from_u128(1)),
            name: format!("f{n}.png"),
            content_type: "image/png".into(),
            size: 10,
            width: None,
            height: None,
            thumbnail: false,
        }
    }

    #[test]
    fn an_empty_box_sends_nothing() {
        let none = Uploads::<()>::default();
        assert_eq!(submit("  \n ", false, &none), Submit::Nothing);
        assert_eq!(submit("", true, &none), Submit::Nothing);
    }

    #[test]
    fn text_goes_out_trimmed_of_nothing_but_checked() {
        let none = Uploads::<()>::default();
        assert_eq!(
            submit("hello", false, &none),
            Submit::Send {
                body: "hello".into(),
                files: vec![]
            }
        );
        let long = "x".repeat(protocol::limits::MESSAGE_BODY_MAX + 1);
        assert!(matches!(submit(&long, false, &none), Submit::Refuse(_)));
    }

    #[test]
    fn files_wait_for_their_upload_and_go_without_text() {
        let mut u = Uploads::<()>::default();
        let a = u.add("a.png".into(), None, false).expect("room for a file");
        assert_eq!(
            submit("", false, &u),
            Submit::Refuse("Wait until the files are uploaded.".into())
        );
        u.settle(a, UploadState::Ready(attachment(1)));
        assert_eq!(
            submit("", false, &u),
            Submit::Send {
                body: String::new(),
                files: vec![attachment(1)]
            }
        );
    }

    #[test]
    fn a_failed_upload_stays_behind_and_the_rest_goes() {
        let mut u = Uploads::<()>::default();
        let a = u.add("a.png".into(), None, false).expect("room for a file");
        let b = u.add("b.png".into(), None, false).expect("room for a file");
        u.settle(a, UploadState::Failed("too big".into()));
        u.settle(b, UploadState::Ready(attachment(2)));
        assert_eq!(
            submit("look", false, &u),
            Submit::Send {
                body: "look".into(),
                files: vec![attachment(2)]
            }
        );
        assert_eq!(u.files()[0].state.name(), "failed");
    }

    #[test]
    fn an_edit_takes_no_files_and_ignores_their_uploads() {
        let mut u = Uploads::<()>::default();
        assert_eq!(
            u.add("a.png".into(), None, true),
            Err(Refused::Editing),
            "no file is picked into an edit"
        );
        u.add("b.png".into(), None, false).expect("room for a file");
        assert_eq!(
            submit("fixed", true, &u),
            Submit::Edit {
                body: "fixed".into()
            }
        );
    }

    #[test]
    fn a_message_carries_at_most_the_limit_of_files() {
        let mut u = Uploads::<()>::default();
        for i in 0..ATTACHMENTS_MAX {
            u.add(format!("{i}"), None, false).expect("room for a file");
        }
        assert_eq!(u.add("one more".into(), None, false), Err(Refused::Full));
        assert!(
            Refused::Full
                .message()
                .contains(&ATTACHMENTS_MAX.to_string())
        );
    }

    #[test]
    fn a_file_removed_while_uploading_stays_removed() {
        let mut u = Uploads::<()>::default();
        let a = u.add("a.png".into(), None, false).expect("room for a file");
        u.remove(a);
        u.settle(a, UploadState::Ready(attachment(1)));
        assert!(u.files().is_empty());
        let b = u.add("b.png".into(), None, false).expect("room for a file");
        assert_ne!(a, b, "keys are never reused");
        u.clear();
        u.settle(b, UploadState::Ready(attachment(2)));
        assert!(u.files().is_empty(), "sent: a late upload lands nowhere");
    }
}
