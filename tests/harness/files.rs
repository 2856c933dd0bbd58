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

/// A PNG of `width` × `height` black pixels, one bit each: a few
/// kilobytes that decode into one byte per pixel or more. What a
/// decompression bomb looks like, and a cheap way to make a picture of many
/// pixels (writing it costs the test next to nothing).
pub fn black_png(width: u32, height: u32) -> Vec<u8> {
    use std::io::Write;
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 1, greyscale, deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[1, 0, 0, 0, 0]);
    let row = vec![0u8; 1 + width.div_ceil(8) as usize]; // filter 0, then the bits
    let mut pixels = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..height {
        pixels.write_all(&row).expect("compress a row");
    }
    let pixels = pixels.finish().expect("compress the pixels");
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &header),
        (b"IDAT", &pixels),
        (b"IEND", &Vec::new()),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out
}

/// The CRC-32 of PNG chunks (ISO 3309), bit by bit: small inputs only.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
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
