//! Trust at the edges (issue 22): limits on what one account can make the
//! server do or keep. Each test failed on the code before its fix.

mod edits;
mod file_names;
mod friend_requests;
mod pictures;
mod uploads;
