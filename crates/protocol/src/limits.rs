//! Input limits of the API, shared by server and web app.

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const ROOM_NAME_MAX: usize = 64;
pub const ROOM_TOPIC_MAX: usize = 512;
pub const MESSAGE_BODY_MAX: usize = 4000;
pub const BIO_MAX: usize = 1000;
pub const INTERESTS_MAX: usize = 20;
pub const INTEREST_MAX: usize = 40;
pub const URL_MAX: usize = 2048;
pub const EMAIL_MAX: usize = 254;
pub const CLIENT_ID_MAX: usize = 64;
pub const REASON_MAX: usize = 500;
pub const SEARCH_QUERY_MAX: usize = 200;
/// A bot's description.
pub const DESCRIPTION_MAX: usize = 500;
/// The name of a token or a webhook.
pub const LABEL_MAX: usize = 64;
/// Distinct `@mentions` of one message that notify; further ones are text.
pub const MENTIONS_MAX: usize = 20;
/// Largest request body and WebSocket frame, in bytes.
pub const BODY_MAX_BYTES: usize = 64 * 1024;
/// Pinned messages one room may have.
pub const PINS_MAX: usize = 50;
/// Different emoji one message may carry.
pub const REACTIONS_MAX: usize = 20;
/// Longest emoji sequence accepted as one reaction, in bytes.
pub const EMOJI_MAX_BYTES: usize = 32;
/// Files one message may carry.
pub const ATTACHMENTS_MAX: usize = 10;
/// Longest file name kept for an attachment, in characters (longer ones
/// are shortened, keeping the extension).
pub const FILE_NAME_MAX: usize = 200;
/// Largest side of an attachment's thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
/// Pictures one person's photo library holds.
pub const PHOTOS_MAX: usize = 200;
/// Side of a stored avatar (always square), in pixels.
pub const AVATAR_SIDE: u32 = 256;
pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;

/// Clamps a requested page size to the API's rules: default 50, at most 200.
pub fn page_size(requested: Option<i64>) -> i64 {
    requested.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}
