//! Files to upload: pictures made on the spot, and the multipart bodies
//! that carry them (whole, or cut short as a dropped connection would).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

const BOUNDARY: &str = "themechat-test-boundary-7Hq2";

/// A file as a client would send it.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    /// The type the client claims (the server must not believe it).
    pub claimed_type: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn new(name: &str, claimed_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            name: name.to_owned(),
            claimed_type: claimed_type.to_owned(),
            bytes,
        }
    }

    /// A PNG picture of this size, named `name`.
    pub fn png(name: &str, width: u32, height: u32) -> Self {
        Self::new(name, "image/png", png(width, height))
    }

    /// The whole `multipart/form-data` body.
    pub fn form(&self) -> Vec<u8> {
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: {}\r\n\r\n",
            self.name.replace('"', "%22"),
            self.claimed_type
        )
        .into_bytes();
        body.extend_from_slice(&self.bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        body
    }
}

/// The `Content-Type` of [`Upload::form`] bodies.
pub fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A PNG picture with a gradient (so it is no trivially small file).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("encode a PNG");
    out
}

/// Width and height of a picture.
pub fn picture_size(bytes: &[u8]) -> (u32, u32) {
    let picture = image::load_from_memory(bytes).expect("a picture that decodes");
    (picture.width(), picture.height())
}

/// Every regular file under `dir` (none when it does not exist).
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(all_files(&path));
        } else {
            found.push(path);
        }
    }
    found
}
